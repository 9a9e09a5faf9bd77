import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutsToken, dropFieldLabels, dropSymbolOnly, keepClockTimesWhole, snapToTokens, splitAtLineBreaks, tidySpans, trimEdgePunctuation } from '../../src/core/hygiene.js';
import type { Label } from '../../src/core/labels.js';
import type { Span } from '../../src/core/span.js';

/** A span over the first occurrence of `find` in `text` (invented notes only). */
function at(text: string, find: string, label: Label = 'NAME'): Span {
  const start = text.indexOf(find);
  if (start < 0) throw new Error(`"${find}" not in the test text`);
  return { start, end: start + find.length, label, source: 'test/x', score: 0.9 };
}
const texts = (text: string, spans: readonly Span[]): string[] => spans.map((s) => text.slice(s.start, s.end));

describe('splitAtLineBreaks', () => {
  it.each([
    ['an address over two lines', 'Lives at 12 Oak St\nBoston MA 02118 now', '12 Oak St\nBoston MA 02118', ['12 Oak St', 'Boston MA 02118']],
    ['CRLF line ends and edge spaces', 'To: Ann Lee \r\n  Ward 7B\r\nthanks', 'Ann Lee \r\n  Ward 7B', ['Ann Lee', 'Ward 7B']],
    ['a blank line inside', 'Ann\n\nLee', 'Ann\n\nLee', ['Ann', 'Lee']],
    ['a span that is only a line break and spaces', 'x \n y', ' \n ', []],
  ])('%s', (_name, text, find, expected) => {
    expect(texts(text, splitAtLineBreaks([at(text, find, 'LOCATION')], text))).toEqual(expected);
  });

  it.each([
    ['one line', 'Seen by Ann Lee today', 'Ann Lee'],
    ['a tab inside', 'Ann\tLee', 'Ann\tLee'],
  ])('leaves a span without line breaks alone: %s', (_name, text, find) => {
    const s = at(text, find);
    expect(splitAtLineBreaks([s], text)).toEqual([s]);
  });
});

describe('keepClockTimesWhole', () => {
  it.each([
    ['a date that took the hour of the time after it', 'seen 3/4 10:15 in clinic', '3/4 10', '3/4 10:15'],
    ['a full date and a time with seconds', 'on 03/04/2021 9:05:30 ok', '03/04/2021 9', '03/04/2021 9:05:30'],
    ['a span that is only the hour', 'at 10:15 today', '10', '10:15'],
    ['a date that starts on the minutes of a time before it', 'at 10:15 3/4 ok', '15 3/4', '10:15 3/4'],
  ])('takes the whole time: %s', (_name, text, find, expected) => {
    expect(texts(text, keepClockTimesWhole([at(text, find, 'DATE')], text))).toEqual([expected]);
  });

  it.each([
    ['a date followed by a ratio-like colon', 'on 3/4 10:1 dilution', '3/4 10'],
    ['a date before a time it does not touch', 'in 2021 10:15', '2021'],
    ['a date with no time after it', 'on 3/4 10 mg', '3/4 10'],
  ])('leaves alone %s', (_name, text, find) => {
    const s = at(text, find, 'DATE');
    expect(keepClockTimesWhole([s], text)).toEqual([s]);
  });

  it('touches only dates: an ID ending in digits before ":15" stays as it is', () => {
    const text = 'code AB12:15';
    const s = at(text, 'AB12', 'ID');
    expect(keepClockTimesWhole([s], text)).toEqual([s]);
  });
});

describe('snapToTokens', () => {
  it.each([
    ['a name cut inside', 'Pt Kowalski seen', 'Kowal', 'Kowalski'],
    ['a name cut at both ends', 'Pt Kowalski seen', 'owals', 'Kowalski'],
    ['a number cut inside', 'MRN 4417092 on file', '41709', '4417092'],
    ['an accented name', 'Mme Hélène Côté', 'élène Cô', 'Hélène Côté'],
  ])('grows %s to whole tokens', (_name, text, find, expected) => {
    expect(texts(text, snapToTokens([at(text, find)], text))).toEqual([expected]);
  });

  it.each([
    ['a date glued to an abbreviation (letters, then digits)', 'ICU3/4 transfer', '3/4'],
    ['a hyphenated name part', 'Mary-Ann Lee', 'Ann Lee'],
    ['a possessive', "Lee's wife", 'Lee'],
    ['an age before its unit', '28-year-old', '28'],
  ])('leaves a span on token boundaries alone: %s', (_name, text, find) => {
    const s = at(text, find);
    expect(snapToTokens([s], text)).toEqual([s]);
  });

  it('cutsToken: only inside a run of letters or of digits', () => {
    const text = 'ab12 c';
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => cutsToken(text, i))).toEqual([false, true, false, true, false, false, false]);
  });
});

describe('dropSymbolOnly', () => {
  it.each([
    ['a lone hyphen', 'Seen by Dr Tvardovsky\n- tvardovsky', '-', []],
    ['punctuation and blanks', 'BP 120/80 , ok', ' , ', []],
    ['a letter', 'Pt: A - B', 'A - B', ['A - B']],
    ['a digit', 'room # 4', '# 4', ['# 4']],
    ['a non-Latin letter', 'видел Иван', 'Иван', ['Иван']],
  ])('%s', (_name, text, find, expected) => {
    expect(texts(text, dropSymbolOnly([at(text, find)], text))).toEqual(expected);
  });
});

describe('dropFieldLabels', () => {
  it.each([
    ['Name: before a name', 'Name: Ann Lee', 'Name: Ann Lee', ['Ann Lee']],
    ['a label with # and spaces', 'Phone #:  617-555-0142', 'Phone #:  617-555-0142', ['617-555-0142']],
    ['lower case', 'dob: 3/4/1950', 'dob: 3/4/1950', ['3/4/1950']],
    ['a span that is only the label', 'Email: x', 'Email:', []],
    ['a two-word label', 'Date of birth: 3/4/1950', 'Date of birth: 3/4/1950', ['3/4/1950']],
  ])('%s', (_name, text, find, expected) => {
    expect(texts(text, dropFieldLabels([at(text, find, 'CONTACT')], text))).toEqual(expected);
  });

  it.each([
    ['a name followed by a colon', 'Dr Smith: called back', 'Smith: called'],
    ['a label word without a colon', 'Name Ann Lee', 'Name Ann Lee'],
    ['a label word later in the span', 'Ann Lee, phone: 5', 'Ann Lee, phone: 5'],
  ])('keeps %s', (_name, text, find) => {
    const s = at(text, find);
    expect(dropFieldLabels([s], text)).toEqual([s]);
  });
});

// Generated notes: words of letters and digits, separators that include line breaks, colons and
// clock times; spans anywhere.
const noteArb = fc
  .array(fc.constantFrom('Ann', 'Lee', 'O', '4417', '3/4', '10:15', 'Name:', ' ', ' ', '\n', '\r\n', ', ', '-', 'é', ':'), { minLength: 1, maxLength: 30 })
  .map((parts) => parts.join(''));
const spansArb = (length: number): fc.Arbitrary<Span[]> =>
  fc.array(
    fc.tuple(fc.nat(length), fc.nat(length), fc.constantFrom<Label>('NAME', 'DATE', 'CONTACT', 'LOCATION')).map(([a, b, label]) => ({
      start: Math.min(a, b),
      end: Math.max(a, b),
      label,
      source: 'test/gen',
      score: 0.5,
    })),
    { maxLength: 6 },
  ).map((ss) => ss.filter((s) => s.end > s.start));
const caseArb = noteArb.chain((text) => spansArb(text.length).map((spans) => ({ text, spans })));

describe('tidySpans: invariants', () => {
  it('no span crosses a line break, starts or ends inside a token, takes half a clock time or starts on a field label; spans are sorted and disjoint', () => {
    fc.assert(
      fc.property(caseArb, ({ text, spans }) => {
        const out = tidySpans(spans, text);
        out.forEach((s, i) => {
          expect(s.end).toBeGreaterThan(s.start);
          expect(text.slice(s.start, s.end)).not.toMatch(/[\r\n]/);
          expect(cutsToken(text, s.start)).toBe(false);
          expect(cutsToken(text, s.end)).toBe(false);
          expect(text.slice(s.start, s.end)).not.toMatch(/^name\s*#?\s*:/i);
          if (s.label === 'DATE') {
            expect(/\d$/.test(text.slice(s.start, s.end)) && /^:[0-5]\d(?!\d)/.test(text.slice(s.end))).toBe(false);
            expect(/^[0-5]\d/.test(text.slice(s.start, s.end)) && /(?<!\d)\d{1,2}:$/.test(text.slice(0, s.start))).toBe(false);
          }
          if (i > 0) expect(out[i - 1]!.end).toBeLessThan(s.start);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('recall first: every letter or digit a span covered stays covered, except a field label', () => {
    fc.assert(
      fc.property(caseArb, ({ text, spans }) => {
        const out = tidySpans(spans, text);
        const covered = (i: number): boolean => out.some((s) => s.start <= i && i < s.end);
        for (const s of spans) {
          for (let i = s.start; i < s.end; i++) {
            if (!/[\p{L}\p{N}]/u.test(text[i]!) || covered(i)) continue;
            // Not covered any more: it must be part of a field label.
            const around = text.slice(Math.max(0, i - 14), i + 8);
            expect(/name\s*:/i.test(around), `lost ${JSON.stringify(text[i])} at ${i}`).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(caseArb, ({ text, spans }) => {
        const once = tidySpans(spans, text);
        expect(tidySpans(once, text)).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('trimEdgePunctuation', () => {
  const span = (start: number, end: number): Span => ({ start, end, label: 'DATE', source: 'x', score: 1 });
  it.each([
    ['seen 3/4/2021, call', 5, 14, '3/4/2021'],
    ['to Mara Quill; then', 3, 14, 'Mara Quill'],
    ['a ,Quill b', 2, 8, 'Quill'],
    ['Dr. Quill.', 0, 10, 'Dr. Quill.'], // a period may belong to the name (Dr., St., Jr.)
    ['x 12 y', 1, 5, '12'],
  ])('%j [%i, %i) -> %j', (text, start, end, want) => {
    const [s] = trimEdgePunctuation([span(start, end)], text);
    expect(text.slice(s!.start, s!.end)).toBe(want);
  });

  it('a span of only commas and blanks becomes empty, and tidySpans drops it', () => {
    expect(tidySpans([span(3, 5)], 'ab , cd')).toEqual([]);
  });
});
