import type { Span } from '../../core/span.js';
import type { Detector } from '../types.js';
import { gapAfter, gapBefore, isSpaceGap, phraseEndingAt, phraseStartingAt, type DictionaryData, type NoteView } from '../../lexicon/wordLists.js';
import { caseMode, wordTokens, type WordToken } from '../../lexicon/tokens.js';
import { typoOf } from '../../lexicon/typos.js';

/**
 * Text the word lists prove is not PHI, as `kind: "safe"` spans (Presidio's allow list,
 * Philter's whitelist): the merge drops any name or place span, from the model or the lists,
 * that lies wholly inside one (src/core/merge.ts applySafeSpans). Four kinds, all from the cue
 * files (assets/dictionaries/*.yaml):
 *
 *   abbreviation  a clinical abbreviation in capitals, or in a single-case note ("LE edema",
 *                 "AF with RVR"); never a word an English-locale name list holds (Ed, Art)
 *   role          a relative's or clinician's role word ("fiance", "niece", or a typing slip of
 *                 one): the cue before a name, never the name
 *   eponym        one or two name-list or medical-list words before an eponym head ("Kussmaul
 *                 respirations", "mallory weiss tear"), unless a title or role precedes them
 *                 (after a weak cue such as "with", one word only)
 *   state         a US state alone, by name, conventional abbreviation (Calif., Fla.) or a
 *                 one-letter slip of a long state name; labelled LOCATION when an English-locale
 *                 name list holds the word, so "Virginia" the nurse stays a name. Not when it
 *                 is part of a facility's name ("Maryland Rehab", "University of Maryland"),
 *                 nor New York or Washington, which are also cities.
 *
 * Safe Harbor keeps states (identifier 2 covers places smaller than a state), and the PhysioNet
 * annotators tag states only inside a facility's name.
 */
export const SAFE_TERMS_ID = 'dict/safe-terms';

const ALPHA = /^\p{L}+$/u;
/** Role words this long tolerate a typing slip ("neice"), as plain words do (plainWordTest). */
const ROLE_SLIP_MIN = 5;
/** States this long tolerate one slip ("Pensylvania"): shorter ones are too close to other words. */
const STATE_SLIP_MIN = 8;

/** True when `a` becomes `b` by one substituted, inserted, dropped or swapped letter. */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function safe(v: NoteView, first: number, last: number, label: Span['label'], rule: string, end = v.tokens[last]!.end): Span {
  return { start: v.tokens[first]!.start, end, label, source: `dict/safe-${rule}`, score: 1, explanation: rule };
}

function abbreviationFinds(v: NoteView, out: Span[]): void {
  const { clinicalAbbreviations } = v.data.nameCues;
  v.tokens.forEach((t, i) => {
    if (t.text.length < 2 || t.shape === 'cap' || !clinicalAbbreviations.has(t.key) || v.data.knownNames.has(t.key)) return;
    out.push(safe(v, i, i, 'OTHER', 'abbreviation'));
  });
}

/**
 * "fiance", "daugther": a relative's or clinician's role word (or a slip of one) names nobody. A
 * slip that only another locale's name list holds ("neice") is still a slip: only English-locale
 * names vouch for a spelling (measured: one patient's notes wrote it a dozen times, each read as a name).
 */
function roleFinds(v: NoteView, out: Span[]): void {
  const { roleWords, stopWords } = v.data.nameCues;
  const role = (w: string): boolean => roleWords.has(w) && !stopWords.has(w) && !v.data.knownNames.has(w);
  const nearRole = (w: string): boolean => w.length >= ROLE_SLIP_MIN && role(w);
  v.tokens.forEach((t, i) => {
    if (role(t.key) || (t.key.length >= ROLE_SLIP_MIN && !v.data.knownNames.has(t.key) && typoOf(t.key, nearRole))) out.push(safe(v, i, i, 'OTHER', 'role'));
  });
}

function eponymWord(v: NoteView, t: WordToken): boolean {
  const { names, medical, medicalWords, nameCues } = v.data;
  if (nameCues.stopWords.has(t.key) || nameCues.titles.has(t.key) || nameCues.roleWords.has(t.key) || nameCues.eponymHeads.has(t.key)) return false;
  // Names, or the medical list's capitalised entries (eponyms, brands): not "positive Homans sign".
  return t.key.split('-').every((part) => part.length >= 2 && (names.has(part) || (medical.has(part) && !medicalWords.has(part))));
}

function eponymFinds(v: NoteView, out: Span[]): void {
  const { tokens, data } = v;
  for (let h = 1; h < tokens.length; h++) {
    if (!data.nameCues.eponymHeads.has(tokens[h]!.key) || !isSpaceGap(gapBefore(v, h))) continue;
    let first = h;
    // One or two words, joined by blanks ("mallory weiss"); the one before the head by blanks only.
    while (first > 0 && h - first < 2 && eponymWord(v, tokens[first - 1]!) && (first === h || isSpaceGap(gapBefore(v, first)))) first--;
    if (first === h) continue;
    // "Dr. Homans", "wife Rose": a person, whatever follows. After a weak cue ("with", "called")
    // one word is still an eponym ("with Kussmaul respirations"), a first and last name is not.
    const c = data.nameCues;
    const before = first > 0 ? tokens[first - 1]!.key : '';
    const cue = first > 0 ? Math.max(phraseEndingAt(v, first - 1, c.relativeRoles), phraseEndingAt(v, first - 1, c.clinicianRoles)) : 0;
    const weak = cue > 0 && c.weakRoles.has(before);
    if (c.titles.has(before) || (cue > 0 && (!weak || h - first > 1))) continue;
    out.push(safe(v, first, h, 'OTHER', 'eponym'));
  }
}

function nearState(data: DictionaryData, key: string): boolean {
  if (key.length < STATE_SLIP_MIN || !ALPHA.test(key) || data.names.has(key) || data.cities.has(key) || data.vocabulary.has(key)) return false;
  for (const s of data.placeCues.usStateWords) if (s.length >= STATE_SLIP_MIN && oneEditApart(key, s)) return true;
  return false;
}

/** Whether the words after token `last` (or before `first`) make the state part of a facility's name. */
function inFacilityName(v: NoteView, first: number, last: number): boolean {
  const { placeCues } = v.data;
  const next = last + 1;
  if (next < v.tokens.length && /^[ \t]{1,3}$|^-$/.test(gapBefore(v, next))) {
    if (phraseStartingAt(v, next, placeCues.facilityHeads) > 0 || placeCues.facilityNameWords.has(v.tokens[next]!.key)) return true;
  }
  return first > 0 && isSpaceGap(gapBefore(v, first)) && placeCues.facilityNameWords.has(v.tokens[first - 1]!.key);
}

function stateFinds(v: NoteView, out: Span[]): void {
  const { tokens, data } = v;
  const { usStates, cityStates, usStateAbbreviations } = data.placeCues;
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j]!;
    let n = phraseStartingAt(v, j, usStates);
    if (n > 0 && phraseStartingAt(v, j, cityStates) === n) n = 0;
    const abbreviation = n === 0 && usStateAbbreviations.has(t.key) && !(v.mode === 'mixed' && t.shape === 'lower');
    if (n === 0 && (abbreviation || nearState(data, t.key))) n = 1;
    if (n === 0) continue;
    const last = j + n - 1;
    if (!inFacilityName(v, j, last)) {
      // "Calif." : the abbreviation's dot belongs to it.
      const end = abbreviation && gapAfter(v, last).startsWith('.') ? tokens[last]!.end + 1 : tokens[last]!.end;
      // Virginia, Georgia may be a person: only place spans yield to them.
      const label = n === 1 && data.knownNames.has(t.key) ? 'LOCATION' : 'OTHER';
      out.push(safe(v, j, last, label, 'state', end));
    }
    j = last;
  }
}

/** Safe spans of one note, sorted. Pure. */
export function safeTermSpans(text: string, data: DictionaryData): Span[] {
  const tokens = wordTokens(text);
  if (tokens.length === 0) return [];
  const view: NoteView = { text, tokens, mode: caseMode(tokens), data, strengths: new Int8Array(tokens.length).fill(-1) };
  const out: Span[] = [];
  abbreviationFinds(view, out);
  roleFinds(view, out);
  eponymFinds(view, out);
  stateFinds(view, out);
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The safe-terms detector: loaded with the dictionaries, its spans only ever remove others. */
export function createSafeTermsDetector(data: DictionaryData, fingerprint?: string): Detector {
  return {
    id: SAFE_TERMS_ID,
    kind: 'safe',
    labels: ['OTHER', 'LOCATION'],
    detect: (text: string) => safeTermSpans(text, data),
    ...(fingerprint !== undefined ? { fingerprint: () => fingerprint } : {}),
  } satisfies Detector;
}
