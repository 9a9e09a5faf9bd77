import type { Span } from '../../core/span.js';
import { gapAfter, gapBefore, isInitial, isInitialGap, isSpaceGap, phraseEndingAt, type NoteView } from '../../lexicon/wordLists.js';

/**
 * NAME rules. Each finds a run of name-like tokens next to evidence, strongest first:
 *
 *   title       Dr./Mr./Mrs. + the next words ("Dr. green aware": any non-stop word after a title)
 *   credential  a signature before a credential ("K. Okafor, RRT", "T. NGUYEN RRT")
 *   relative, clinician, patient
 *               a role word or form label before the name ("wife BRENDA", "per NP X", "Name: X")
 *   relative-after  a relative word in brackets after the name ("Gerald H. (son)")
 *   initial     an initial and a surname ("J. Smith", "E. X AWARE")
 *   list        a name-list word that is no English or medical word, alone (capitalised in prose)
 *   pair        a curated given name and a capitalised listed surname in prose ("Mark Okafor")
 *   reported    a given name and an uncommon word before aware/notified ("brenda zelinski aware")
 *   joined      further names after a found one, joined by a comma, and, & (reported under the
 *               found name's rule)
 *
 * Later mentions of a word a cue proved (index.ts `repeats`) are found as `dict/name-repeat`.
 * How much a word must look like a name depends on the evidence and on the note's case style
 * (see `strength`). Rules return token ranges; `nameSpans` turns them into spans.
 */

/** 3: a listed name that is no common English or medical word; 2: capitalised in prose;
 *  1: an unknown word in a single-case note; 0: not a name. */
export type Strength = 0 | 1 | 2 | 3;

export function strength(v: NoteView, i: number): Strength {
  const memo = v.strengths[i]!;
  if (memo >= 0) return memo as Strength;
  const s = computeStrength(v, i);
  v.strengths[i] = s;
  return s;
}

/** Never a name, whatever the lists say: stop words, clinical shorthand, titles, role words, and the most frequent English words unless a curated list has them. */
function excluded(v: NoteView, k: string): boolean {
  const c = v.data.nameCues;
  if (k.length < 2 || c.stopWords.has(k) || c.notNames.has(k) || c.titles.has(k) || c.roleWords.has(k) || c.credentials.has(k)) return true;
  // Contractions (I'm, we're, they'll) are no names; O'Brien and D'Angelo keep their apostrophe inside.
  if (/['’](?:m|re|ve|ll|d|t)$/.test(k)) return true;
  // Hyphenated words name people only when no part is an ordinary word (called-pt, Okafor-thinking).
  if (k.includes('-') && k.split('-').some((part) => (v.data.common.has(part) || c.stopWords.has(part)) && !v.data.knownNames.has(part))) return true;
  return v.data.veryCommon.has(k) && !v.data.knownNames.has(k);
}

function computeStrength(v: NoteView, i: number): Strength {
  const t = v.tokens[i]!;
  // A word glued to a number is a measurement (SpO2, SaO2).
  if (/[\d]/.test(v.text[t.end] ?? '')) return 0;
  const { names, common, medical } = v.data;
  const k = t.key;
  if (excluded(v, k)) return 0;
  // A double-barrelled name is listed when each part is (Hackett-Stehr).
  const listed = names.has(k) || (k.includes('-') && k.split('-').every((p) => p.length > 1 && names.has(p)));
  const ordinary = common.has(k) || medical.has(k);
  // Two-letter list entries are mostly abbreviations (IJ, NG) unless a curated list has them.
  if (listed && !ordinary && (k.length > 2 || v.data.knownNames.has(k))) return 3;
  if (v.mode === 'mixed') {
    if (t.shape === 'cap' && (listed || !ordinary)) return 2;
    return 0;
  }
  return ordinary ? 0 : 1;
}

interface Group {
  readonly first: number;
  readonly last: number;
  readonly rule: string;
  readonly score: number;
  readonly subtype?: string;
  readonly explanation: string;
}

/**
 * A listed name even when it is also an English word (Grace, Miller, Rose): enough where a cue
 * already vouches for a name. In prose it must be capitalised.
 */
export function listedName(v: NoteView, i: number): boolean {
  const t = v.tokens[i]!;
  const k = t.key;
  if (excluded(v, k)) return false;
  // The broad lists hold ordinary words (line, has, need); a common word counts only from the curated lists.
  if (!(v.data.knownNames.has(k) || (v.data.names.has(k) && !v.data.common.has(k)))) return false;
  // Two letters in capitals are abbreviations (AV, IJ); in prose "Al" or "Ed" is still a name.
  return v.mode !== 'mixed' ? k.length > 2 : t.shape === 'cap';
}

/** Whether a word may extend (or be vouched for as) a name next to a cue. */
function continues(v: NoteView, i: number): boolean {
  return strength(v, i) >= (v.mode === 'mixed' ? 2 : 1) || listedName(v, i);
}

const CONJUNCTIONS = new Set(['and', '&']);

/** "Dr. Patel and Okafor": a second name joined to a found one. Returns its token range or undefined. */
function conjoined(v: NoteView, last: number): [number, number] | undefined {
  const and = last + 1;
  const next = last + 2;
  if (next >= v.tokens.length || !CONJUNCTIONS.has(v.tokens[and]!.key) || !isSpaceGap(gapBefore(v, and)) || !isSpaceGap(gapBefore(v, next))) return undefined;
  if (!continues(v, next)) return undefined;
  return [next, extendForward(v, next, next)];
}

/** Extends a name forward from `last` over further name words and initials, up to 4 tokens in all. */
function extendForward(v: NoteView, first: number, last: number): number {
  let end = last;
  while (end + 1 < v.tokens.length && end - first < 3) {
    const next = end + 1;
    const gap = gapBefore(v, next);
    const joined = isSpaceGap(gap) || (isInitial(v.tokens[end]!) && isInitialGap(gap)) || gap === '-';
    if (!joined) break;
    const t = v.tokens[next]!;
    if (isInitial(t) && t.shape === 'upper' && isInitialGap(gapAfter(v, next)) && next + 1 < v.tokens.length && continues(v, next + 1)) {
      end = next;
      continue;
    }
    if (!continues(v, next)) break;
    // In single-case notes an unknown word after a name is as often a typo or a verb
    // (DR X NOTIFED): there only a listed word extends a name, or any word after a given name (BRENDA X).
    if (v.mode !== 'mixed' && !v.data.names.has(t.key) && !listedName(v, next) && !v.data.firstNames.has(v.tokens[end]!.key)) break;
    end = next;
  }
  return end;
}

/** Walks back from `last` over name words and initials on the same line; returns the first index, or -1 (initials alone are no name). */
function extendBackward(v: NoteView, last: number): number {
  let first = -1;
  for (let i = last; i >= 0 && last - i < 4; i--) {
    const t = v.tokens[i]!;
    const ok = isInitial(t)
      ? (t.shape === 'upper' || v.mode !== 'mixed') && i !== last && isInitialGap(gapAfter(v, i))
      : continues(v, i);
    if (!ok) break;
    first = i;
    if (i === 0) break;
    const gap = gapBefore(v, i);
    if (!(isSpaceGap(gap) || gap === '-' || (isInitial(v.tokens[i - 1]!) && isInitialGap(gap)))) break;
  }
  if (first === -1) return -1;
  for (let i = first; i <= last; i++) if (!isInitial(v.tokens[i]!)) return first;
  return -1;
}

const TITLE_GAP = /^\.?[ \t]{0,3}$/;
/** Between a cue word and the name: blanks, one punctuation mark, and a line break only after a colon. */
const CUE_GAP = /^[ \t]*(?:[,(-]|:[ \t]*(?:\r?\n)?)?[ \t]*$/;
const FILLERS = new Set(['is', 'was', 'named', 'name', 'are', 'her', 'his', 'pt', "pt's", 'patient']);

function titleGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const title = tokens[i]!;
    if (!data.nameCues.titles.has(title.key)) continue;
    const gap = gapBefore(v, i + 1);
    if (!TITLE_GAP.test(gap) || (gap === '' && title.key.length < 2)) continue;
    const c = tokens[i + 1]!;
    const k = c.key;
    // "doctors working", "miss the dose": a title that is also an ordinary word needs a capitalised name in prose.
    if (data.nameCues.wordTitles.has(title.key) && v.mode === 'mixed' && c.shape !== 'cap' && c.shape !== 'upper') continue;
    // MS is also mental status, morphine, multiple sclerosis: as a title only written Ms, or
    // before a listed name.
    if (data.nameCues.ambiguousTitles.has(title.key) && title.shape !== 'cap' && !(strength(v, i + 1) === 3 || listedName(v, i + 1))) continue;
    // Dr. L. Brennan: an initial first, vouched for by the surname after it.
    const initialFirst =
      isInitial(c) && (c.shape === 'upper' || v.mode !== 'mixed') && isInitialGap(gapAfter(v, i + 1)) && i + 2 < tokens.length && continues(v, i + 2);
    // Dr Will Cole: a capitalised given name that is also a stop word, before a capitalised surname.
    const after = tokens[i + 2];
    const givenThenSurname =
      v.mode === 'mixed' && c.shape === 'cap' && data.knownNames.has(k) && data.firstNames.has(k) && after !== undefined && after.shape === 'cap' && isSpaceGap(gapBefore(v, i + 2)) && listedName(v, i + 2);
    if (!initialFirst && !givenThenSurname) {
      if (k.length < 2 || data.nameCues.stopWords.has(k) || data.nameCues.titles.has(k)) continue;
      if (data.veryCommon.has(k) && !data.names.has(k)) continue;
    }
    const last = extendForward(v, i + 1, initialFirst ? i + 2 : i + 1);
    const doctor = title.key.startsWith('d') || title.key.startsWith('prof');
    const subtype = doctor ? 'DOCTOR' : 'PATIENT';
    out.push({ first: i + 1, last, rule: 'title', score: 0.9, subtype, explanation: 'after a title' });
    const second = conjoined(v, last);
    if (second !== undefined) out.push({ first: second[0], last: second[1], rule: 'title', score: 0.85, subtype, explanation: 'joined to a name after a title' });
  }
}

/**
 * The note seen with the case style of token i's line when that line is all upper or all lower case.
 * Per note: each token's line, each line's case mode, and one view per single-case mode. Scanning
 * the line and allocating a strengths array per credential made long notes quadratic; strengths
 * depend only on the mode, so one view per mode gives the same answers.
 */
const lineViews = new WeakMap<NoteView, { lineOf: Int32Array; modes: Map<number, NoteView['mode']>; views: Map<NoteView['mode'], NoteView> }>();

function lineView(v: NoteView, i: number): NoteView {
  if (v.mode !== 'mixed') return v;
  let cache = lineViews.get(v);
  if (cache === undefined) {
    const lineOf = new Int32Array(v.tokens.length);
    for (let k = 1; k < v.tokens.length; k++) lineOf[k] = lineOf[k - 1]! + (/[\r\n]/.test(gapBefore(v, k)) ? 1 : 0);
    cache = { lineOf, modes: new Map(), views: new Map() };
    lineViews.set(v, cache);
  }
  const line = cache.lineOf[i]!;
  let mode = cache.modes.get(line);
  if (mode === undefined) {
    let a = i;
    let b = i;
    while (a > 0 && cache.lineOf[a - 1] === line) a--;
    while (b + 1 < v.tokens.length && cache.lineOf[b + 1] === line) b++;
    let upper = true;
    let lower = true;
    for (let k = a; k <= b; k++) {
      const s = v.tokens[k]!.shape;
      if (s !== 'upper') upper = false;
      if (s !== 'lower') lower = false;
    }
    mode = upper ? 'upper' : lower ? 'lower' : 'mixed';
    cache.modes.set(line, mode);
  }
  if (mode === 'mixed') return v;
  let view = cache.views.get(mode);
  if (view === undefined) {
    view = { ...v, mode, strengths: new Int8Array(v.tokens.length).fill(-1) };
    cache.views.set(mode, view);
  }
  return view;
}

function credentialGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let c = 1; c < tokens.length; c++) {
    const cred = tokens[c]!;
    if (!data.nameCues.credentials.has(cred.text.toLowerCase())) continue;
    const gap = gapBefore(v, c);
    if (!/^,?[ \t]{1,3}$/.test(gap)) continue;
    // A signature keeps its writer's case: "brenda lutz rn" in an otherwise mixed-case note.
    const lv = lineView(v, c);
    // In prose a credential is written in capitals (RN, PhD); lower case only after a comma is too vague.
    if (lv.mode === 'mixed' && cred.shape === 'lower') continue;
    if (lv.mode === 'mixed' && cred.shape === 'cap' && !gap.startsWith(',')) continue;
    let first = extendBackward(lv, c - 1);
    const last2 = (f: number): boolean => c - f >= 2;
    // "T. NGUYEN RRT": after an initial, any word that is not excluded is the surname.
    const word = tokens[c - 1]!;
    const initial = c >= 2 ? tokens[c - 2]! : undefined;
    const initialThenWord =
      initial !== undefined &&
      isInitial(initial) &&
      (initial.shape === 'upper' || lv.mode !== 'mixed') &&
      isInitialGap(gapBefore(lv, c - 1)) &&
      (lv.mode !== 'mixed' || word.shape === 'cap') &&
      !excluded(lv, word.key) &&
      (!data.medicalWords.has(word.key) || data.names.has(word.key));
    if ((first === -1 || first === c - 1) && initialThenWord) {
      first = c - 2;
      if (c >= 3 && isSpaceGap(gapBefore(lv, c - 2)) && continues(lv, c - 3)) first = c - 3;
    }
    if (first === -1) continue;
    // gapAfter ends in a line break at the end of the note.
    const lineEnd = /^(?:-?\d{0,2})[ \t.,;)]*\r?\n/.test(gapAfter(v, c)); // PGY-2 at a line end
    // PA line, NP cough: a credential word mid-sentence is usually something else.
    const next = tokens[c + 1];
    const thenStop = next !== undefined && isSpaceGap(gapAfter(v, c)) && data.nameCues.stopWords.has(next.key);
    // per BRENDA X NP: a clinician cue before the signature-like group also vouches for it.
    const cued = first > 0 && last2(first) && phraseEndingAt(lv, first - 1, data.nameCues.clinicianRoles) > 0;
    if (!(gap.startsWith(',') || lineEnd || thenStop || cued)) continue;
    out.push({ first, last: c - 1, rule: 'credential', score: 0.85, subtype: 'DOCTOR', explanation: 'before a credential' });
  }
}

function roleGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  const cues = data.nameCues;
  for (let j = 1; j < tokens.length; j++) {
    if (!CUE_GAP.test(gapBefore(v, j))) continue;
    let cueEnd = j - 1;
    if (FILLERS.has(tokens[cueEnd]!.key) && cueEnd > 0 && isSpaceGap(gapBefore(v, cueEnd))) cueEnd--;
    const rel = phraseEndingAt(v, cueEnd, cues.relativeRoles);
    const pat = rel > 0 ? 0 : phraseEndingAt(v, cueEnd, cues.patientRoles);
    const clin = rel > 0 || pat > 0 ? 0 : phraseEndingAt(v, cueEnd, cues.clinicianRoles);
    if (rel === 0 && pat === 0 && clin === 0) continue;
    const kind = rel > 0 ? 'relative' : pat > 0 ? 'patient' : 'clinician';
    // Patient:, Pt: count only as form labels, before a colon (not "patient Grace", "pt will").
    if (pat === 1 && cues.labelOnly.has(tokens[cueEnd]!.key) && !gapBefore(v, j).includes(':')) continue;
    const cue = tokens
      .slice(cueEnd - (rel || pat || clin) + 1, cueEnd + 1)
      .map((t) => t.key)
      .join(' ');
    const weak = cues.weakRoles.has(cue);
    const s = strength(v, j);
    const t = tokens[j]!;
    // After a weak cue (with, per) only a curated name, a common word only capitalised in prose
    // (the broad lists hold clinical shorthand); after a strong cue also a curated name that is a common word
    // (wife Grace), or in prose any capitalised word that is no common word.
    const curated = data.knownNames.has(t.key) && listedName(v, j);
    // A form label with a colon (NAME: ...) vouches for any word that is not excluded, in any case.
    const formField = kind === 'patient' && gapBefore(v, j).includes(':') && s >= 1 && t.key.length >= 3 && !data.placeCues.clinicalAcronyms.has(t.key);
    const ok = weak
      ? curated && (!data.common.has(t.key) || (v.mode === 'mixed' && t.shape === 'cap'))
      : listedName(v, j) || s === 3 || (v.mode === 'mixed' && s === 2) || formField;
    if (!ok) continue;
    const last = extendForward(v, j, j);
    out.push({
      first: j,
      last,
      rule: weak ? 'weak-cue' : kind,
      score: weak ? 0.75 : 0.85,
      subtype: kind === 'relative' ? 'RELATIVE' : kind === 'patient' ? 'PATIENT' : 'DOCTOR',
      explanation: kind === 'relative' ? 'after a relative word' : kind === 'patient' ? 'after a name label' : weak ? 'after a weak role cue' : 'after a clinician word',
    });
  }
}

function roleAfterGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let r = 1; r < tokens.length; r++) {
    // "Gerald H. (son)", "Gerald H. - son -": a relative word set off right after the name.
    const bracket = /^[ \t]*[(][ \t]*$/.test(gapBefore(v, r)) && /^[ \t]*\)/.test(gapAfter(v, r));
    const dash = /^[ \t]+[-–][ \t]+$/.test(gapBefore(v, r)) && /^[ \t]*(?:[-–,;:.)]|\r?\n)/.test(gapAfter(v, r));
    if (!bracket && !dash) continue;
    const len = phraseEndingAt(v, r, data.nameCues.relativeRoles);
    if (len !== 1) continue;
    const first = extendBackward(v, r - 1);
    if (first === -1) continue;
    out.push({ first, last: r - 1, rule: 'relative-after', score: 0.8, subtype: 'RELATIVE', explanation: 'before a relative word in brackets' });
  }
}

/** Words that follow a person's name in reports of who was told ("J. Ortiz aware"). */
const POST_NAME = new Set(['aware', 'notified', 'paged', 'informed', 'updated', 'ordered', 'made']);

function initialGroups(v: NoteView, out: Group[]): void {
  const { tokens } = v;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    if (!isInitial(t) || (v.mode === 'mixed' && t.shape !== 'upper')) continue;
    const dotted = /^\.[ \t]{1,2}$/.test(gapAfter(v, i));
    if (!dotted && !(t.shape === 'upper' && /^[ \t]$/.test(gapAfter(v, i)))) continue;
    // A standalone letter only: not p.o., a.m., 90's., A&O.
    if (i > 0 && !/[ \t\r\n(]/.test(v.text[t.start - 1]!)) continue;
    const s = strength(v, i + 1);
    const next = tokens[i + 2];
    // "E. OKAFOR AWARE", "J OKAFOR ORDERED": a word after an initial and before aware/notified is a surname.
    const reported = next !== undefined && POST_NAME.has(next.key) && isSpaceGap(gapBefore(v, i + 2)) && !excluded(v, tokens[i + 1]!.key);
    if (!dotted && !reported) continue;
    const surname = s === 3 || (v.mode === 'mixed' && s === 2) || (listedName(v, i + 1) && !v.data.medicalWords.has(tokens[i + 1]!.key)) || reported;
    if (!surname) continue;
    const last = extendForward(v, i + 1, i + 1);
    out.push({ first: i, last, rule: 'initial', score: 0.8, explanation: 'initial and surname' });
  }
}

/**
 * "Ewan Richards": a given name from the curated lists and a capitalised listed surname, in
 * prose. The pair is evidence enough even at a sentence start or when the given name is an
 * English word (Mark Twain), but not when either word is excluded (Jackson Pratt drain).
 */
function pairGroups(v: NoteView, out: Group[]): void {
  if (v.mode !== 'mixed') return;
  const { tokens, data } = v;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    if (a.shape !== 'cap' || b.shape !== 'cap' || !data.firstNames.has(a.key) || excluded(v, a.key) || excluded(v, b.key)) continue;
    // Eponym surnames count here (Mark Richards); only the lower-case medical words veto the surname.
    if (!isSpaceGap(gapBefore(v, i + 1)) || data.medicalWords.has(b.key)) continue;
    if (!(data.knownNames.has(b.key) || (data.names.has(b.key) && !data.common.has(b.key)))) continue;
    out.push({ first: i, last: extendForward(v, i, i + 1), rule: 'pair', score: 0.7, explanation: 'given name and surname from the lists' });
  }
}

/** A given name trusted alone: an English-locale one, or one of 5+ letters from any locale (short ones collide with shorthand: maes, nore). */
function givenName(v: NoteView, k: string): boolean {
  return v.data.firstNames.has(k) && (v.data.knownNames.has(k) || k.length >= 5);
}

function listGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.key.length < 4 || strength(v, i) !== 3 || data.vocabulary.has(t.key)) continue;
    // Alone, Virginia and Georgia are states; after a cue they stay names (nurse Virginia).
    if (data.placeCues.usStateWords.has(t.key) || data.countries.has(t.key)) continue;
    if (/^[\d/]/.test(v.text.slice(t.end, t.end + 1))) continue; // SaO2, Sa/O
    if (v.mode === 'mixed') {
      if (t.shape !== 'cap') continue;
      // A capital at a sentence start says nothing: there only the curated English given names count.
      // (gapBefore starts with a line break at the note start.)
      if (/[.!?:;\n][ \t"'(*-]*$/.test(gapBefore(v, i)) && !givenName(v, t.key)) continue;
    } else if (!givenName(v, t.key)) continue;
    const last = extendForward(v, i, i);
    out.push({ first: i, last, rule: 'list', score: v.mode === 'mixed' ? 0.6 : 0.5, explanation: 'name list, not an English or medical word' });
  }
}

/**
 * "brenda zelinski aware", "ANA KOVAC AWARE": a given name and an uncommon word right before
 * aware/notified/paged. Teams and services before those words are common or medical words.
 */
function reportedGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let k = 1; k + 1 < tokens.length; k++) {
    if (!POST_NAME.has(tokens[k + 1]!.key) || !isSpaceGap(gapBefore(v, k + 1)) || !isSpaceGap(gapBefore(v, k))) continue;
    const given = tokens[k - 1]!;
    const surname = tokens[k]!;
    if (!data.firstNames.has(given.key) || excluded(v, given.key) || excluded(v, surname.key)) continue;
    if (data.common.has(surname.key) || data.medical.has(surname.key) || surname.key.length < 3) continue;
    if (v.mode === 'mixed' && given.shape !== surname.shape) continue;
    out.push({ first: k - 1, last: k, rule: 'reported', score: 0.75, explanation: 'given name and surname before aware/notified' });
  }
  // One word: "JENKINS NOTIFIED OF K 3.1" — a listed surname, no common, medical or cue word
  // (services and teams before aware are: Renal, Cardiology, Team, Resident).
  for (let k = 0; k + 1 < tokens.length; k++) {
    if (!POST_NAME.has(tokens[k + 1]!.key) || !isSpaceGap(gapBefore(v, k + 1))) continue;
    const t = tokens[k]!;
    if (strength(v, k) !== 3 || t.key.length < 3) continue;
    if (!(data.knownNames.has(t.key) || data.firstNames.has(t.key) || (v.mode === 'mixed' && t.shape === 'cap'))) continue;
    out.push({ first: k, last: k, rule: 'reported', score: 0.7, explanation: 'listed surname before aware/notified' });
  }
}

/** "Best regards,\nX", "Sincerely,\nX": the name on the line after a sign-off. */
function signoffGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let j = 1; j < tokens.length; j++) {
    if (!/^,?[ \t]*\r?\n[ \t]*$/.test(gapBefore(v, j))) continue;
    if (phraseEndingAt(v, j - 1, data.nameCues.signoffs) === 0) continue;
    if (!(strength(v, j) >= 1 || listedName(v, j))) continue;
    out.push({ first: j, last: extendForward(v, j, j), rule: 'signoff', score: 0.8, explanation: 'after a sign-off' });
  }
}

/** "Sons Gerald, Ivan and Paul": further names joined to a found one by a comma, and, &. */
function joinedGroups(v: NoteView, groups: Group[]): void {
  const n = groups.length;
  for (let g = 0; g < n; g++) {
    let last = groups[g]!.last;
    for (let k = 0; k < 3; k++) {
      const joint = last + 1;
      let next = joint;
      if (joint < v.tokens.length && CONJUNCTIONS.has(v.tokens[joint]!.key) && isSpaceGap(gapBefore(v, joint))) next = joint + 1;
      else if (!/^,[ \t]{1,2}$/.test(gapAfter(v, last))) break;
      if (next >= v.tokens.length) break;
      const gap = gapBefore(v, next);
      if (!(isSpaceGap(gap) || /^,[ \t]{1,2}$/.test(gap))) break;
      if (next === joint + 1 ? !isSpaceGap(gap) : false) break;
      // A joined word must look like a name on its own: listed, or capitalised and uncommon in prose.
      // (A capitalised unlisted word after a comma is as often a title or body: X, Ministerialdirigent.)
      if (!(strength(v, next) === 3 || listedName(v, next))) break;
      last = extendForward(v, next, next);
      groups.push({ ...groups[g]!, first: next, last, score: Math.min(groups[g]!.score, 0.75), explanation: 'joined to a name' });
    }
  }
}

export function nameSpans(v: NoteView): Span[] {
  const groups: Group[] = [];
  titleGroups(v, groups);
  credentialGroups(v, groups);
  roleGroups(v, groups);
  roleAfterGroups(v, groups);
  initialGroups(v, groups);
  listGroups(v, groups);
  pairGroups(v, groups);
  reportedGroups(v, groups);
  signoffGroups(v, groups);
  joinedGroups(v, groups);
  return groups.map((g) => ({
    start: v.tokens[g.first]!.start,
    // The name without a possessive ending (Mrs. Kowalski's speech): the surrogate keeps the 's.
    end: v.tokens[g.last]!.end - (/['’]s$/i.test(v.tokens[g.last]!.text) && v.tokens[g.last]!.text.length > 3 ? 2 : 0),
    label: 'NAME' as const,
    source: `dict/name-${g.rule}`,
    score: g.score,
    explanation: g.explanation,
    ...(g.subtype !== undefined ? { subtype: g.subtype } : {}),
  }));
}
