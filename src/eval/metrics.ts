import type { Counts, Prf, Scored } from './types.js';

/**
 * Precision, recall and F1 with defined values at the edges (never NaN):
 * no predictions → precision 1 (nothing claimed, nothing wrong);
 * no gold → recall 1 (nothing to find, nothing missed);
 * precision + recall = 0 → F1 0. So an empty note with no predictions scores 1/1/1 and a note
 * with no PHI but one false alarm scores precision 0, recall 1, F1 0.
 */
export function prf(c: Counts): Prf {
  const precision = c.pred === 0 ? 1 : c.predHit / c.pred;
  const recall = c.gold === 0 ? 1 : c.goldHit / c.gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

export function scored(c: Counts): Scored {
  return { gold: c.gold, pred: c.pred, goldHit: c.goldHit, predHit: c.predHit, ...prf(c) };
}

export const ZERO: Counts = { gold: 0, pred: 0, goldHit: 0, predHit: 0 };

export function addCounts(a: Counts, b: Counts): Counts {
  return { gold: a.gold + b.gold, pred: a.pred + b.pred, goldHit: a.goldHit + b.goldHit, predHit: a.predHit + b.predHit };
}

/** A mutable tally keyed by label, for accumulating over notes. */
export class CountTable {
  private readonly rows = new Map<string, { gold: number; pred: number; goldHit: number; predHit: number }>();

  private row(key: string): { gold: number; pred: number; goldHit: number; predHit: number } {
    let r = this.rows.get(key);
    if (!r) {
      r = { gold: 0, pred: 0, goldHit: 0, predHit: 0 };
      this.rows.set(key, r);
    }
    return r;
  }

  gold(key: string, hit: boolean): void {
    const r = this.row(key);
    r.gold++;
    if (hit) r.goldHit++;
  }

  pred(key: string, hit: boolean): void {
    const r = this.row(key);
    r.pred++;
    if (hit) r.predHit++;
  }

  get(key: string): Counts {
    return this.rows.get(key) ?? ZERO;
  }

  keys(): string[] {
    return [...this.rows.keys()];
  }
}
