import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABELS } from '../../src/core/labels.js';
import type { Span } from '../../src/core/span.js';
import { SpanStore } from '../../src/core/spanStore.js';

/** The compact span list gives back each span field for field, optional fields present exactly when they were. */

const spanArb: fc.Arbitrary<Span> = fc
  .record(
    {
      start: fc.integer({ min: 0, max: 2 ** 31 - 2 }),
      length: fc.integer({ min: 1, max: 1000 }),
      label: fc.constantFrom(...LABELS),
      subtype: fc.constantFrom('PHONE', 'SSN', 'DOCTOR'),
      source: fc.constantFrom('rules/us-ssn', 'ner/phi-ner', 'dictionaries/names'),
      score: fc.double({ min: 0, max: 1, noNaN: true }),
      explanation: fc.constantFrom('checksum ok', 'cue word "Dr."', ''),
      sources: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1 }).map((a) => a.sort()),
    },
    { requiredKeys: ['start', 'length', 'label', 'source', 'score'] },
  )
  .map(({ length, ...s }) => ({ ...s, end: Math.min(2 ** 31 - 1, s.start + length) }) as Span);

describe('SpanStore', () => {
  it('returns every span it was given, in order, equal to the original', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 3000 }), (spans) => {
        const store = new SpanStore();
        for (const s of spans) store.push(s);
        expect(store.length).toBe(spans.length);
        expect(store.slice(0, store.length)).toEqual(spans);
        if (spans.length > 0) {
          const i = spans.length - 1;
          expect([store.start(i), store.end(i)]).toEqual([spans[i]!.start, spans[i]!.end]);
          expect(Object.keys(store.get(i)).sort()).toEqual(Object.keys(spans[i]!).sort());
        }
      }),
      { numRuns: 50 },
    );
  });

  it('grows past its first capacity (1,024) without losing any span', () => {
    const store = new SpanStore();
    const spans: Span[] = Array.from({ length: 5000 }, (_, i) => ({ start: i * 3, end: i * 3 + 2, label: LABELS[i % LABELS.length]!, source: `d${i % 7}`, score: i / 5000 }));
    for (const s of spans) store.push(s);
    expect(store.slice(0, 5000)).toEqual(spans);
  });

  it('slices clamp to its length', () => {
    const store = new SpanStore();
    store.push({ start: 1, end: 2, label: 'NAME', source: 'x', score: 0.5 });
    expect(store.slice(0, 10)).toHaveLength(1);
    expect(store.slice(1, 10)).toEqual([]);
  });
});
