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
 * (whitespace, punctuation), unless the later word is more B- than I- (a new entity starts).
 */
export interface LabelScheme {
  readonly outside: number;
  /** Entity type per class index (null for O). */
  readonly type: readonly (Label | null)[];
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
  return { outside, type, begin, types };
}

/** Softmax of `logits[offset .. offset + n)` (numerically stable). */
export function softmax(logits: ArrayLike<number>, offset: number, n: number): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, logits[offset + k]!);
  const out = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp(logits[offset + k]! - max);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < n; k++) out[k] = out[k]! / sum;
  return out;
}

export interface WordPrediction {
  readonly start: number;
  readonly end: number;
  /** Class probabilities, indexed like the scheme's labels. */
  readonly probs: ArrayLike<number>;
}

interface Chain {
  start: number;
  end: number;
  type: Label;
  sum: number;
  count: number;
}

/**
 * Groups word predictions (in text order, non-overlapping) into PHI spans. Output is sorted,
 * non-overlapping, and every span covers at least one PHI word.
 */
export function groupEntities(
  words: readonly WordPrediction[],
  scheme: LabelScheme,
  threshold: number,
  source: string,
): Span[] {
  const spans: Span[] = [];
  let chain: Chain | null = null;
  const flush = (): void => {
    if (!chain) return;
    const score = chain.sum / chain.count;
    spans.push({
      start: chain.start,
      end: chain.end,
      label: chain.type,
      source,
      score,
      explanation: `ner ${chain.type} p=${score.toFixed(2)} over ${chain.count} word${chain.count === 1 ? '' : 's'}`,
    });
    chain = null;
  };
  const mass = new Map<Label, number>();
  for (const w of words) {
    const phi = 1 - w.probs[scheme.outside]!;
    if (!(phi >= threshold)) {
      flush();
      continue;
    }
    mass.clear();
    let bestType: Label | null = null;
    let bestMass = -1;
    for (let k = 0; k < scheme.type.length; k++) {
      const t = scheme.type[k];
      if (t === null || t === undefined) continue;
      const m = (mass.get(t) ?? 0) + w.probs[k]!;
      mass.set(t, m);
    }
    for (const t of scheme.types) {
      const m = mass.get(t) ?? 0;
      if (m > bestMass) {
        bestMass = m;
        bestType = t;
      }
    }
    if (bestType === null) {
      flush();
      continue;
    }
    let pBegin = 0;
    let pInside = 0;
    for (let k = 0; k < scheme.type.length; k++) {
      if (scheme.type[k] !== bestType) continue;
      if (scheme.begin[k]) pBegin += w.probs[k]!;
      else pInside += w.probs[k]!;
    }
    const current = chain as Chain | null;
    if (current && current.type === bestType && !(pBegin > pInside)) {
      current.end = w.end;
      current.sum += phi;
      current.count++;
    } else {
      flush();
      chain = { start: w.start, end: w.end, type: bestType, sum: phi, count: 1 };
    }
  }
  flush();
  return spans;
}
