import { closest } from '../../core/config.js';
import { isLabel, LABELS, type Label } from '../../core/labels.js';
import type { Span } from '../../core/span.js';
import { nameForms, parsePersonName } from './names.js';
import { buildPhraseIndex, matchPhrases, type NoteWord, type Phrase, phraseWords as wordsOf } from './phrases.js';

/**
 * Known identifiers: what the record system already knows about a note's patient (names, MRN,
 * date of birth, address, phone), passed with the note. Each value is found in the note in the
 * forms notes write it (a name with its variants and slips, a date in its numeric and spelled
 * forms, an identifier or phone with any separators) and redacted, whatever the detectors say.
 * These values are PHI: they are never logged, never written to a manifest, audit or error.
 * Pure.
 */

/** A known value: the string, or the string with its subtype (a relative's name: `RELATIVE`). */
export type KnownValue = string | { readonly value: string; readonly subtype?: string };
export type KnownIdentifiers = Readonly<Partial<Record<Label, readonly KnownValue[]>>>;

export const KNOWN_SOURCE = 'site/known';

/** Keys a record may use for its known values (case-blind), and the label each means. */
const KEY_LABELS: Readonly<Record<string, readonly [Label, string]>> = {
  name: ['NAME', 'PATIENT'],
  names: ['NAME', 'PATIENT'],
  patient: ['NAME', 'PATIENT'],
  patient_name: ['NAME', 'PATIENT'],
  relative: ['NAME', 'RELATIVE'],
  relatives: ['NAME', 'RELATIVE'],
  mrn: ['ID', 'MRN'],
  id: ['ID', 'ID'],
  ids: ['ID', 'ID'],
  ssn: ['ID', 'SSN'],
  account: ['ID', 'ACCOUNT'],
  dob: ['DATE', 'DATE'],
  birth_date: ['DATE', 'DATE'],
  date: ['DATE', 'DATE'],
  dates: ['DATE', 'DATE'],
  address: ['LOCATION', 'LOCATION'],
  addresses: ['LOCATION', 'LOCATION'],
  city: ['LOCATION', 'CITY'],
  zip: ['LOCATION', 'ZIP'],
  phone: ['CONTACT', 'PHONE'],
  phones: ['CONTACT', 'PHONE'],
  fax: ['CONTACT', 'FAX'],
  email: ['CONTACT', 'EMAIL'],
  emails: ['CONTACT', 'EMAIL'],
  age: ['AGE', 'AGE'],
  other: ['OTHER', 'OTHER'],
};

/** What a record's known-identifier field holds, checked: an object of key → string, number or list of them. */
export type KnownParse = { readonly ok: true; readonly known: KnownIdentifiers } | { readonly ok: false; readonly reason: string };

/**
 * Reads a record's known-identifier field (`{"names": ["..."], "mrn": "...", "dob": "1950-03-04"}`;
 * a label name such as `NAME` works as a key too). The reason on failure names the key only when
 * it looks like a field name, never a value.
 */
export function readKnown(value: unknown): KnownParse {
  if (value === null || value === undefined) return { ok: true, known: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'is not an object of key: value(s)' };
  const known: Partial<Record<Label, KnownValue[]>> = {};
  for (const [rawKey, v] of Object.entries(value as Record<string, unknown>)) {
    const key = rawKey.toLowerCase();
    const mapped = KEY_LABELS[key] ?? (isLabel(rawKey) ? ([rawKey, undefined] as const) : undefined);
    if (mapped === undefined) {
      // The key is never repeated: a record system may well have put a name there.
      const hint = closest(rawKey, [...Object.keys(KEY_LABELS), ...LABELS]);
      return { ok: false, reason: `has an unknown key (${hint !== undefined ? `did you mean "${hint}"?` : 'not repeated: it could be PHI'})` };
    }
    const values = Array.isArray(v) ? v : [v];
    const strings: string[] = [];
    for (const x of values) {
      if (typeof x === 'string') strings.push(x);
      else if (typeof x === 'number' || typeof x === 'bigint') strings.push(String(x));
      else if (x !== null) return { ok: false, reason: `key "${key}" holds something other than strings or numbers` };
    }
    const [label, subtype] = mapped;
    const kept = strings.filter((s) => s.trim() !== '');
    known[label] = [...(known[label] ?? []), ...(subtype === undefined ? kept : kept.map((value) => ({ value, subtype })))];
  }
  return { ok: true, known };
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** The written forms of a date value (`1950-03-04`, `3/4/1950`, `March 4, 1950`): numeric with any separator, spelled, month/day alone. */
export function dateForms(value: string): string[] | undefined {
  const v = value.trim();
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/u.exec(v);
  let y: number, mo: number, d: number;
  if (m !== null) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$/u.exec(v);
    if (m === null) return undefined;
    [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (y < 100) y += y > 30 ? 1900 : 2000;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const yy = String(y % 100).padStart(2, '0');
  const months = [MONTHS[mo - 1]!, MONTHS[mo - 1]!.slice(0, 3)];
  const nums = [String(mo), String(mo).padStart(2, '0')].flatMap((M) => [String(d), String(d).padStart(2, '0')].map((D) => [M, D] as const));
  const forms = new Set<string>();
  for (const [M, D] of nums) {
    for (const sep of ['/', '-', '.']) {
      forms.add(`${M}${sep}${D}${sep}${y}`);
      forms.add(`${M}${sep}${D}${sep}${yy}`);
      forms.add(`${y}${sep}${M}${sep}${D}`);
    }
    forms.add(`${M}/${D}`);
  }
  for (const name of months) {
    for (const D of [String(d), `${d}${ordinal(d)}`]) {
      forms.add(`${name} ${D}, ${y}`);
      forms.add(`${name} ${D} ${y}`);
      forms.add(`${name}. ${D}, ${y}`);
      forms.add(`${D} ${name} ${y}`);
      forms.add(`${name} ${D}`);
    }
  }
  return [...forms];
}

function ordinal(n: number): string {
  if (n % 100 >= 11 && n % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');

/** A pattern for a code-like value (MRN, phone, SSN): its letters and digits in order, any few separators between them. */
function codePattern(value: string): string | undefined {
  const chars = [...value.replace(/^\+?1(?=\D*\d{10}\D*$)/u, '')].filter((c) => /[\p{L}\p{N}]/u.test(c));
  if (chars.filter((c) => /\p{N}/u.test(c)).length < 4) return undefined;
  return chars.map(escapeRegex).join('[\\s\\-./()]{0,3}');
}

interface KnownPattern {
  readonly label: Label;
  readonly subtype: string;
}

/**
 * The spans of a note's known identifiers. `words`: the note's words when the caller has them.
 * Scores are 1: the record system's word beats every detector and the site allow list.
 */
export function knownSpans(text: string, known: KnownIdentifiers, words?: readonly NoteWord[]): Span[] {
  const tags: KnownPattern[] = [];
  const phrases: Phrase[] = [];
  const regexParts: { source: string; tag: number }[] = [];
  const tagOf = new Map<string, number>();
  for (const [label, values] of Object.entries(known) as [Label, readonly KnownValue[]][]) {
    for (const item of values) {
      const value = typeof item === 'string' ? item : item.value;
      const subtype = (typeof item === 'string' ? undefined : item.subtype) ?? defaultSubtype(label);
      const tagKey = `${label}/${subtype}`;
      const tag = tagOf.get(tagKey) ?? tags.push({ label, subtype }) - 1;
      tagOf.set(tagKey, tag);
      if (label === 'NAME') {
        const name = parsePersonName(value);
        if (name !== undefined) for (const f of nameForms(name, { givenAlone: true })) phrases.push({ words: f.words, capital: f.capital, tag });
        continue;
      }
      const dates = label === 'DATE' ? dateForms(value) : undefined;
      const code = dates === undefined && label !== 'LOCATION' ? codePattern(value) : undefined;
      if (dates !== undefined) for (const d of dates) regexParts.push({ source: escapeRegex(d).replace(/ /gu, '\\s+'), tag });
      // A phone's area code may come in brackets, and a country code before it.
      else if (code !== undefined) regexParts.push({ source: label === 'CONTACT' ? `(?:\\+?1[\\s.-]?)?\\(?${code}` : code, tag });
      else {
        // Free text (an address, a place): the whole value and each comma-separated part.
        for (const part of [value, ...value.split(',')]) {
          const ws = part.trim() === '' ? [] : wordsOf(part);
          if (ws.length > 0 && ws.join('').length >= 3) phrases.push({ words: ws, tag });
        }
        if (value.includes('@')) regexParts.push({ source: escapeRegex(value.trim()), tag });
      }
    }
  }
  const out: Span[] = [];
  const push = (start: number, end: number, tag: number): void => {
    const { label, subtype } = tags[tag]!;
    if (end > start) out.push({ start, end, label, subtype, source: KNOWN_SOURCE, score: 1, explanation: 'known identifier of the note' });
  };
  if (phrases.length > 0) for (const m of matchPhrases(text, buildPhraseIndex(phrases), words)) push(m.start, m.end, m.tag);
  // One pattern per label and subtype, its forms longest first (`7/2/1961` before `7/2`): a form
  // inside a longer one found at the same place is covered by it. Whole values only: not inside a
  // longer number or word.
  for (const [tag, sources] of groupBy(regexParts)) {
    const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${sources.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
    for (const m of text.matchAll(re)) push(m.index, m.index + m[0].length, tag);
  }
  return out;
}

/** Each tag's pattern sources, unique, the longest first. */
function groupBy(parts: readonly { source: string; tag: number }[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const { source, tag } of parts) out.set(tag, [...(out.get(tag) ?? []), source]);
  for (const [tag, sources] of out) out.set(tag, [...new Set(sources)].sort((a, b) => b.length - a.length));
  return out;
}

function defaultSubtype(label: Label): string {
  return label === 'NAME' ? 'PATIENT' : label === 'ORGANIZATION' ? 'ORGANIZATION' : label === 'OTHER' ? 'OTHER' : label === 'CONTACT' ? 'PHONE' : label;
}
