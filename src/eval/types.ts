import type { Label } from '../core/labels.js';
import type { Span } from '../core/span.js';

/** One annotated stretch of PHI in a gold note. End-exclusive JS string (UTF-16) offsets. */
export interface GoldSpan {
  readonly start: number;
  readonly end: number;
  readonly label: Label;
  /** The gold corpus's own finer type (`HCPName`, `DateYear`, `DOCTOR`), kept as given. */
  readonly subtype?: string;
}

/** A gold note as read by `src/eval/goldReaders.ts`: offsets already converted to JS string indices. */
export interface GoldDoc {
  readonly id: string;
  readonly text: string;
  readonly spans: readonly GoldSpan[];
}

/** A gold note joined with what the system predicted for it. */
export interface EvalDoc extends GoldDoc {
  /** The final (merged) predicted PHI spans. */
  readonly pred: readonly Span[];
  /** Every detector's own spans before merging (Pipeline `Analysis.raw`), when known. */
  readonly raw?: readonly Span[];
}

/**
 * Counts behind one precision/recall pair. Gold and predicted items are counted on their own
 * side (`goldHit` of `gold` found, `predHit` of `pred` correct), so many-to-one overlaps
 * neither inflate nor deflate either figure.
 */
export interface Counts {
  readonly gold: number;
  readonly pred: number;
  readonly goldHit: number;
  readonly predHit: number;
}

export interface Prf {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export type Scored = Counts & Prf;

export interface LabelRow<T> {
  readonly label: string;
  readonly score: T;
}

/** Binary token-level scores: a token is PHI or not, whatever the label. */
export interface TokenScores {
  readonly overall: Scored;
  /** Recall of each gold label's tokens; precision of each predicted label's tokens (both label-agnostic matching). */
  readonly perLabel: readonly LabelRow<Scored>[];
  /** Recall of the tokens of each gold `LABEL/subtype` (gold side only: predictions carry our subtypes, not the corpus's). */
  readonly perGoldSubtype: readonly LabelRow<Scored>[];
}

export interface EntityScores {
  /** Same start, end and label. */
  readonly strict: Scored;
  /** Same start and end, any label. */
  readonly exact: Scored;
  /** Any character overlap, any label. */
  readonly partial: Scored;
  readonly perLabel: readonly LabelRow<{ readonly strict: Scored; readonly exact: Scored; readonly partial: Scored }>[];
}

export interface DetectorRow {
  /** A detector id (`rules/us-ssn`) or a detector family (`rules`, `ner`). */
  readonly detector: string;
  /** Tokens this detector's spans cover. */
  readonly predTokens: number;
  /** Gold tokens this detector's spans cover. */
  readonly caught: number;
  /** Gold tokens covered by this detector and by no other detector at the same level. */
  readonly unique: number;
  /** Covered tokens that overlap no gold span. */
  readonly falseAlarms: number;
}

export interface Attribution {
  /** `raw`: each detector's own spans before merging; `merged`: merged spans credited to every one of their `sources`. */
  readonly basis: 'raw' | 'merged';
  readonly goldTokens: number;
  readonly families: readonly DetectorRow[];
  readonly detectors: readonly DetectorRow[];
}

export type ErrorKind = 'miss' | 'partial-miss' | 'false-alarm' | 'wrong-label' | 'overreach';

/** One error for the report and the review page: offsets and labels only, never text. */
export interface EvalError {
  readonly kind: ErrorKind;
  readonly id: string;
  readonly start: number;
  readonly end: number;
  readonly goldLabel?: string;
  readonly goldSubtype?: string;
  readonly predLabel?: string;
  /**
   * For predictions, the detectors of the span; for misses, the detectors whose raw spans
   * touched the gold span but did not survive merging (suppressed by a safe span or threshold).
   */
  readonly detectors: readonly string[];
  /** Tokens missed (misses) or falsely flagged (false alarms, overreach). */
  readonly tokens: number;
}

export interface EvalResult {
  readonly docs: number;
  readonly goldSpans: number;
  readonly predSpans: number;
  readonly token: TokenScores;
  readonly entity: EntityScores;
  readonly attribution: Attribution;
  readonly errors: readonly EvalError[];
}
