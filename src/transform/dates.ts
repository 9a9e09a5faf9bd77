import { keyedStream, type SecretKey } from './keyed.js';
import { sameIgnoringCase } from './surrogate/shape.js';
import { CONFIG_DEFAULTS } from '../core/config.js';

/**
 * Per-patient date shifting. Each scope (patient) gets one offset in days, a keyed function of
 * (key, scope), never 0. Every date is parsed in its own format, shifted, and written back in
 * that same format (3/4/2021, 03-04-21, 2021-03-04, March 4th, 4 Mar 2021, "March of 2021",
 * JAN 2ND, 8/23, nov.), so all day-precise intervals of one patient are preserved exactly.
 *
 * Precision rules (documented choices):
 *  - day-precise dates move by the offset in days;
 *  - month-precise dates ("March 2021", "nov.") move by the offset rounded to whole months,
 *    at least one, so they never come back unchanged;
 *  - year-only dates ("1957", '95) move by the offset rounded to whole years, at least one.
 *  - dates without a year (8/23, March 4th) are placed in `referenceYear` (default 2000, a
 *    leap year, so 2/29 parses and intervals among year-less dates stay exact).
 *  - numeric dates are read month-first (US notes) unless the first field is > 12 and the
 *    second ≤ 12, which can only be day-first.
 * Anything that does not parse as a valid calendar date (2/30, a bare "13", "11th", "1980s")
 * returns undefined: the caller must then tag it, never keep the original.
 */

export interface DateShiftOptions {
  readonly minDays: number;
  readonly maxDays: number;
  /** Round the offset to whole weeks so weekdays survive. */
  readonly keepWeekday: boolean;
  /** Safe Harbor generalization: write only the year (unshifted); year-less dates are tagged. */
  readonly yearOnly: boolean;
  /**
   * Year-only mode: years before this one are tagged, since a year more than 89 years back
   * implies an age over 89, which Safe Harbor aggregates. Unset: no floor.
   */
  readonly minYear?: number;
  readonly referenceYear: number;
}

/** The config's date-shift defaults (src/core/config.ts); unset `yearOnly` means the preset decides, here no. */
export const DEFAULT_DATE_SHIFT: DateShiftOptions = { ...CONFIG_DEFAULTS.surrogate.dateShift, yearOnly: false };

/** The candidate offsets: the configured range without 0 (and only whole weeks if asked). */
function candidateOffsets(options: DateShiftOptions): { count: number; at: (i: number) => number } {
  const { minDays, maxDays, keepWeekday } = options;
  if (!Number.isInteger(minDays) || !Number.isInteger(maxDays) || minDays > maxDays) {
    throw new RangeError(`E105 date shift range [${minDays}, ${maxDays}] is empty or not whole days`);
  }
  const values: number[] = [];
  const step = keepWeekday ? 7 : 1;
  const first = Math.ceil(minDays / step) * step;
  for (let v = first; v <= maxDays; v += step) if (v !== 0) values.push(v);
  if (values.length === 0) throw new RangeError(`E106 date shift range [${minDays}, ${maxDays}] has no non-zero ${keepWeekday ? 'whole-week ' : ''}offset`);
  return { count: values.length, at: (i) => values[i]! };
}

/** The patient's offset in days: keyed by (key, scope), uniform over the non-zero range. */
export function patientOffsetDays(key: SecretKey, scope: string, options: DateShiftOptions = DEFAULT_DATE_SHIFT): number {
  const c = candidateOffsets(options);
  return c.at(keyedStream(key, 'date/offset', scope).int(c.count));
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const MON = '(?<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const WD = '(?:(?<wd>mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\\.?,?\\s+)?';
const DAY = '(?<d>\\d{1,2})(?<ord>st|nd|rd|th)?';

type Precision = 'day' | 'month' | 'year';

interface Parsed {
  readonly precision: Precision;
  /** Full year, or undefined when the text has none. */
  readonly year: number | undefined;
  readonly month: number;
  readonly day: number;
  readonly groups: RegExpIndicesArray['groups'];
  readonly match: RegExpExecArray;
  /** Numeric fields written day-first (23/8/2021). */
  readonly dayFirst: boolean;
}

const PATTERNS: readonly { re: RegExp; kind: 'iso' | 'numeric' | 'numeric-noyear' | 'month-year-numeric' | 'text' | 'year' }[] = [
  { re: /^(?<y>\d{4})(?<s>[-/.])(?<m>\d{1,2})\k<s>(?<d>\d{1,2})$/du, kind: 'iso' },
  { re: /^(?<a>\d{1,2})(?<s>[-/.])(?<b>\d{1,2})\k<s>(?<y>\d{4}|\d{2})$/du, kind: 'numeric' },
  { re: /^(?<m>\d{1,2})[-/](?<y>\d{4})$/du, kind: 'month-year-numeric' },
  { re: /^(?<a>\d{1,2})[-/](?<b>\d{1,2})$/du, kind: 'numeric-noyear' },
  { re: new RegExp(`^${WD}${MON}\\.?(?:\\s+the)?[\\s-]+${DAY}(?:(?:,\\s*|\\s+|-)(?<y>\\d{4}))?$`, 'diu'), kind: 'text' },
  { re: new RegExp(`^${WD}(?:the\\s+)?${DAY}(?:\\s+of)?[\\s-]+${MON}\\.?(?:(?:,\\s*|\\s+|-)(?<y>\\d{4}))?$`, 'diu'), kind: 'text' },
  { re: new RegExp(`^${MON}\\.?(?:\\s+of)?(?:,\\s*|\\s+|-)(?<y>\\d{4})$`, 'diu'), kind: 'text' },
  { re: new RegExp(`^${MON}\\.?$`, 'diu'), kind: 'text' },
  { re: /^'?(?<y>\d{4})$/du, kind: 'year' },
];
const TWO_DIGIT_YEAR = /^'?(?<y>\d{2})$/du;

function expandYear(text: string): number {
  const n = Number(text);
  return text.length === 2 ? (n < 50 ? 2000 + n : 1900 + n) : n;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function monthIndex(name: string): number {
  const n = name.toLowerCase().slice(0, 3);
  return MONTHS.findIndex((m) => m.toLowerCase().startsWith(n)) + 1;
}

function parseCore(core: string, subtype: string | undefined, referenceYear: number): Parsed | undefined {
  const isYearSubtype = /YEAR/iu.test(subtype ?? '');
  const candidates = isYearSubtype ? [...PATTERNS, { re: TWO_DIGIT_YEAR, kind: 'year' as const }] : PATTERNS;
  for (const { re, kind } of candidates) {
    const m = re.exec(core);
    if (!m) continue;
    const g = m.groups!;
    const year = g.y !== undefined ? expandYear(g.y) : undefined;
    let month = 1;
    let day = 1;
    let precision: Precision = 'day';
    let dayFirst = false;
    switch (kind) {
      case 'iso':
        month = Number(g.m);
        day = Number(g.d);
        break;
      case 'numeric':
      case 'numeric-noyear': {
        const a = Number(g.a);
        const b = Number(g.b);
        if (kind === 'numeric-noyear' && b > 31 && a >= 1 && a <= 12) {
          // 7/81: month and two-digit year.
          return valid({ precision: 'month', year: expandYear(g.b!), month: a, day: 1, groups: m.indices!.groups, match: m, dayFirst: false }, referenceYear);
        }
        dayFirst = a > 12 && b <= 12;
        month = dayFirst ? b : a;
        day = dayFirst ? a : b;
        break;
      }
      case 'month-year-numeric':
        month = Number(g.m);
        precision = 'month';
        break;
      case 'text':
        month = monthIndex(g.mon!);
        if (g.d !== undefined) day = Number(g.d);
        else precision = 'month';
        break;
      case 'year':
        precision = 'year';
        break;
    }
    return valid({ precision, year, month, day, groups: m.indices!.groups, match: m, dayFirst }, referenceYear);
  }
  return undefined;
}

function valid(p: Parsed, referenceYear: number): Parsed | undefined {
  if (p.precision === 'year') return p.year !== undefined && p.year >= 1000 ? p : undefined;
  if (p.month < 1 || p.month > 12) return undefined;
  if (p.precision === 'month') return p;
  const y = p.year ?? referenceYear;
  return p.day >= 1 && p.day <= daysInMonth(y, p.month) ? p : undefined;
}

/** Where the date itself sits in the span: surrounding spaces, brackets and commas stay put. */
function splitCore(text: string): { lead: string; core: string; trail: string } {
  const lead = /^[\s([{,;:]*/u.exec(text)![0];
  const rest = text.slice(lead.length);
  const trail = /[\s)\]},;:]*$/u.exec(rest)![0];
  return { lead, core: rest.slice(0, rest.length - trail.length), trail };
}

function ordinal(n: number): string {
  if (n % 100 >= 11 && n % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

function styleLike(original: string, rendered: string): string {
  if (original.length > 1 && original === original.toUpperCase()) return rendered.toUpperCase();
  if (original === original.toLowerCase()) return rendered.toLowerCase();
  return rendered;
}

function monthName(original: string, month: number): string {
  const full = MONTHS[month - 1]!;
  const o = original.toLowerCase();
  const isFull = MONTHS.some((m) => m.toLowerCase() === o);
  let out: string;
  if (isFull) out = full;
  else if (o === 'sept') out = month === 9 ? 'Sept' : full.slice(0, 3);
  else out = full.slice(0, 3);
  return styleLike(original, out);
}

function weekdayName(original: string, weekday: number): string {
  const full = WEEKDAYS[weekday]!;
  const isFull = WEEKDAYS.some((w) => w.toLowerCase() === original.toLowerCase());
  return styleLike(original, isFull ? full : full.slice(0, original.length >= 4 && original.toLowerCase() !== 'thur' ? original.length : 3));
}

function numberLike(original: string, value: number, padAll: boolean): string {
  return original.length === 2 && (original.startsWith('0') || padAll) ? String(value).padStart(2, '0') : String(value);
}

/** Writes the new (year, month, day) into the matched fields of the original core. */
function render(core: string, p: Parsed, y: number, mo: number, d: number): string {
  const groups = p.groups ?? {};
  const g = p.match.groups!;
  const padAll = ['a', 'b', 'm', 'd'].some((k) => g[k]?.startsWith('0'));
  const edits: { at: [number, number]; text: string }[] = [];
  const put = (name: string, text: string): void => {
    const at = groups[name];
    if (at) edits.push({ at, text });
  };
  if (g.y !== undefined) put('y', g.y.length === 2 ? String(((y % 100) + 100) % 100).padStart(2, '0') : String(y));
  if (g.a !== undefined) {
    put('a', numberLike(g.a, p.dayFirst ? d : mo, padAll));
    if (p.precision === 'month') put('b', String(((y % 100) + 100) % 100).padStart(2, '0'));
    else put('b', numberLike(g.b!, p.dayFirst ? mo : d, padAll));
  }
  if (g.m !== undefined) put('m', numberLike(g.m, mo, padAll));
  if (g.d !== undefined) put('d', numberLike(g.d, d, padAll));
  if (g.ord !== undefined) put('ord', styleLike(g.ord, ordinal(d)));
  if (g.mon !== undefined) put('mon', monthName(g.mon, mo));
  if (g.wd !== undefined) put('wd', weekdayName(g.wd, new Date(Date.UTC(y, mo - 1, d)).getUTCDay()));
  edits.sort((a, b) => b.at[0] - a.at[0]);
  let out = core;
  for (const e of edits) out = out.slice(0, e.at[0]) + e.text + out.slice(e.at[1]);
  return out;
}

function wholeUnits(offsetDays: number, unitDays: number): number {
  return Math.sign(offsetDays) * Math.max(1, Math.round(Math.abs(offsetDays) / unitDays));
}

/**
 * Shifts one date string by `offsetDays` and renders it in its own format. Returns undefined
 * when the text is not a date we can read unambiguously (the caller tags it instead).
 */
export function shiftDateText(
  text: string,
  offsetDays: number,
  options: DateShiftOptions = DEFAULT_DATE_SHIFT,
  subtype?: string,
): string | undefined {
  const { lead, core, trail } = splitCore(text);
  let parsed = parseCore(core, subtype, options.referenceYear);
  let coreText = core;
  let extra = '';
  if (!parsed && core.endsWith('.')) {
    // A sentence period after the date ("on 3/4/2021.").
    coreText = core.slice(0, -1);
    extra = '.';
    parsed = parseCore(coreText, subtype, options.referenceYear);
  }
  if (!parsed) return undefined;
  if (options.yearOnly) {
    if (parsed.year === undefined || (options.minYear !== undefined && parsed.year < options.minYear)) return undefined;
    return `${lead}${parsed.year}${extra}${trail}`;
  }
  const y0 = parsed.year ?? options.referenceYear;
  let rendered: string;
  if (parsed.precision === 'day') {
    const t = new Date(Date.UTC(y0, parsed.month - 1, parsed.day) + offsetDays * 86_400_000);
    rendered = render(coreText, parsed, t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
  } else if (parsed.precision === 'month') {
    const total = y0 * 12 + (parsed.month - 1) + wholeUnits(offsetDays, 30.436875);
    rendered = render(coreText, parsed, Math.floor(total / 12), (total % 12) + 1, 1);
  } else {
    rendered = render(coreText, parsed, y0 + wholeUnits(offsetDays, 365.2425), 1, 1);
  }
  // A year-less date shifted by a whole year can come back unchanged: tag it instead.
  if (sameIgnoringCase(rendered, coreText)) return undefined;
  return `${lead}${rendered}${extra}${trail}`;
}

/** Parses a date string to (year?, month, day, precision), for tests and eval. */
export function parseDateText(
  text: string,
  subtype?: string,
  referenceYear = DEFAULT_DATE_SHIFT.referenceYear,
): { precision: Precision; year: number | undefined; month: number; day: number } | undefined {
  let { core } = splitCore(text);
  let p = parseCore(core, subtype, referenceYear);
  if (!p && core.endsWith('.')) {
    core = core.slice(0, -1);
    p = parseCore(core, subtype, referenceYear);
  }
  return p && { precision: p.precision, year: p.year, month: p.month, day: p.day };
}

/**
 * The keyed shifter: holds only the key and options (no mapping state); the offset is
 * recomputed from (key, scope) on demand.
 */
export class DateShifter {
  constructor(
    private readonly key: SecretKey,
    readonly options: DateShiftOptions = DEFAULT_DATE_SHIFT,
  ) {
    candidateOffsets(options);
  }

  offsetDays(scope: string): number {
    return patientOffsetDays(this.key, scope, this.options);
  }

  /**
   * The shifted rendering, or undefined when the text must be tagged instead. `referenceYear`
   * (the note's own year, see `referenceYearOf`) places year-less dates so their intervals to the
   * note's dated entries survive the shift exactly, across 29 February too.
   */
  shift(text: string, scope: string, subtype?: string, referenceYear?: number): string | undefined {
    const options = referenceYear === undefined ? this.options : { ...this.options, referenceYear };
    return shiftDateText(text, this.offsetDays(scope), options, subtype);
  }
}

/**
 * The year of the first fully dated DATE span of a note (3/4/2021, 2021-03-04), or undefined.
 * Year-less dates in the same note ("March 18th", "8/23") are read in that year.
 */
export function referenceYearOf(
  text: string,
  spans: readonly { readonly start: number; readonly end: number; readonly label: string; readonly subtype?: string }[],
): number | undefined {
  for (const s of spans) {
    if (s.label !== 'DATE') continue;
    const p = parseDateText(text.slice(s.start, s.end), s.subtype);
    if (p && p.precision === 'day' && p.year !== undefined) return p.year;
  }
  return undefined;
}
