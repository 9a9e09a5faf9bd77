import type { Label } from '../core/labels.js';
import type { Span } from '../core/span.js';

/**
 * What an operator may know besides the span itself. The caller owns consistency:
 * the secret key, the patient scope and the date offset live here, never in an operator.
 */
export interface TransformContext {
  /** Patient (or corpus) scope for surrogate consistency and date shifting. */
  readonly scope?: string;
  /** Operator-specific state prepared by the caller (e.g. a keyed surrogate generator). */
  readonly [key: string]: unknown;
}

/** A pure replacement function: `(span, original, ctx) → replacement`. */
export type Operator = (span: Span, original: string, ctx: TransformContext) => string;

export type OperatorName = 'tag' | 'mask' | 'surrogate' | 'keep';

/** Which operator each label gets; `DEFAULT` covers labels not listed. */
export type Policy = { readonly DEFAULT: OperatorName } & Partial<Record<Label, OperatorName>>;

/** A span of the output text, with the input span it replaced. */
export interface OutputSpan extends Span {
  readonly outStart: number;
  readonly outEnd: number;
  readonly operator: OperatorName;
}

export interface TransformResult {
  readonly text: string;
  /** Sorted by position; `start/end` are input offsets, `outStart/outEnd` output offsets. */
  readonly spans: readonly OutputSpan[];
}
