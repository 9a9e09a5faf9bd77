import type { Label } from './labels.js';

/**
 * One detected stretch of PHI (or, for `kind: "safe"` detectors, of text proven safe).
 * Offsets are end-exclusive JS string indices into the ORIGINAL note. Spans are plain
 * immutable data: every function here returns new objects.
 */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly label: Label;
  /** HIPAA-style subtype (PHONE, SSN, DOCTOR, ...), when the detector knows it. */
  readonly subtype?: string;
  /** Stable, namespaced detector id, e.g. `rules/us-ssn`, `ner/phi-ner`. */
  readonly source: string;
  /** Confidence in [0, 1]. */
  readonly score: number;
  /** Short, PHI-free reason: pattern name, validator result, context word. Never matched text. */
  readonly explanation?: string;
  /**
   * Too weak to stand alone: kept only where another finding of a name, place, organisation or
   * profession overlaps it or adjoins it on its line (`dropUnsupported`, part of `mergeSpans`).
   * Never set on a merged span.
   */
  readonly tentative?: boolean;
  /** Every detector that contributed to a merged span (sorted, unique). Set by `mergeSpans`. */
  readonly sources?: readonly string[];
}

export function spanLength(s: Pick<Span, 'start' | 'end'>): number {
  return s.end - s.start;
}

/** True when the two spans share at least one character. */
export function overlaps(a: Pick<Span, 'start' | 'end'>, b: Pick<Span, 'start' | 'end'>): boolean {
  return a.start < b.end && b.start < a.end;
}

/** True when the spans share a character or one ends exactly where the other starts. */
export function overlapsOrTouches(a: Pick<Span, 'start' | 'end'>, b: Pick<Span, 'start' | 'end'>): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function contains(outer: Pick<Span, 'start' | 'end'>, inner: Pick<Span, 'start' | 'end'>): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

export function sameExtent(a: Pick<Span, 'start' | 'end'>, b: Pick<Span, 'start' | 'end'>): boolean {
  return a.start === b.start && a.end === b.end;
}

/** Code-unit order: labels and detector ids are ASCII, and `localeCompare` would load ICU's collator at start (~6 ms). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSpans(a: Span, b: Span): number {
  return a.start - b.start || b.end - a.end || compareCodeUnits(a.label, b.label) || compareCodeUnits(a.source, b.source);
}

/** Throws a PHI-free error when a span does not fit the note it claims to describe. */
export function assertValidSpan(s: Span, textLength: number): void {
  if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.end <= s.start || s.end > textLength) {
    throw new RangeError(`E001 invalid span [${s.start}, ${s.end}) from ${s.source} for a note of length ${textLength}`);
  }
}
