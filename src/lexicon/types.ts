/** A word test with a set's `has` (a ReadonlySet<string> is one): lets one detector read another's word lists without importing it. */
export interface WordTest {
  has(word: string): boolean;
}

/**
 * A word's standing in the word lists, as one of `classes` (class 0 is reserved for tokens that
 * are not words: [CLS], [SEP], padding). Fed to phi-ner/3 models beside each word's pieces.
 */
export interface WordLexicon {
  readonly classes: readonly string[];
  classOf(word: string): number;
}

/**
 * Words that may end a model's span without being PHI themselves, from the dictionaries' cue
 * files: the NER detector cuts them off (src/detect/ner/index.ts trimSpans).
 */
export interface SpanTails {
  /** Generic facility words ("hospital", "medical center"), each as its lower-case words. */
  readonly facilityHeads: readonly (readonly string[])[];
  /** Words that name no facility alone (the, general, memorial): a head after only these stays. */
  readonly namingWords: WordTest;
  /** Credentials after a signature (rn, bsn, md). */
  readonly credentials: WordTest;
  /** Clinical abbreviations (csru, micu) that never end a date. */
  readonly abbreviations: WordTest;
}
