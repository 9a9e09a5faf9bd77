import type { Label } from '../core/labels.js';
import type { Span } from '../core/span.js';

/** Per-note facts a detector may use. Detectors never read files. */
export interface DetectContext {
  /** Opaque note id, for error messages only (never note text). */
  readonly noteId?: string;
}

/**
 * The one detector interface (Presidio's EntityRecognizer, secretlint's rule module):
 * text in, spans out. Heavy assets load in `load()`, never at import time.
 * `kind: "safe"` detectors emit spans of text proven safe (clinical terms, units) that
 * suppress false alarms in `mergeSpans`.
 */
export interface Detector {
  readonly id: string;
  readonly kind: 'phi' | 'safe';
  readonly labels: readonly Label[];
  load?(): Promise<void>;
  detect(text: string, ctx?: DetectContext): Span[] | Promise<Span[]>;
  /** Optional batched form (the NER model batches windows across notes). */
  detectBatch?(texts: readonly string[], ctxs?: readonly DetectContext[]): Promise<Span[][]>;
  /** Releases native resources (ONNX sessions). */
  dispose?(): Promise<void>;
  /** PHI-free identity of the detector's assets (rules hash, model sha256), for manifests and audit reports. */
  fingerprint?(): string;
}

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
