import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, drawSample, lengthBounds, lengthKey, NO_SPANS, seededRandom, stratumOf, type PopulationNote } from '../../src/review/sample.js';

const note = (id: string, size: number, spans: [string, string][] = []): PopulationNote => ({
  id,
  size,
  spans: spans.map(([label, source]) => ({ label, source })),
});

describe('allocate', () => {
  it.each([
    // sizes, n, expected
    [[10, 30], 4, [1, 3]],
    [[10, 30], 40, [10, 30]],
    [[10, 30], 100, [10, 30]],
    [[1, 99], 10, [1, 9]],
    [[50, 30, 20], 10, [5, 3, 2]],
    [[5, 0, 5], 2, [1, 0, 1]],
    [[3, 9, 1], 2, [1, 1, 0]], // fewer draws than strata: the largest strata get one
    [[2, 2, 2], 1, [1, 0, 0]],
  ])('%j, n=%i → %j', (sizes, n, expected) => {
    expect(allocate(sizes, n)).toEqual(expected);
  });

  it('never exceeds a stratum, draws min(n, N) in all, and covers every stratum when n allows', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(40), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 200 }), (sizes, n) => {
        const out = allocate(sizes, n);
        const total = sizes.reduce((a, b) => a + b, 0);
        expect(out.reduce((a, b) => a + b, 0)).toBe(Math.min(n, total));
        out.forEach((k, i) => {
          expect(k).toBeGreaterThanOrEqual(0);
          expect(k).toBeLessThanOrEqual(sizes[i]!);
        });
        const nonEmpty = sizes.filter((s) => s > 0).length;
        if (n >= nonEmpty) for (const [i, s] of sizes.entries()) if (s > 0) expect(out[i]).toBeGreaterThan(0);
      }),
    );
  });
});

describe('stratumOf', () => {
  it.each([
    ['label', note('a', 1, [['NAME', 'x'], ['DATE', 'y'], ['NAME', 'z']]), 'NAME'],
    ['label', note('a', 1, [['NAME', 'x'], ['DATE', 'y']]), 'DATE'], // tie: label priority (DATE before NAME)
    ['label', note('a', 1), NO_SPANS],
    ['detector', note('a', 1, [['NAME', 'ner/x'], ['DATE', 'rules/d'], ['AGE', 'rules/d']]), 'rules/d'],
    ['detector', note('a', 1), NO_SPANS],
    ['none', note('a', 1, [['NAME', 'x']]), 'all'],
  ] as const)('%s: %j → %s', (by, n, expected) => {
    expect(stratumOf(n, by, [])).toBe(expected);
  });

  it('buckets lengths by quartiles', () => {
    const bounds = lengthBounds([10, 20, 30, 40, 50, 60, 70, 80]);
    expect(bounds).toEqual([30, 50, 70]);
    expect(lengthKey(10, bounds)).toBe('bytes 0-29');
    expect(lengthKey(30, bounds)).toBe('bytes 30-49');
    expect(lengthKey(69, bounds)).toBe('bytes 50-69');
    expect(lengthKey(80, bounds)).toBe('bytes >=70');
    expect(lengthBounds([5, 5, 5])).toEqual([]);
  });
});

describe('drawSample', () => {
  const population = Array.from({ length: 50 }, (_, i) =>
    note(`n${String(i).padStart(2, '0')}`, 100 + i * 10, i % 5 === 0 ? [] : [[i % 2 ? 'NAME' : 'DATE', 'rules/x']]),
  );

  it('is reproducible for a seed and independent of input order', () => {
    const a = drawSample(population, 12, 7, 'label');
    const b = drawSample([...population].reverse(), 12, 7, 'label');
    expect(b).toEqual(a);
    const c = drawSample(population, 12, 8, 'label');
    expect(c.picks.map((p) => p.id)).not.toEqual(a.picks.map((p) => p.id));
  });

  it('records strata whose weights add back up to the population', () => {
    for (const by of ['none', 'label', 'detector', 'length'] as const) {
      const d = drawSample(population, 12, 3, by);
      expect(d.picks).toHaveLength(12);
      expect(new Set(d.picks.map((p) => p.id)).size).toBe(12);
      expect(d.strata.reduce((a, s) => a + s.population, 0)).toBe(50);
      const weighted = d.picks.reduce((a, p) => a + p.weight, 0);
      expect(weighted).toBeCloseTo(50, 8);
      for (const s of d.strata) expect(d.picks.filter((p) => p.stratum === s.key)).toHaveLength(s.sampled);
    }
    expect(drawSample(population, 12, 3, 'label').strata.map((s) => s.key)).toEqual([NO_SPANS, 'DATE', 'NAME']);
  });

  it('takes everything when n is at least the population', () => {
    const d = drawSample(population, 500, 1, 'none');
    expect(d.picks.map((p) => p.id).sort()).toEqual(population.map((p) => p.id));
    expect(d.strata).toEqual([{ key: 'all', population: 50, sampled: 50, weight: 1 }]);
  });

  it('draws uniformly enough (each note ≈ n/N of 2,000 seeded draws)', () => {
    const small = population.slice(0, 10);
    const hits = new Map<string, number>();
    for (let seed = 0; seed < 2000; seed++) for (const p of drawSample(small, 3, seed, 'none').picks) hits.set(p.id, (hits.get(p.id) ?? 0) + 1);
    for (const n of small) expect(hits.get(n.id)! / 2000).toBeGreaterThan(0.25); // expected 0.3
    for (const n of small) expect(hits.get(n.id)! / 2000).toBeLessThan(0.35);
  });
});

describe('seededRandom', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
