import type { Label } from '../core/labels.js';
import type { KnownIdentifiers } from './site/known.js';
import type { Span } from '../core/span.js';

/** Per-note facts a detector may use. Detectors never read files. */
export interface DetectContext {
  /** Opaque note id, for error messages only (never note text). */
  readonly noteId?: string;
  /**
   * What the record system knows about this note's patient (issue 16): found in the note in the
   * forms notes write it and redacted whatever the detectors say (src/detect/site/known.ts). PHI:
   * never logged or written anywhere but to be redacted.
   */
  readonly known?: KnownIdentifiers;
}

/**
 * The one detector interface (Presidio's EntityRecognizer, secretlint's rule module):
 * text in, spans out. Heavy assets load in `load()`, never at import time.
 * `kind: "safe"` detectors emit spans of text proven safe (clinical terms, units) that
 * suppress false alarms in `mergeSpans`. Run by `Pipeline`, a detector reads the note's normalised
 * view (hidden characters out, look-alikes folded: core/normalize.ts) and its spans are mapped back.
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
