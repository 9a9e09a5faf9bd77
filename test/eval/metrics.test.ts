import { describe, expect, it } from 'vitest';
import { prf } from '../../src/eval/metrics.js';

describe('prf', () => {
  it.each([
    // gold, pred, goldHit, predHit → precision, recall, f1
    [{ gold: 4, pred: 5, goldHit: 3, predHit: 4 }, { precision: 0.8, recall: 0.75, f1: (2 * 0.8 * 0.75) / 1.55 }],
    // no gold and no predictions: nothing to find, nothing claimed → all 1
    [{ gold: 0, pred: 0, goldHit: 0, predHit: 0 }, { precision: 1, recall: 1, f1: 1 }],
    // no gold, one false alarm → precision 0, recall 1 (vacuous), F1 0
    [{ gold: 0, pred: 1, goldHit: 0, predHit: 0 }, { precision: 0, recall: 1, f1: 0 }],
    // gold but no predictions → precision 1 (vacuous), recall 0, F1 0
    [{ gold: 3, pred: 0, goldHit: 0, predHit: 0 }, { precision: 1, recall: 0, f1: 0 }],
    // everything wrong → 0/0/0, not NaN
    [{ gold: 2, pred: 2, goldHit: 0, predHit: 0 }, { precision: 0, recall: 0, f1: 0 }],
  ])('%j', (counts, expected) => {
    const r = prf(counts);
    expect(r.precision).toBeCloseTo(expected.precision, 12);
    expect(r.recall).toBeCloseTo(expected.recall, 12);
    expect(r.f1).toBeCloseTo(expected.f1, 12);
  });
});
