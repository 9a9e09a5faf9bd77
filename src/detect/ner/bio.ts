import { isLabel, type Label } from '../../core/labels.js';
import type { Span } from '../../core/span.js';
import { ConfigError } from '../../core/config.js';

/**
 * The pure BIO grouper (transformers.js `groupEntities`, made recall-first): per-word class
 * probabilities in, disjoint character spans out.
 *
 * A word is PHI when 1 − P(O) ≥ threshold, so probability mass spread over several entity
 * classes still counts. Its label is the entity type with the most mass (B-X + I-X).
 * Consecutive PHI words of one type join into one span covering the text between them
 * (whitespace, punctuation). B- vs I- does not split a run: a small model's B/I choice is
 * its least reliable output (it cut "Linda Hartman" and "3/14" in two), and two entities of
 * one type with nothing but a space between them are rare in notes.
 */
export interface LabelScheme {
  readonly labels: readonly string[];
  readonly outside: number;
  /** Entity type per class index (null for O). */
  readonly type: readonly (Label | null)[];
  /** Index into `types` per class index (−1 for O). */
  readonly typeIndex: Int32Array;
  /** True for B- classes. */
  readonly begin: readonly boolean[];
  /** Distinct entity types, in first-seen order. */
  readonly types: readonly Label[];
}

/** Validates the model's label list (`O`, `B-NAME`, `I-NAME`, …). Throws E032 naming the offending entry. */
export function parseLabelScheme(labels: readonly string[], where: string): LabelScheme {
  const type: (Label | null)[] = [];
  const begin: boolean[] = [];
  const types: Label[] = [];
  let outside = -1;
  labels.forEach((name, i) => {
    if (name === 'O') {
      if (outside !== -1) throw new ConfigError('E032', `${where}: label "O" appears twice`);
      outside = i;
      type.push(null);
      begin.push(false);
      return;
    }
    const m = /^([BI])-(.+)$/.exec(name);
    if (!m || !isLabel(m[2])) throw new ConfigError('E032', `${where}: label #${i} "${name}" is not O, B-<LABEL> or I-<LABEL>`);
    type.push(m[2]);
    begin.push(m[1] === 'B');
    if (!types.includes(m[2])) types.push(m[2]);
  });
  if (outside === -1) throw new ConfigError('E032', `${where}: labels lack "O"`);
  const typeIndex = Int32Array.from(type, (t) => (t === null ? -1 : types.indexOf(t)));
  return { labels: [...labels], outside, type, typeIndex, begin, types };
}

/** In-place softmax of `values[offset .. offset + n)` (numerically stable). */
export function softmaxInPlace(values: Float32Array | Float64Array, offset: number, n: number): void {
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, values[offset + k]!);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp(values[offset + k]! - max);
    values[offset + k] = e;
    sum += e;
  }
  for (let k = 0; k < n; k++) values[offset + k] = values[offset + k]! / sum;
}

export interface WordExtent {
  readonly start: number;
  readonly end: number;
}

/**
 * Per-word class probabilities of one note: row `i` (`labels` wide) of `probs` belongs to
 * `words[i]`; words with `predicted[i] === 0` (no word pieces) are skipped.
 */
export interface NotePredictions {
  readonly words: readonly WordExtent[];
  readonly probs: Float32Array | Float64Array;
  readonly predicted: Uint8Array;
}

/**
 * Groups word predictions (words in text order, non-overlapping) into PHI spans. Output is
 * sorted, non-overlapping, and every span starts at a PHI word's start and ends at one's end.
 */
export function groupEntities(note: NotePredictions, scheme: LabelScheme, threshold: number, source: string): Span[] {
  const { words, probs, predicted } = note;
  const n = scheme.labels.length;
  const mass = new Float64Array(scheme.types.length);
  const spans: Span[] = [];
  let open = false;
  let start = 0;
  let end = 0;
  let type = -1;
  let sum = 0;
  let count = 0;
  const flush = (): void => {
    if (!open) return;
    const label = scheme.types[type]!;
    const score = sum / count;
    spans.push({
      start,
      end,
      label,
      source,
      score,
      explanation: `ner ${label} p=${score.toFixed(2)} over ${count} word${count === 1 ? '' : 's'}`,
    });
    open = false;
  };
  for (let i = 0; i < words.length; i++) {
    if (!predicted[i]) continue;
    const row = i * n;
    const phi = 1 - probs[row + scheme.outside]!;
    if (!(phi >= threshold)) {
      flush();
      continue;
    }
    mass.fill(0);
    for (let k = 0; k < n; k++) {
      const t = scheme.typeIndex[k]!;
      if (t >= 0) mass[t] = mass[t]! + probs[row + k]!;
    }
    let best = 0;
    for (let t = 1; t < mass.length; t++) if (mass[t]! > mass[best]!) best = t;
    const w = words[i]!;
    if (open && type === best) {
      end = w.end;
      sum += phi;
      count++;
    } else {
      flush();
      open = true;
      start = w.start;
      end = w.end;
      type = best;
      sum = phi;
      count = 1;
    }
  }
  flush();
  return spans;
}
