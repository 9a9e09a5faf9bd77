import { LABEL_PRIORITY, isLabel } from '../core/labels.js';
import type { Stratify, Stratum } from './types.js';

/** What sampling needs to know about one finished note of the run (no text). */
export interface PopulationNote {
  readonly id: string;
  /** Input size (bytes), for `--stratify length`. */
  readonly size: number;
  readonly spans: readonly { readonly label: string; readonly source: string }[];
}

export const NO_SPANS = '(no spans)';

/** mulberry32: a small, well-mixed 32-bit PRNG; the same seed gives the same draw everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The most frequent value; ties go to the first in `order` (then alphabetical). */
function mode(values: readonly string[], order: readonly string[] = []): string {
  if (values.length === 0) return NO_SPANS;
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const rank = (v: string): number => {
    const i = order.indexOf(v);
    return i === -1 ? order.length : i;
  };
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))[0]![0];
}

/** Quartile bounds of the sizes (deduplicated), used as exclusive upper bounds of the buckets. */
export function lengthBounds(sizes: readonly number[]): number[] {
  if (sizes.length === 0) return [];
  const sorted = [...sizes].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return [...new Set([q(0.25), q(0.5), q(0.75)])].filter((b) => b > sorted[0]!);
}

export function lengthKey(size: number, bounds: readonly number[]): string {
  let lo = 0;
  for (const b of bounds) {
    if (size < b) return `bytes ${lo}-${b - 1}`;
    lo = b;
  }
  return `bytes >=${lo}`;
}

/**
 * One stratum per note. `label`: the note's most frequent detected label; `detector`: its most
 * frequent detector id; `length`: its size quartile. Notes without spans form their own stratum
 * under `label`/`detector`: that is where misses hide, so it must never go unsampled.
 */
export function stratumOf(note: PopulationNote, stratify: Stratify, bounds: readonly number[]): string {
  switch (stratify) {
    case 'none':
      return 'all';
    case 'label':
      return mode(
        note.spans.map((s) => s.label),
        LABEL_PRIORITY.filter(isLabel),
      );
    case 'detector':
      return mode(note.spans.map((s) => s.source));
    case 'length':
      return lengthKey(note.size, bounds);
  }
}

/**
 * How many notes to draw from each stratum: every stratum gets one note first (when n allows),
 * the rest is shared in proportion to what each stratum has left (largest remainder), never
 * more than a stratum holds. Returns counts in the order of `sizes`.
 */
export function allocate(sizes: readonly number[], n: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (n >= total) return [...sizes];
  const out = sizes.map(() => 0);
  const nonEmpty = sizes.map((s, i) => [s, i] as const).filter(([s]) => s > 0);
  if (n < nonEmpty.length) {
    // Not enough draws for one per stratum: the largest strata get one each.
    const order = [...nonEmpty].sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, i] of order.slice(0, n)) out[i] = 1;
    return out;
  }
  for (const [, i] of nonEmpty) out[i] = 1;
  let left = n - nonEmpty.length;
  while (left > 0) {
    const room = sizes.map((s, i) => s - out[i]!);
    const roomTotal = room.reduce((a, b) => a + b, 0);
    const quotas = room.map((r) => (left * r) / roomTotal);
    const whole = quotas.map(Math.floor);
    let given = 0;
    whole.forEach((w, i) => {
      out[i]! += w;
      given += w;
    });
    left -= given;
    // Largest remainders take the rest, one each.
    const byRemainder = quotas
      .map((q, i) => [q - Math.floor(q), i] as const)
      .filter(([, i]) => sizes[i]! - out[i]! > 0)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [, i] of byRemainder) {
      if (left === 0) break;
      out[i]! += 1;
      left -= 1;
    }
  }
  return out;
}

/** k distinct elements of `pool`, by a partial Fisher–Yates shuffle. */
function drawFrom<T>(pool: readonly T[], k: number, random: () => number): T[] {
  const a = [...pool];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}

export interface Draw {
  readonly strata: readonly Stratum[];
  /**
   * Per stratum, its notes that were not drawn, in a seeded order of their own: where a drawn
   * note cannot be read (its input moved), the next one here takes its place. A second random
   * stream, so the draw itself is the same whether or not a replacement is ever needed.
   */
  readonly reserve: ReadonlyMap<string, readonly string[]>;
  /** Sampled notes in review order (a seeded shuffle across strata, so a reviewer who stops
   *  early has still seen a spread of the run). */
  readonly picks: readonly { readonly id: string; readonly stratum: string; readonly weight: number }[];
  readonly lengthBounds?: readonly number[];
}

/**
 * Stratified random sample without replacement. Deterministic for a given population, n and
 * seed: notes are ordered by id before drawing, so manifest order does not matter.
 */
export function drawSample(population: readonly PopulationNote[], n: number, seed: number, stratify: Stratify): Draw {
  const bounds = stratify === 'length' ? lengthBounds(population.map((p) => p.size)) : [];
  const groups = new Map<string, string[]>();
  for (const note of population) {
    const key = stratumOf(note, stratify, bounds);
    groups.set(key, [...(groups.get(key) ?? []), note.id]);
  }
  const keys = [...groups.keys()].sort();
  const members = keys.map((k) => [...groups.get(k)!].sort());
  const counts = allocate(
    members.map((m) => m.length),
    n,
  );
  const random = seededRandom(seed);
  const spare = seededRandom(seed ^ 0x5bd1e995);
  const reserve = new Map<string, string[]>();
  const strata: Stratum[] = [];
  const picks: { id: string; stratum: string; weight: number }[] = [];
  keys.forEach((key, h) => {
    const sampled = counts[h]!;
    const populationSize = members[h]!.length;
    const weight = sampled > 0 ? populationSize / sampled : 0;
    strata.push({ key, population: populationSize, sampled, weight });
    const drawn = drawFrom(members[h]!, sampled, random);
    for (const id of drawn) picks.push({ id, stratum: key, weight });
    const left = members[h]!.filter((id) => !drawn.includes(id));
    reserve.set(key, drawFrom(left, left.length, spare));
  });
  const order = drawFrom(picks, picks.length, random);
  return { strata, reserve, picks: order, ...(stratify === 'length' ? { lengthBounds: bounds } : {}) };
}
