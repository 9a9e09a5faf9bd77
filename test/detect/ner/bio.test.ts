import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupEntities, parseLabelScheme, softmaxInPlace, type NotePredictions } from '../../../src/detect/ner/bio.js';

const LABELS = ['O', 'B-NAME', 'I-NAME', 'B-DATE', 'I-DATE'];
const scheme = parseLabelScheme(LABELS, 'test');
const SOURCE = 'ner/test';

interface WordPrediction {
  start: number;
  end: number;
  probs: number[];
}

/** A word at [start, end) whose probabilities are given per label name (the rest is O). */
function word(start: number, end: number, p: Partial<Record<(typeof LABELS)[number], number>> = {}): WordPrediction {
  const probs = LABELS.map((l) => p[l] ?? 0);
  probs[0] = Math.max(0, 1 - probs.slice(1).reduce((a, b) => a + b, 0));
  return { start, end, probs };
}

/** Packs words into the flat matrix the grouper reads; `skip` marks words without pieces. */
function note(words: readonly WordPrediction[], skip: ReadonlySet<number> = new Set()): NotePredictions {
  return {
    words,
    probs: Float64Array.from(words.flatMap((w) => w.probs)),
    predicted: Uint8Array.from(words, (_, i) => (skip.has(i) ? 0 : 1)),
  };
}

const group = (words: readonly WordPrediction[], threshold: number) => groupEntities(note(words), scheme, threshold, SOURCE);

const extents = (words: WordPrediction[], threshold = 0.5): [number, number, string][] =>
  group(words, threshold).map((s) => [s.start, s.end, s.label]);

describe('parseLabelScheme', () => {
  it('reads O and BIO labels', () => {
    expect(scheme.outside).toBe(0);
    expect(scheme.types).toEqual(['NAME', 'DATE']);
    expect(scheme.begin).toEqual([false, true, false, true, false]);
  });
  it.each([
    [['B-NAME', 'I-NAME']], // no O
    [['O', 'O', 'B-NAME']], // O twice
    [['O', 'B-PERSON']], // not one of our labels
    [['O', 'X-NAME']], // not B/I
    [['O', 'B-name']], // labels are upper case
  ])('rejects %j with E032', (labels) => {
    expect(() => parseLabelScheme(labels, 'config.json')).toThrow(/^E032 config\.json/);
  });
});

describe('softmaxInPlace', () => {
  it('sums to one and keeps order, even for large logits', () => {
    const p = Float64Array.from([1000, 1001, 999, 0]);
    softmaxInPlace(p, 0, 4);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[1]!).toBeGreaterThan(p[0]!);
    expect(p[0]!).toBeGreaterThan(p[2]!);
  });
  it('touches only its row', () => {
    const p = Float32Array.from([9, 9, 0, 0]);
    softmaxInPlace(p, 2, 2);
    expect(Array.from(p)).toEqual([9, 9, 0.5, 0.5]);
  });
});

describe('groupEntities', () => {
  it.each<[string, WordPrediction[], [number, number, string][]]>([
    ['a B I name joins across the space', [word(0, 4, { 'B-NAME': 0.9 }), word(5, 10, { 'I-NAME': 0.9 })], [[0, 10, 'NAME']]],
    ['an I after punctuation that is also I joins', [word(0, 5, { 'B-NAME': 0.9 }), word(5, 6, { 'I-NAME': 0.8 }), word(7, 11, { 'I-NAME': 0.9 })], [[0, 11, 'NAME']]],
    ['a B after a B of the same type still joins (B/I choice does not split)', [word(0, 4, { 'B-NAME': 0.9 }), word(5, 9, { 'B-NAME': 0.9 })], [[0, 9, 'NAME']]],
    ['a label change splits', [word(0, 4, { 'B-NAME': 0.9 }), word(5, 9, { 'I-DATE': 0.9 })], [[0, 4, 'NAME'], [5, 9, 'DATE']]],
    ['mass split across B and I still counts (1 − P(O) ≥ threshold)', [word(0, 4, { 'B-NAME': 0.3, 'I-NAME': 0.3 })], [[0, 4, 'NAME']]],
    ['label is the type with the most B+I mass', [word(0, 4, { 'B-NAME': 0.35, 'B-DATE': 0.2, 'I-DATE': 0.2 })], [[0, 4, 'DATE']]],
  ])('positive: %s', (_name, words, expected) => {
    expect(extents(words)).toEqual(expected);
  });

  it.each<[string, WordPrediction[], [number, number, string][]]>([
    ['all O', [word(0, 4), word(5, 9)], []],
    ['below threshold', [word(0, 4, { 'B-NAME': 0.49 })], []],
    ['an O word between names breaks the span', [word(0, 4, { 'B-NAME': 0.9 }), word(5, 8), word(9, 13, { 'I-NAME': 0.9 })], [[0, 4, 'NAME'], [9, 13, 'NAME']]],
    ['no words', [], []],
    ['an O word alone', [word(0, 1)], []],
    ['low mass spread thin stays O', [word(0, 4, { 'B-NAME': 0.1, 'I-NAME': 0.1, 'B-DATE': 0.1, 'I-DATE': 0.1 })], []],
  ])('negative: %s', (_name, words, expected) => {
    expect(extents(words)).toEqual(expected);
  });

  it('a word without pieces is skipped: it neither joins nor breaks a span', () => {
    const words = [word(0, 4, { 'B-NAME': 0.9 }), word(5, 6), word(7, 11, { 'I-NAME': 0.9 })];
    expect(groupEntities(note(words, new Set([1])), scheme, 0.5, SOURCE).map((s) => [s.start, s.end])).toEqual([[0, 11]]);
    expect(groupEntities(note(words, new Set([0, 2])), scheme, 0.5, SOURCE)).toEqual([]);
  });

  it('spans carry the source, a score in [0, 1] and a text-free explanation', () => {
    const [s] = group([word(0, 4, { 'B-NAME': 0.8 })], 0.5);
    expect(s).toMatchObject({ source: SOURCE, label: 'NAME' });
    expect(s!.score).toBeCloseTo(0.8, 9);
    expect(s!.explanation).toMatch(/^ner NAME p=0\.80 over 1 word$/);
  });

  const predictionsArb = fc
    .array(
      fc.record({
        gap: fc.integer({ min: 0, max: 3 }),
        len: fc.integer({ min: 1, max: 6 }),
        weights: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: LABELS.length, maxLength: LABELS.length }),
      }),
      { maxLength: 40 },
    )
    .map((rows) => {
      let at = 0;
      return rows.map(({ gap, len, weights }) => {
        const start = at + gap;
        at = start + len;
        const sum = weights.reduce((a, b) => a + b, 0) || 1;
        return { start, end: start + len, probs: weights.map((w) => w / sum) };
      });
    });

  const covered = (words: WordPrediction[], threshold: number): Set<number> => {
    const set = new Set<number>();
    for (const s of group(words, threshold)) for (let i = s.start; i < s.end; i++) set.add(i);
    return set;
  };

  it('output spans are sorted, never overlap, and each starts and ends on a word', () => {
    fc.assert(
      fc.property(predictionsArb, fc.double({ min: 0, max: 1, noNaN: true }), (words, threshold) => {
        const spans = group(words, threshold);
        const starts = new Set(words.map((w) => w.start));
        const ends = new Set(words.map((w) => w.end));
        spans.forEach((s, i) => {
          expect(s.end).toBeGreaterThan(s.start);
          expect(starts.has(s.start) && ends.has(s.end)).toBe(true);
          if (i > 0) expect(s.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
        });
      }),
    );
  });

  it('a lower threshold never covers fewer characters', () => {
    fc.assert(
      fc.property(predictionsArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (words, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const low = covered(words, lo);
        for (const i of covered(words, hi)) expect(low.has(i)).toBe(true);
      }),
    );
  });
});
