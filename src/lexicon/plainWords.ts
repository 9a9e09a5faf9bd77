import { typoOf } from './typos.js';
import type { WordTest } from './types.js';
import type { DictionaryData } from './wordLists.js';

/**
 * Words that are never a name or a place on their own: medical terms and drug brands, English
 * words that no name list holds, and the cue file's clinical words that name lists hold by
 * accident (notNames). A model span made only of them needs more confidence (config
 * ner.plainWordThreshold): such a span is a misread word far more often than PHI.
 */
const plainSets = new WeakMap<DictionaryData, ReadonlySet<string>>();

/** The plain words the word lists alone give (without the cue file's notNames): what the lexicon file stores precomputed. */
export function listPlainWords(data: Pick<DictionaryData, 'medical' | 'medicalWords' | 'vocabulary' | 'names' | 'cities'>): Set<string> {
  const plain = new Set(data.medicalWords);
  for (const w of data.medical) if (!data.names.has(w) && !data.cities.has(w)) plain.add(w);
  for (const w of data.vocabulary) if (!data.names.has(w)) plain.add(w);
  return plain;
}

export function plainWordSet(data: DictionaryData): ReadonlySet<string> {
  // ~140k words: built once per loaded word lists, however many pipelines a process makes
  const cached = plainSets.get(data);
  if (cached) return cached;
  const plain = listPlainWords(data);
  for (const w of data.nameCues.notNames) plain.add(w);
  plainSets.set(data, plain);
  return plain;
}

/**
 * Hands over this very data object's plain words, precomputed when the lists were packed
 * (src/node/assets/lexiconFile.ts), so they are not rebuilt here. Any other data object (say,
 * the lists with a site's words added) still gets its own, computed by `plainWordSet`.
 */
export function rememberPlainWords(data: DictionaryData, plain: ReadonlySet<string>): void {
  plainSets.set(data, plain);
}

/** Misspelt words shorter than this are not matched to plain words: short words are too easily a slip from another. */
export const NEAR_MIN_LETTERS = 5;

/**
 * `plainWordSet` widened to its words' typos: a lower-case word of five or more letters that no
 * name or place list holds and that is a typing slip (`typoOf`: swapped neighbours, a doubled or
 * undoubled letter) from a plain word of five or more letters ("reveiw", "lassix") is plain too.
 * Nursing notes are typed in a hurry; a misspelt common word is new to the model and to every
 * list, and the model reads such rare words as names (models/MODEL_CARD.md measures it). A listed
 * name or place stays one however close it is to a word.
 */
export function plainWordTest(data: DictionaryData, plain: ReadonlySet<string> = plainWordSet(data)): WordTest {
  const known = (w: string): boolean => w.length >= NEAR_MIN_LETTERS && plain.has(w);
  return {
    has: (w) =>
      plain.has(w) ||
      (w.length >= NEAR_MIN_LETTERS && !data.names.has(w) && !data.cities.has(w) && typoOf(w, known)),
  };
}
