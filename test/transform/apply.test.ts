import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeSpans } from '../../src/core/merge.js';
import type { Span } from '../../src/core/span.js';
import { applyOperators } from '../../src/transform/apply.js';

const noteArb = fc.string({ minLength: 1, maxLength: 120, unit: 'grapheme-composite' });

function spansFor(text: string, cuts: readonly [number, number][]): Span[] {
  return mergeSpans(
    cuts
      .map(([a, b]) => {
        const start = Math.min(a, b) % text.length;
        const end = Math.min(text.length, start + 1 + (Math.max(a, b) % 10));
        return { start, end, label: 'NAME' as const, source: 'test', score: 1 };
      })
      .filter((s) => s.end > s.start),
  );
}

describe('applyOperators', () => {
  it('tags and masks with exact output offsets', () => {
    const text = 'Seen by Dr Adams on 3/4/2021.';
    const spans: Span[] = [
      { start: 11, end: 16, label: 'NAME', source: 't', score: 1 },
      { start: 20, end: 28, label: 'DATE', source: 't', score: 1 },
    ];
    const tagged = applyOperators(text, spans, { DEFAULT: 'tag' });
    expect(tagged.text).toBe('Seen by Dr [NAME] on [DATE].');
    for (const s of tagged.spans) expect(tagged.text.slice(s.outStart, s.outEnd)).toBe(`[${s.label}]`);
    const masked = applyOperators(text, spans, { DEFAULT: 'tag', DATE: 'mask' });
    expect(masked.text).toBe('Seen by Dr [NAME] on ********.');
  });

  it('refuses overlapping spans instead of producing garbled text', () => {
    const s: Span = { start: 0, end: 4, label: 'NAME', source: 't', score: 1 };
    expect(() => applyOperators('abcdefgh', [s, { ...s, start: 2, end: 6 }], { DEFAULT: 'tag' })).toThrow(/E002/);
  });

  it('characters outside spans are untouched and in order', () => {
    fc.assert(
      fc.property(noteArb, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }), (text, cuts) => {
        const spans = spansFor(text, cuts);
        const out = applyOperators(text, spans, { DEFAULT: 'tag' });
        let inCursor = 0;
        let outCursor = 0;
        for (const s of out.spans) {
          expect(out.text.slice(outCursor, s.outStart)).toBe(text.slice(inCursor, s.start));
          inCursor = s.end;
          outCursor = s.outEnd;
        }
        expect(out.text.slice(outCursor)).toBe(text.slice(inCursor));
      }),
    );
  });

  it('mask keeps the length and whitespace of the original', () => {
    fc.assert(
      fc.property(noteArb, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }), (text, cuts) => {
        const out = applyOperators(text, spansFor(text, cuts), { DEFAULT: 'mask' });
        expect(out.text.length).toBe(text.length);
        expect(out.text.replace(/\S/gu, '')).toBe(text.replace(/\S/gu, ''));
      }),
    );
  });
});
