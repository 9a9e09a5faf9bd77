import { describe, expect, it } from 'vitest';
import { cohensKappa, proportion, stratifiedMean, wilson } from '../../src/review/stats.js';

describe('wilson', () => {
  // Hand computation, z = 1.959964 (z² = 3.841459):
  //  8/10: p = .8, z²/n = .3841459, denom = 1.3841459, centre = (.8 + .1920730)/1.3841459 = .716741,
  //        half = (z/denom)·√(p(1−p)/n + z²/4n²) = 1.416010·√(.016 + .0096036) = 1.416010·.160011 = .226578
  //        → [.490163, .943319]
  //  0/10: centre = .1920730/1.3841459 = .138767, half = 1.416011·√.0096036 = .138767 → [0, .277533]
  //  4/5:  z²/n = .7682918, denom = 1.7682918, centre = 1.1841459/1.7682918 = .669656,
  //        half = 1.108393·√(.032 + .0384146) = 1.108393·.265357 = .294120 → [.375536, .963776]
  //  4/6:  denom = 1.6402432, centre = .9867883/1.6402432 = .601611,
  //        half = 1.194928·√(.0370370 + .0266768) = 1.194928·.252416 = .301622 → [.299989, .903233]
  it.each([
    [8, 10, 0.490163, 0.943319],
    [0, 10, 0, 0.277533],
    [10, 10, 0.722467, 1],
    [4, 5, 0.375536, 0.963776],
    [4, 6, 0.299989, 0.903233],
  ])('%i/%i → [%f, %f]', (x, n, low, high) => {
    const ci = wilson(x, n)!;
    // Hand arithmetic above is carried to 6 digits: agree to 4 decimals.
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  it('is undefined without trials, and never leaves [0, 1]', () => {
    expect(wilson(0, 0)).toBeNull();
    expect(proportion(0, 0)).toEqual({ successes: 0, trials: 0, value: null, ci: null });
    for (let n = 1; n <= 30; n++) {
      for (let x = 0; x <= n; x++) {
        const ci = wilson(x, n)!;
        expect(ci.low).toBeGreaterThanOrEqual(0);
        expect(ci.high).toBeLessThanOrEqual(1);
        expect(ci.low).toBeLessThanOrEqual(x / n);
        expect(ci.high).toBeGreaterThanOrEqual(x / n);
      }
    }
  });
});

describe('cohensKappa', () => {
  // 2×2 table (rater A rows, rater B columns): yes/yes 20, yes/no 5, no/yes 10, no/no 15; n = 50.
  // p_o = (20 + 15)/50 = .7; A says yes .5, B says yes .6; p_e = .5·.6 + .5·.4 = .5; κ = (.7 − .5)/(1 − .5) = .4
  it('matches the hand-computed 2×2 example', () => {
    const pairs: [string, string][] = [
      ...Array.from({ length: 20 }, (): [string, string] => ['yes', 'yes']),
      ...Array.from({ length: 5 }, (): [string, string] => ['yes', 'no']),
      ...Array.from({ length: 10 }, (): [string, string] => ['no', 'yes']),
      ...Array.from({ length: 15 }, (): [string, string] => ['no', 'no']),
    ];
    const k = cohensKappa(pairs);
    expect(k.n).toBe(50);
    expect(k.observed).toBeCloseTo(0.7, 10);
    expect(k.expected).toBeCloseTo(0.5, 10);
    expect(k.kappa).toBeCloseTo(0.4, 10);
  });

  it('is 1 for perfect agreement, ≤ 0 for agreement at or below chance, undefined when chance is 1', () => {
    expect(cohensKappa([['a', 'a'], ['b', 'b']]).kappa).toBeCloseTo(1, 10);
    // p_o = 0, p_e = .5 → κ = −1
    expect(cohensKappa([['a', 'b'], ['b', 'a']]).kappa).toBeCloseTo(-1, 10);
    expect(cohensKappa([['a', 'a'], ['a', 'a']]).kappa).toBeNull();
    expect(cohensKappa([]).kappa).toBeNull();
  });
});

describe('stratifiedMean', () => {
  // S1: N = 10, values [0, 2]: ȳ = 1, s² = 2, fpc = 1 − 2/10 = .8, W = 10/40 = .25
  // S2: N = 30, values [0, 0, 1]: ȳ = 1/3, s² = ((1/3)²·2 + (2/3)²)/2 = 1/3, fpc = .9, W = .75
  // mean = .25·1 + .75·(1/3) = .5
  // var = .25²·.8·2/2 + .75²·.9·(1/3)/3 = .05 + .05625 = .10625; se = .325960
  // ci = .5 ± 1.959964·.325960 = .5 ± .638870 → [0 (floored), 1.138870]
  it('matches the hand-computed two-stratum example', () => {
    const est = stratifiedMean([
      { key: 'S1', population: 10, values: [0, 2] },
      { key: 'S2', population: 30, values: [0, 0, 1] },
    ]);
    expect(est.mean).toBeCloseTo(0.5, 10);
    expect(est.se).toBeCloseTo(0.32596, 5);
    expect(est.ci!.low).toBe(0);
    expect(est.ci!.high).toBeCloseTo(1.13887, 5);
    expect(est.coverage).toBe(1);
    expect(est.singletonStrata).toBe(0);
  });

  it('leaves unreviewed strata out and says so through coverage', () => {
    const est = stratifiedMean([
      { key: 'S1', population: 10, values: [2, 2] },
      { key: 'S2', population: 30, values: [] },
    ]);
    expect(est.mean).toBe(2);
    expect(est.coverage).toBeCloseTo(0.25, 10);
    expect(stratifiedMean([{ key: 'S', population: 5, values: [] }]).mean).toBeNull();
  });

  it('has no sampling variance when a stratum is reviewed in full (fpc = 0)', () => {
    const est = stratifiedMean([{ key: 'all', population: 3, values: [0, 1, 5] }]);
    expect(est.mean).toBe(2);
    expect(est.se).toBe(0);
  });

  // No residual in 10 of 100 notes: mean 0, se 0; rule of three: 3/10 · (1 − 10/100) = .27
  // A (N = 30) [0, 0, 0] and B (N = 10) [1, 3]: W = .75, .25; mean = .25·2 = .5
  //   var = .25²·(1 − 2/10)·2/2 = .05, se = .223607, 1.96·se = .438262
  //   A adds .75 · 3/3 · (1 − 3/30) = .675 → [.5 − .438262, .5 + .438262 + .675] = [.061738, 1.613262]
  it('never claims certainty from a stratum without variation (rule of three)', () => {
    const clean = stratifiedMean([{ key: 'S', population: 100, values: Array(10).fill(0) }]);
    expect(clean.mean).toBe(0);
    expect(clean.se).toBe(0);
    expect(clean.ci!.low).toBe(0);
    expect(clean.ci!.high).toBeCloseTo(0.27, 10);
    const mixed = stratifiedMean([
      { key: 'A', population: 30, values: [0, 0, 0] },
      { key: 'B', population: 10, values: [1, 3] },
    ]);
    expect(mixed.mean).toBeCloseTo(0.5, 10);
    expect(mixed.ci!.low).toBeCloseTo(0.061738, 5);
    expect(mixed.ci!.high).toBeCloseTo(1.613262, 5);
    // A census (every note reviewed) has nothing left to bound.
    expect(stratifiedMean([{ key: 'S', population: 5, values: Array(5).fill(0) }]).ci).toEqual({ low: 0, high: 0 });
  });

  it('counts strata with a single reviewed note', () => {
    expect(stratifiedMean([{ key: 'S', population: 9, values: [3] }]).singletonStrata).toBe(1);
  });
});
