import { labelRank, type Label } from './labels.js';
import { compareSpans, contains, overlapsOrTouches, spanLength, type Span } from './span.js';

/**
 * Overlap resolution as a chain of small pure policies (spaCy's span filters,
 * secretlint's filter chain). None of them mutates its input.
 *
 *   dropBelowThreshold → dropUnsupported → applySafeSpans → mergeOverlapping
 *
 * The merge is recall-first: it never trims a PHI span to make room for another, so every
 * character covered by a kept input span is covered by exactly one output span.
 *
 * Label of a merged span (the documented priority):
 *   1. the label of the longest member span (it saw the most context);
 *   2. on equal length, the label that comes first in LABEL_PRIORITY
 *      (ID > CONTACT > DATE > AGE > NAME > LOCATION > ORGANIZATION > PROFESSION > OTHER);
 *   3. then the higher score, then the detector id (for determinism).
 * The merged score is the highest member score; `sources` lists every contributing detector.
 */
export interface MergeOptions {
  /** PHI spans scoring below this are dropped before merging. Default 0 (keep all). */
  readonly threshold?: number;
  /** Spans from `safe` detectors: PHI spans wholly inside one are dropped (applySafeSpans says which survive). */
  readonly safe?: readonly Span[];
  /** A structured identifier (not a word label) at or above this score survives inside a safe span. Default 0.95. */
  readonly safeOverride?: number;
  /** The note the spans index (dropUnsupported reads the gap between neighbours); without it a tentative span needs an overlap. */
  readonly text?: string;
}

export function dropBelowThreshold(spans: readonly Span[], threshold: number): Span[] {
  return spans.filter((s) => s.score >= threshold);
}

/** Labels read from words alone: no checksum or format backs them, so no score outlives a safe span. */
const WORD_LABELS: ReadonlySet<Label> = new Set<Label>(['NAME', 'LOCATION', 'ORGANIZATION', 'PROFESSION']);

/**
 * A PHI span wholly inside a safe span is dropped. A safe span labelled OTHER covers every
 * label, one with a PHI label only that label (a US state alone is no place identifier but may
 * still be a first name). A structured identifier scoring `safeOverride` or more survives (its
 * validator is stronger evidence than a word list); a word label never does: a model's
 * confidence that "LE" is a name is exactly what the safe list corrects.
 */
export function applySafeSpans(spans: readonly Span[], safe: readonly Span[], safeOverride = 0.95): Span[] {
  if (safe.length === 0) return [...spans];
  const overridden = (s: Span): boolean => s.score >= safeOverride && !WORD_LABELS.has(s.label);
  return spans.filter((s) => overridden(s) || !safe.some((g) => contains(g, s) && (g.label === 'OTHER' || g.label === s.label)));
}

/**
 * What may separate a tentative span from the finding that supports it, on one line: up to three
 * blanks or punctuation marks ("Anna Zdunek", "SUITE 4, QUENWICK"), or "and", "or", "&" between
 * blanks ("tova and quell"). At most `SUPPORT_REACH` characters.
 */
const ADJOINING_GAP = /^(?:[ \t,.;:'"()/-]{0,3}|[ \t]{1,2}(?:and|or|&)[ \t]{1,2})$/i;
export const SUPPORT_REACH = 7;

function overlapsOrAdjoins(a: Span, b: Span, text: string | undefined): boolean {
  if (a.start < b.end && b.start < a.end) return true;
  const [from, to] = a.end <= b.start ? [a.end, b.start] : [b.end, a.start];
  return text !== undefined && to - from <= SUPPORT_REACH && ADJOINING_GAP.test(text.slice(from, to));
}

/**
 * A `tentative` span (a guess too weak to stand alone, such as a model's one-word name under
 * `ner.standAloneThreshold`) is kept only where a non-tentative span of a word label — any
 * detector's, the same model's longer span too — overlaps it or adjoins it on its line: a town
 * after an address, a surname after a first name the lists know. Alone, it is dropped.
 */
export function dropUnsupported(spans: readonly Span[], text?: string): Span[] {
  if (!spans.some((s) => s.tentative === true)) return [...spans];
  const support = spans.filter((s) => s.tentative !== true && WORD_LABELS.has(s.label));
  return spans.filter((s) => s.tentative !== true || support.some((o) => overlapsOrAdjoins(s, o, text)));
}

function betterRepresentative(a: Span, b: Span): Span {
  const byLength = spanLength(b) - spanLength(a);
  if (byLength !== 0) return byLength > 0 ? b : a;
  const byLabel = labelRank(a.label) - labelRank(b.label);
  if (byLabel !== 0) return byLabel < 0 ? a : b;
  if (a.score !== b.score) return a.score > b.score ? a : b;
  return a.source <= b.source ? a : b;
}

/** Overlapping or touching spans become one span covering their union. Output is sorted and disjoint. */
export function mergeOverlapping(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort(compareSpans);
  const out: Span[] = [];
  let group: Span[] = [];
  let groupEnd = -1;
  const flush = (): void => {
    if (group.length === 0) return;
    let rep = group[0]!;
    for (const s of group) rep = betterRepresentative(rep, s);
    const start = group[0]!.start;
    const sources = [...new Set(group.flatMap((s) => s.sources ?? [s.source]))].sort();
    const merged: Span = {
      start,
      end: groupEnd,
      label: rep.label,
      source: rep.source,
      score: Math.max(...group.map((s) => s.score)),
      sources,
      ...(rep.subtype !== undefined ? { subtype: rep.subtype } : {}),
      ...(rep.explanation !== undefined ? { explanation: rep.explanation } : {}),
    };
    out.push(merged);
    group = [];
  };
  for (const s of sorted) {
    if (group.length > 0 && overlapsOrTouches({ start: group[0]!.start, end: groupEnd }, s)) {
      group.push(s);
      groupEnd = Math.max(groupEnd, s.end);
    } else {
      flush();
      group = [s];
      groupEnd = s.end;
    }
  }
  flush();
  return out;
}

export function mergeSpans(spans: readonly Span[], options: MergeOptions = {}): Span[] {
  const kept = dropUnsupported(dropBelowThreshold(spans, options.threshold ?? 0), options.text);
  const unsafe = applySafeSpans(kept, options.safe ?? [], options.safeOverride);
  return mergeOverlapping(unsafe);
}
