import { compareCodeUnits, type Span } from '../../core/span.js';
import type { Detector } from '../types.js';
import type { DictionaryData, NoteView } from '../../lexicon/wordLists.js';
import { nameSpans } from './names.js';
import { placeSpans } from './places.js';
import { caseMode, wordTokens } from '../../lexicon/tokens.js';

export { parseNameCues, parsePlaceCues, DictionaryDataError, toPhrase, type NameCues, type PlaceCues } from '../../lexicon/cues.js';
export type { DictionaryData } from '../../lexicon/wordLists.js';
export { caseMode, wordTokens, type CaseMode, type WordToken } from '../../lexicon/tokens.js';
export { createSafeTermsDetector, safeTermSpans, SAFE_TERMS_ID } from './safeTerms.js';

/**
 * The dictionaries detector (`dict/names-places`): names and places from public word lists
 * and cue words, explainable and independent of the NER model (its second opinion in the
 * hybrid, and the fallback without it). Pure: the lists arrive built (src/node/assets/wordLists.ts).
 * Spans carry `source: dict/<rule>` and a PHI-free explanation; one span per rule hit, the
 * pipeline's merge joins overlaps.
 */
export function createDictionaryDetector(data: DictionaryData, fingerprint?: string): Detector {
  return {
    id: 'dict/names-places',
    kind: 'phi',
    labels: ['NAME', 'LOCATION'],
    detect(text: string): Span[] {
      return detectNamesAndPlaces(text, data);
    },
    ...(fingerprint !== undefined ? { fingerprint: () => fingerprint } : {}),
  } satisfies Detector;
}

/** Name rules without a cue word, or with a weak one (by, with): a place rule over the same words wins. */
const YIELDS_TO_PLACE = new Set(['dict/name-list', 'dict/name-pair', 'dict/name-weak-cue']);
/** Name rules without a cue word: their finds never repeat. */
const CUELESS = new Set(['dict/name-list', 'dict/name-pair']);

/** Sorted, de-duplicated spans (one per extent and label, the best score kept). */
export function detectNamesAndPlaces(text: string, data: DictionaryData): Span[] {
  const tokens = wordTokens(text);
  if (tokens.length === 0) return [];
  const view: NoteView = { text, tokens, mode: caseMode(tokens), data, strengths: new Int8Array(tokens.length).fill(-1) };
  const places = placeSpans(view);
  // A bare list hit that a place rule explains (from Springfield, Pinecrest Nursing Home) is the place.
  const inPlace = new Uint8Array(tokens.length);
  for (const p of places) for (let i = firstTokenEndingAfter(tokens, p.start); i < tokens.length && tokens[i]!.start < p.end; i++) inPlace[i] = 1;
  const names = nameSpans(view).filter((n) => {
    if (!YIELDS_TO_PLACE.has(n.source)) return true;
    for (let i = firstTokenEndingAfter(tokens, n.start); i < tokens.length && tokens[i]!.start < n.end; i++) if (inPlace[i] === 1) return false;
    return true;
  });
  const best = new Map<string, Span>();
  for (const s of [...names, ...places]) {
    const key = `${s.start}:${s.end}:${s.label}`;
    const prev = best.get(key);
    if (prev === undefined || s.score > prev.score || (s.score === prev.score && s.source < prev.source)) best.set(key, s);
  }
  for (const s of repeats(view, [...best.values()])) best.set(`${s.start}:${s.end}:${s.label}`, s);
  return [...best.values()].sort((a, b) => a.start - b.start || b.end - a.end || compareCodeUnits(a.label, b.label));
}

/** Index of the first token that ends after `pos` (tokens are in text order and do not overlap). */
function firstTokenEndingAfter(tokens: readonly { readonly end: number }[], pos: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]!.end > pos) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Later (and earlier) mentions of a word a cue already proved to be a name or place in this
 * note ("Dr. Okafor aware" ... "Okafor at bedside"; "transferred to MGH" ... "at MGH").
 * Only words that cannot be anything else repeat: no English, medical or cue word, at least
 * three letters, or an upper-case acronym seen upper case again. Bare list hits never repeat.
 */
function repeats(v: NoteView, spans: readonly Span[]): Span[] {
  const { tokens, data } = v;
  const found = new Map<string, Span>();
  for (const s of spans) {
    if (CUELESS.has(s.source)) continue;
    // Only the tokens under the span (tokens are in text order): all tokens per span made long notes quadratic.
    for (let i = firstTokenEndingAfter(tokens, s.start); i < tokens.length && tokens[i]!.start < s.end; i++) {
      const t = tokens[i]!;
      if (t.start < s.start || t.end > s.end || found.has(t.key)) continue;
      const acronym = t.shape === 'upper' && t.text.length >= 2 && s.source === 'dict/place-acronym';
      if (!acronym && (t.key.length < 3 || t.text.length < 3)) continue;
      // Eponyms (Foley) must not repeat as names; places may share a capitalised medical entry (MGH).
      const medical = s.label === 'NAME' ? data.medical : data.medicalWords;
      if (data.common.has(t.key) || data.vocabulary.has(t.key) || medical.has(t.key)) continue;
      const c = data.nameCues;
      if (c.stopWords.has(t.key) || c.notNames.has(t.key) || c.titles.has(t.key) || c.roleWords.has(t.key) || c.credentials.has(t.key)) continue;
      if (data.placeCues.notPlaces.has(t.key) || data.placeCues.clinicalAcronyms.has(t.key) || data.placeCues.facilityNameWords.has(t.key)) continue;
      found.set(t.key, s);
    }
  }
  if (found.size === 0) return [];
  const covered = new Uint8Array(tokens.length);
  for (const x of spans) {
    for (let i = firstTokenEndingAfter(tokens, x.start); i < tokens.length && tokens[i]!.start < x.end; i++) covered[i] = 1;
  }
  const out: Span[] = [];
  for (const [i, t] of tokens.entries()) {
    const s = found.get(t.key);
    if (s === undefined || covered[i] === 1) continue;
    if (s.source === 'dict/place-acronym' && t.shape !== 'upper') continue;
    if (/[\d]/.test(v.text[t.end] ?? '')) continue;
    const kind = s.label === 'NAME' ? 'name' : 'place';
    out.push({
      start: t.start,
      end: t.end,
      label: s.label,
      source: `dict/${kind}-repeat`,
      score: 0.7,
      explanation: `repeats a ${kind} found by a cue in this note`,
      ...(s.subtype !== undefined ? { subtype: s.subtype } : {}),
    });
  }
  return out;
}
