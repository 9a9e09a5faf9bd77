import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import { keepSpans, trimSpans } from '../../../src/detect/ner/index.js';
import type { SpanTails } from '../../../src/lexicon/types.js';

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

  it('drops a date span that is one clock time (0415, 2200) and keeps years and dates', () => {
    const t = 'shift 0415-0700; at 2200; in 1998; 2015; on 3/4; 1845.';
    const date = (text: string): Span => span(t.indexOf(text), t.indexOf(text) + text.length, 0.95, 'DATE');
    const spans = [date('0415-'), date('2200'), date('1998'), date('2015'), date('3/4'), date('1845')];
    expect(keepSpans(spans, t, { numericThreshold: 0.9 }).map((s) => t.slice(s.start, s.end))).toEqual(['1998', '2015', '3/4']);
    // a time is a time under any label but DATE
    expect(keepSpans([{ ...date('2200'), label: 'ID' }], t, { numericThreshold: 0.9 })).toHaveLength(1);
  });
});

describe('trimSpans: the model spans cut back to the annotation convention', () => {
  const tails: SpanTails = {
    facilityHeads: [['hospital'], ['medical', 'center'], ['campus'], ['nursing', 'home']],
    namingWords: new Set(['the', 'general', 'memorial', 'of']),
    credentials: new Set(['rn', 'bsn', 'md']),
    abbreviations: new Set(['csru', 'micu', 'st']),
  };
  const plainWords = new Set(['returned', 'hand', 'today']);
  const run = (t: string, parts: [string, Span['label']][]): string[] => {
    const spans = parts.map(([p, label]) => span(t.indexOf(p), t.indexOf(p) + p.length, 0.9, label));
    return trimSpans(spans, t, tails, plainWords).map((s) => t.slice(s.start, s.end));
  };

  it('cuts generic facility words, credentials, lower-case plain words after a name and abbreviations after a date', () => {
    const t = 'From Pinecrest Medical Center to Oak campus, by jane doe bsn/rn. mr.okafor returned on 11/02 MICU; March 1 st.';
    expect(
      run(t, [
        ['Pinecrest Medical Center', 'LOCATION'],
        ['Oak campus', 'LOCATION'],
        ['jane doe bsn', 'NAME'],
        ['okafor returned', 'NAME'],
        ['11/02 MICU', 'DATE'],
        ['March 1 st', 'DATE'],
      ]),
    ).toEqual(['Pinecrest', 'Oak', 'jane doe', 'okafor', '11/02', 'March 1 st']);
  });

  it('keeps a span whole when cutting would leave only generic words, or nothing', () => {
    const t = 'At the General Hospital, then Memorial Hospital; Hospital; Smith Hand; Returned';
    expect(
      run(t, [
        ['the General Hospital', 'LOCATION'],
        ['Memorial Hospital', 'LOCATION'],
        ['Hospital;', 'LOCATION'],
        ['Smith Hand', 'NAME'],
        ['Returned', 'NAME'],
      ]),
    ).toEqual(['the General Hospital', 'Memorial Hospital', 'Hospital;', 'Smith Hand', 'Returned']);
  });

  it('never lengthens a span, never moves its start, and leaves other labels alone (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('Pinecrest', 'Hospital', 'medical', 'center', 'rn', 'returned', 'MICU', '11/02', 'Oak', ',', 'the'), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<Span['label']>('NAME', 'LOCATION', 'DATE', 'ID', 'ORGANIZATION'),
        (words, label) => {
          const t = words.join(' ');
          const s = span(0, t.length, 0.9, label);
          const [out] = trimSpans([s], t, tails, plainWords);
          expect(out!.start).toBe(0);
          expect(out!.end).toBeLessThanOrEqual(t.length);
          expect(out!.end).toBeGreaterThan(0);
          if (label === 'ID' || label === 'ORGANIZATION') expect(out).toBe(s);
          // the kept part starts with the first word, whatever was cut
          expect(t.slice(0, out!.end).startsWith(words[0]!.replace(/^,$/, ','))).toBe(true);
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });
});
