import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import { keepSpans } from '../../../src/detect/ner/index.js';

// ID: a label with no check of its own, so the letter/number rules are what is tested
const span = (start: number, end: number, score: number, label: Span['label'] = 'ID'): Span => ({ start, end, label, source: 'ner/phi-ner', score });

describe('keepSpans: which NER spans survive', () => {
  const text = 'seen 3/14 by Dr Ames at 0830, bp 120/80 - ok';
  //            0123456789012345678901234567890123456789012345

  it('keeps spans with a letter at any score, numbers only at the numeric threshold, punctuation never', () => {
    const spans = [span(5, 9, 0.6), span(16, 20, 0.51), span(24, 28, 0.95), span(33, 39, 0.7), span(40, 41, 0.99)];
    expect(keepSpans(spans, text, { numericThreshold: 0.9 }).map((s) => text.slice(s.start, s.end))).toEqual(['Ames', '0830']);
    expect(keepSpans(spans, text, { numericThreshold: 0.5 }).map((s) => text.slice(s.start, s.end))).toEqual(['3/14', 'Ames', '0830', '120/80']);
  });

  it('is a filter: a subset in order, every span with a letter kept, none without a letter or digit', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(60), fc.nat(10), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (t, raw, numeric) => {
          const spans = raw
            .map(([a, len, score]) => span(Math.min(a, t.length), Math.min(a + len + 1, t.length), score))
            .filter((s) => s.start < s.end);
          const kept = keepSpans(spans, t, { numericThreshold: numeric });
          expect(kept.every((s) => spans.includes(s))).toBe(true);
          for (const s of spans) {
            const body = t.slice(s.start, s.end);
            const expected = /\p{L}/u.test(body) || (/\p{N}/u.test(body) && s.score >= numeric);
            expect(kept.includes(s)).toBe(expected);
          }
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  it('a name or place made only of plain words needs the plain-word threshold; other labels and mixed spans do not', () => {
    const t = 'Elbow pain, Fentanyl given, Dr Ames Elbow saw pt, period.';
    const plainWords = new Set(['elbow', 'pain', 'fentanyl', 'given', 'period', 'saw']);
    const named = (start: number, end: number, score: number, label: Span['label'] = 'NAME'): Span => ({ ...span(start, end, score), label });
    const spans = [named(0, 5, 0.6), named(12, 20, 0.95, 'LOCATION'), named(28, 41, 0.6), named(50, 56, 0.6, 'DATE')];
    const rules = { numericThreshold: 0.5, plainWords, plainWordThreshold: 0.9 };
    expect(keepSpans(spans, t, rules).map((s) => t.slice(s.start, s.end))).toEqual(['Fentanyl', 'Dr Ames Elbow', 'period']);
    expect(keepSpans(spans, t, { ...rules, plainWords: undefined })).toEqual(spans);
  });

  it('a date span with letters but no form of a date needs the numeric threshold; dated forms do not', () => {
    const dates = ['propofol 40', 'sats of 93 4', 'period', 'x 16', 'augmented 86', 'decreased to 5', 'monitor 3', 'Labor Day', 'March 3', '3rd', 'last Tuesday', 'the 1980s', "fall of '84", '3/14 am', 'Christmas Eve', 'the twelfth'];
    const t = dates.join(' ; ');
    let at = 0;
    const spans = dates.map((d) => {
      const s = span(at, at + d.length, 0.6, 'DATE');
      at += d.length + 3;
      return s;
    });
    const kept = (numeric: number): string[] => keepSpans(spans, t, { numericThreshold: numeric }).map((s) => t.slice(s.start, s.end));
    // month and weekday words count whole or abbreviated, not as the start of another word (sats, augmented)
    expect(kept(0.9)).toEqual(dates.slice(7));
    expect(kept(0.5)).toEqual(dates);
  });

  it('drops age spans under 90 (Safe Harbor keeps them; the opt-in rules pack asks for them) and keeps 90 and over', () => {
    const t = 'a 63 yo man; 89 years old; aged 90; 104 yo; age ninety';
    const age = (text: string): Span => span(t.indexOf(text), t.indexOf(text) + text.length, 0.95, 'AGE');
    const spans = [age('63'), age('89 years old'), age('90'), age('104 yo'), age('ninety')];
    expect(keepSpans(spans, t, { numericThreshold: 0.9 }).map((s) => t.slice(s.start, s.end))).toEqual(['90', '104 yo', 'ninety']);
    // a policy that tags ages under 90 (surrogate.agesUnder90: tag) keeps them all
    expect(keepSpans(spans, t, { numericThreshold: 0.9, agesUnder90: true })).toEqual(spans);
  });
});
