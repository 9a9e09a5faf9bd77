import type { Span } from '../../core/span.js';
import type { Detector } from '../types.js';
import type { DictionaryData, NoteView } from './lexicon.js';
import { nameSpans } from './names.js';
import { placeSpans } from './places.js';
import { caseMode, wordTokens } from './tokens.js';

export { parseNameCues, parsePlaceCues, DictionaryDataError, toPhrase, type NameCues, type PlaceCues } from './cues.js';
export type { DictionaryData } from './lexicon.js';
export { caseMode, wordTokens, type CaseMode, type WordToken } from './tokens.js';

/**
 * The dictionaries detector (`dict/names-places`): names and places from public word lists
 * and cue words, explainable and independent of the NER model (its second opinion in the
 * hybrid, and the fallback without it). Pure: the lists arrive built (src/io/dictionaries.ts).
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

/** Name rules without a cue word: a place rule over the same words wins. */
const CUELESS = new Set(['dict/name-list', 'dict/name-pair']);

/** Sorted, de-duplicated spans (one per extent and label, the best score kept). */
export function detectNamesAndPlaces(text: string, data: DictionaryData): Span[] {
  const tokens = wordTokens(text);
  if (tokens.length === 0) return [];
  const view: NoteView = { text, tokens, mode: caseMode(tokens), data, strengths: new Int8Array(tokens.length).fill(-1) };
  const places = placeSpans(view);
  // A bare list hit that a place rule explains (from Springfield, Pinecrest Nursing Home) is the place.
  const names = nameSpans(view).filter((n) => !(CUELESS.has(n.source) && places.some((p) => p.start < n.end && n.start < p.end)));
  const best = new Map<string, Span>();
  for (const s of [...names, ...places]) {
    const key = `${s.start}:${s.end}:${s.label}`;
    const prev = best.get(key);
    if (prev === undefined || s.score > prev.score || (s.score === prev.score && s.source < prev.source)) best.set(key, s);
  }
  return [...best.values()].sort((a, b) => a.start - b.start || b.end - a.end || a.label.localeCompare(b.label));
}
