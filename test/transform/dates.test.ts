import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DateShifter, DEFAULT_DATE_SHIFT, parseDateText, patientOffsetDays, referenceYearOf, shiftDateText } from '../../src/transform/dates.js';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const DAY = 86_400_000;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

describe('shiftDateText: each format re-rendered in its own format', () => {
  // Offset -10 days throughout, so expected values are easy to check by hand.
  it.each([
    ['3/4/2021', '2/22/2021'],
    ['03-04-21', '02-22-21'],
    ['2021-03-04', '2021-02-22'],
    ['2021/03/04', '2021/02/22'],
    ['March 4th', 'February 23rd'], // year-less: reference year 2000 is a leap year
    ['March 4, 2021', 'February 22, 2021'],
    ['4 Mar 2021', '22 Feb 2021'],
    ['4th of March, 2021', '22nd of February, 2021'],
    ['JAN 2ND', 'DEC 23RD'],
    ['Jan 2nd', 'Dec 23rd'],
    ['jan. 12', 'jan. 2'],
    ['8/23', '8/13'],
    ['12/05/2021', '11/25/2021'],
    ['23/8/2021', '13/8/2021'], // first field > 12: day-first
    ['Sept 15, 2020', 'Sept 5, 2020'],
    ['Monday, March 8, 2021', 'Friday, February 26, 2021'],
    ['(3/4/2021)', '(2/22/2021)'],
    ['3/4/2021.', '2/22/2021.'],
    ['1/5/2021', '12/26/2020'],
    // Month precision: -10 days rounds to one whole month back.
    ['March of 2021', 'February of 2021'],
    ['Mar 2021', 'Feb 2021'],
    ['nov. ', 'oct. '],
    ['7/81', '6/81'],
    ['3/2021', '2/2021'],
    // Year precision: at least one whole year.
    ['1957', '1956'],
  ])('%s → %s', (input, expected) => {
    expect(shiftDateText(input, -10)).toBe(expected);
  });

  it.each([
    ['13'], // a bare day number
    ['11th'],
    ['2/30/2021'], // no such day
    ['13/13/2021'],
    ['0/4/2021'],
    ['1980s'],
    ['yesterday'],
    ['3.5'], // a decimal, not a date
    ['2021'.repeat(2)],
    ['77'], // a 2-digit number is only a year when the detector says so
    ['Smith'],
    [''],
  ])('%s is not shifted (caller tags it)', (input) => {
    expect(shiftDateText(input, -10)).toBeUndefined();
  });

  it('reads a two-digit year when the subtype says YEAR', () => {
    expect(shiftDateText('77', -400, DEFAULT_DATE_SHIFT, 'YEAR')).toBe('76');
    expect(shiftDateText("'95", -10, DEFAULT_DATE_SHIFT, 'DateYear')).toBe("'94");
  });

  it('tags a year-less date that a whole-year shift would bring back unchanged', () => {
    // 2000-01-10 minus 365 days is 1999-01-10: same month and day.
    expect(shiftDateText('1/10', -365)).toBeUndefined();
    expect(shiftDateText('1/10/2000', -365)).toBe('1/10/1999');
  });

  it('generalizes to the year only when asked, and tags year-less dates then', () => {
    const yearOnly = { ...DEFAULT_DATE_SHIFT, yearOnly: true };
    expect(shiftDateText('March 4, 2021', -10, yearOnly)).toBe('2021');
    expect(shiftDateText('03-04-21', -10, yearOnly)).toBe('2021');
    expect(shiftDateText('8/23', -10, yearOnly)).toBeUndefined();
  });
});

describe('patient offsets', () => {
  it('are keyed per patient, in range, never 0', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: -400, max: 0 }), fc.integer({ min: 0, max: 400 }), (scope, a, b) => {
        const options = { ...DEFAULT_DATE_SHIFT, minDays: a, maxDays: b };
        if (a === 0 && b === 0) {
          expect(() => patientOffsetDays(KEY, scope, options)).toThrow(/E106/);
          return;
        }
        const o = patientOffsetDays(KEY, scope, options);
        expect(o).not.toBe(0);
        expect(o).toBeGreaterThanOrEqual(a);
        expect(o).toBeLessThanOrEqual(b);
        expect(patientOffsetDays(KEY, scope, options)).toBe(o);
      }),
    );
  });

  it('spread over the range (different patients get different offsets)', () => {
    const offsets = new Set(Array.from({ length: 200 }, (_, i) => patientOffsetDays(KEY, `p${i}`)));
    expect(offsets.size).toBeGreaterThan(100);
  });

  it('keep the weekday when asked (whole weeks)', () => {
    const options = { ...DEFAULT_DATE_SHIFT, keepWeekday: true };
    for (let i = 0; i < 50; i++) expect(Math.abs(patientOffsetDays(KEY, `p${i}`, options)) % 7).toBe(0);
    expect(() => new DateShifter(KEY, { ...DEFAULT_DATE_SHIFT, minDays: -6, maxDays: -1, keepWeekday: true })).toThrow(/E106/);
    expect(() => new DateShifter(KEY, { ...DEFAULT_DATE_SHIFT, minDays: 1, maxDays: -1 })).toThrow(/E105/);
  });
});

/** Writes a date in one of the formats the shifter must round-trip (all with a year). */
const FORMATS: readonly ((d: Date) => string)[] = [
  (d) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`,
  (d) => `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}-${String(d.getUTCFullYear() % 100).padStart(2, '0')}`,
  (d) => d.toISOString().slice(0, 10),
  (d) => `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`,
  (d) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]!.slice(0, 3)} ${d.getUTCFullYear()}`,
  (d) => `${MONTHS[d.getUTCMonth()]!.toUpperCase()} ${d.getUTCDate()}TH ${d.getUTCFullYear()}`.replace(/(\d)TH/u, '$1TH'),
];

function toUtc(p: { year: number | undefined; month: number; day: number }, referenceYear = 2000): number {
  return Date.UTC(p.year ?? referenceYear, p.month - 1, p.day);
}

// Dates 1951–2048 so two-digit years read back in the same century.
const dateArb = fc.integer({ min: Date.UTC(1951, 0, 1) / DAY, max: Date.UTC(2048, 11, 31) / DAY }).map((d) => new Date(d * DAY));

describe('properties', () => {
  it('all pairwise intervals of a patient are preserved exactly, in any mix of formats', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 32 }),
        fc.string(),
        fc.array(fc.tuple(dateArb, fc.nat(FORMATS.length - 1)), { minLength: 2, maxLength: 8 }),
        (key, patient, dates) => {
          const shifter = new DateShifter(key);
          const days = dates.map(([d, f]) => {
            const text = FORMATS[f]!(d);
            const shifted = shifter.shift(text, patient);
            expect(shifted).toBeDefined();
            const back = parseDateText(shifted!);
            expect(back).toBeDefined();
            expect(back!.precision).toBe('day');
            return toUtc(back!) / DAY;
          });
          for (let i = 0; i < dates.length; i++) {
            for (let j = 0; j < dates.length; j++) {
              expect(days[i]! - days[j]!).toBe((dates[i]![0].getTime() - dates[j]![0].getTime()) / DAY);
            }
          }
          expect(days[0]! - dates[0]![0].getTime() / DAY).toBe(shifter.offsetDays(patient));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never yields an invalid date: month ends, Feb 29, year-less dates', () => {
    const edges: string[] = [];
    for (const y of [1999, 2000, 2020, 2021, 2100]) {
      for (let m = 1; m <= 12; m++) {
        const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
        for (const d of [1, 28, last]) edges.push(`${m}/${d}/${y}`, `${m}/${d}`, `${MONTHS[m - 1]} ${d}`);
      }
    }
    fc.assert(
      fc.property(fc.constantFrom(...edges), fc.integer({ min: -730, max: 730 }).filter((o) => o !== 0), (text, offset) => {
        const shifted = shiftDateText(text, offset);
        if (shifted === undefined) {
          // Only a year-less date may come back unchanged (a whole-year shift): tagged instead.
          expect(text).not.toMatch(/\d{4}/u);
          return;
        }
        const back = parseDateText(shifted);
        expect(back).toBeDefined();
        const y = back!.year ?? 2000;
        expect(back!.day).toBeLessThanOrEqual(new Date(Date.UTC(y, back!.month, 0)).getUTCDate());
        expect(shifted.toLowerCase()).not.toBe(text.toLowerCase());
      }),
      { numRuns: 500 },
    );
  });

  it('year-less dates move by the same number of days within the reference year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 }), fc.integer({ min: -365, max: -1 }), (dayOfYear, offset) => {
        const d = new Date(Date.UTC(2000, 0, 1) + dayOfYear * DAY);
        const shifted = shiftDateText(`${d.getUTCMonth() + 1}/${d.getUTCDate()}`, offset);
        const expected = new Date(d.getTime() + offset * DAY);
        if (shifted === undefined) {
          expect([expected.getUTCMonth(), expected.getUTCDate()]).toEqual([d.getUTCMonth(), d.getUTCDate()]);
          return;
        }
        expect(shifted).toBe(`${expected.getUTCMonth() + 1}/${expected.getUTCDate()}`);
      }),
    );
  });

  it('never returns the original text', () => {
    fc.assert(
      fc.property(dateArb, fc.nat(FORMATS.length - 1), fc.integer({ min: -365, max: -1 }), (d, f, offset) => {
        const text = FORMATS[f]!(d);
        expect(shiftDateText(text, offset)?.toLowerCase()).not.toBe(text.toLowerCase());
      }),
    );
  });
});

describe('year-less dates are read in the note’s own year (referenceYearOf)', () => {
  const span = (_text: string, sub: string, label = 'DATE') => {
    const start = NOTE.indexOf(sub);
    return { start, end: start + sub.length, label, subtype: 'DATE' };
  };
  const NOTE = 'Seen 3/4/2021, follow-up March 18th, labs 8/23.';

  it('takes the year of the first fully dated span and ignores year-less ones', () => {
    expect(referenceYearOf(NOTE, [span(NOTE, 'March 18th'), span(NOTE, '3/4/2021')])).toBe(2021);
    expect(referenceYearOf(NOTE, [span(NOTE, 'March 18th'), span(NOTE, '8/23')])).toBeUndefined();
    expect(referenceYearOf(NOTE, [span(NOTE, '3/4/2021', 'NAME')])).toBeUndefined();
  });

  it('keeps the exact interval between a dated entry and a year-less one, across 29 February', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1990, max: 2030 }),
        fc.integer({ min: 0, max: 364 }),
        fc.integer({ min: 0, max: 364 }),
        fc.string({ minLength: 1, maxLength: 12 }),
        (year, dayA, dayB, scope) => {
          const a = new Date(Date.UTC(year, 0, 1) + dayA * DAY);
          const b = new Date(Date.UTC(year, 0, 1) + dayB * DAY);
          if (a.getUTCFullYear() !== year || b.getUTCFullYear() !== year) return;
          const full = `${a.getUTCMonth() + 1}/${a.getUTCDate()}/${year}`;
          const yearless = `${MONTHS[b.getUTCMonth()]} ${b.getUTCDate()}`;
          const shifter = new DateShifter(KEY);
          const shiftedFull = shifter.shift(full, scope, 'DATE', year);
          const shiftedYearless = shifter.shift(yearless, scope, 'DATE', year);
          if (shiftedFull === undefined || shiftedYearless === undefined) return;
          const pf = parseDateText(shiftedFull)!;
          const offset = Date.UTC(pf.year!, pf.month - 1, pf.day) - a.getTime();
          // Read month and day in a leap year: the shift may land a year-less date on 29 February
          // of the (leap) year before, which the note's own year would refuse.
          const py = parseDateText(shiftedYearless, 'DATE', 2000)!;
          // The year-less date lands in the year the shift implies for it.
          const candidates = [year - 2, year - 1, year].map((y) => Date.UTC(y, py.month - 1, py.day) - b.getTime());
          expect(candidates).toContain(offset);
        },
      ),
      // Found by a CI run: 26 Feb read in 2025 lands on 29 Feb 2024.
      { examples: [[2025, 0, 56, "Ok'LF{=5JU("]] },
    );
  });
});
