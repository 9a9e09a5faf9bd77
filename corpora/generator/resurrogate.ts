/**
 * Re-surrogation of annotated notes: every gold span is swapped for a fresh value of its
 * kind (names, places from public pools; dates and phones keep their written format with
 * new digits), keeping the case style of the original, and offsets are recomputed. The
 * model then sees the real contexts with ever-changing values, so it learns contexts, not
 * names. The original PHI strings are only looked at for their shape (word count, case,
 * digit layout); they never become values.
 */
import { Values, caseStyleOf, applyCase } from './values.js';
import type { AnnotatedNote, AnnotatedSpan, NerLabel } from './notes.js';

export interface GoldSpan {
  start: number;
  end: number;
  label: string;
  subtype?: string;
}
export interface GoldNote {
  id: string;
  text: string;
  spans: GoldSpan[];
}

const LABEL_MAP: Record<string, NerLabel> = {
  NAME: 'NAME', LOCATION: 'LOCATION', DATE: 'DATE', CONTACT: 'CONTACT', AGE: 'AGE', ID: 'ID',
  PROFESSION: 'PROFESSION', ORGANIZATION: 'ORGANIZATION', OTHER: 'ID',
};

/** Gold marks each word of a multi-word name on its own; join neighbours split only by blanks. */
export function mergeAdjacent(text: string, spans: readonly GoldSpan[]): GoldSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: GoldSpan[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (prev && s.start < prev.end) continue;
    if (prev && prev.label === s.label && /^[ \t]{1,2}$/.test(text.slice(prev.end, s.start))) {
      out[out.length - 1] = { ...prev, end: s.end };
    } else out.push({ ...s });
  }
  return out;
}

const MONTH_RE = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?$/i;

/** Same written shape, new value: digits re-drawn within plausible ranges, month names re-drawn. */
function reshapeDate(v: Values, orig: string): string {
  if (/^\d{4}$/.test(orig)) return String(v.year());
  const m = /^(\d{1,2})([/.-])(\d{1,2})(?:([/.-])(\d{2}|\d{4}))?$/.exec(orig);
  if (m) {
    const pad = (n: number, like: string) => (like.length === 2 ? String(n).padStart(2, '0') : String(n));
    let s = `${pad(v.int(1, 12), m[1]!)}${m[2]}${pad(v.int(1, 28), m[3]!)}`;
    if (m[5]) s += `${m[4]}${m[5].length === 4 ? v.year() : String(v.int(0, 99)).padStart(2, '0')}`;
    return s;
  }
  return orig.replace(/[A-Za-z]+\.?|\d/g, (tok) => {
    if (/^\d$/.test(tok)) return String(v.int(0, 9));
    if (MONTH_RE.test(tok)) {
      const name = v.monthName(tok.replace('.', '').length <= 3);
      return applyCase(name, caseStyleOf(tok)) + (tok.endsWith('.') ? '.' : '');
    }
    return tok;
  });
}

/** Phones and other numbers: keep separators, re-draw digits (first digit of a group not 0/1). */
function reshapeDigits(v: Values, orig: string): string {
  return orig.replace(/\d+/g, (run) =>
    run
      .split('')
      .map((_, i) => String(i === 0 ? v.int(2, 9) : v.int(0, 9)))
      .join(''),
  );
}

function reshapeAlnum(v: Values, orig: string): string {
  return orig.replace(/[A-Za-z]/g, (c) => {
    const l = v.f.string.alpha({ length: 1, casing: 'lower' });
    return c === c.toUpperCase() ? l.toUpperCase() : l;
  }).replace(/\d/g, () => String(v.int(0, 9)));
}

function nameLike(v: Values, orig: string): string {
  const words = orig.split(/\s+/).filter(Boolean);
  if (orig.includes(',')) return `${v.lastName()}, ${v.firstName()}`;
  if (words.length === 1) {
    if (/^[A-Za-z]\.?$/.test(orig)) return v.f.string.alpha({ length: 1, casing: 'upper' }) + (orig.endsWith('.') ? '.' : '');
    return v.chance(0.55) ? v.lastName() : v.firstName();
  }
  if (words.length === 2) return /^[A-Za-z]\.?$/.test(words[0]!) ? `${v.firstName()[0]}. ${v.lastName()}` : `${v.firstName()} ${v.lastName()}`;
  return `${v.firstName()} ${v.chance(0.5) ? `${v.f.string.alpha({ length: 1, casing: 'upper' })}.` : v.firstName()} ${v.lastName()}`;
}

function locationLike(v: Values, orig: string): string {
  const words = orig.split(/\s+/).filter(Boolean).length;
  if (/^[A-Z]{2,4}$/.test(orig)) return v.f.string.alpha({ length: orig.length, casing: 'upper' });
  if (/\d/.test(orig)) return v.ward();
  if (words === 1) {
    const r = v.int(0, 3);
    return r === 0 ? v.city() : r === 1 ? v.lastName() : r === 2 ? v.ward().split(' ')[0]! : v.hospital().split(' ')[0]!;
  }
  for (let i = 0; i < 8; i++) {
    const h = v.chance(0.7) ? v.hospital() : v.city();
    if (Math.abs(h.split(/\s+/).length - words) <= 1) return h;
  }
  return v.hospital();
}

export function surrogateFor(v: Values, label: NerLabel, orig: string): string {
  let value: string;
  switch (label) {
    case 'NAME': value = nameLike(v, orig); break;
    case 'LOCATION': value = locationLike(v, orig); break;
    case 'DATE': value = reshapeDate(v, orig); break;
    case 'CONTACT': value = reshapeDigits(v, orig); break;
    case 'AGE': value = v.oldAge(); break;
    case 'ORGANIZATION': value = v.organization(); break;
    case 'PROFESSION': value = v.profession(); break;
    default: value = reshapeAlnum(v, orig);
  }
  const style = caseStyleOf(orig);
  return style === 'mixed' && label !== 'ID' && /^[a-z]/.test(orig) ? value.toLowerCase() : applyCase(value, style);
}

export function resurrogate(v: Values, note: GoldNote, id: string): AnnotatedNote {
  const merged = mergeAdjacent(note.text, note.spans);
  let text = '';
  let cursor = 0;
  const spans: AnnotatedSpan[] = [];
  for (const s of merged) {
    const label = LABEL_MAP[s.label];
    if (!label) continue;
    text += note.text.slice(cursor, s.start);
    const value = surrogateFor(v, label, note.text.slice(s.start, s.end));
    spans.push({ start: text.length, end: text.length + value.length, label });
    text += value;
    cursor = s.end;
  }
  text += note.text.slice(cursor);
  return { id, style: 'resurrogated', text, spans };
}

/** The patient split's defaults (`resurrogate --split-seed`, `--val-fraction`): the validation split of the models up to v12. */
export const SPLIT_SEED = 20261123;
export const VALIDATION_FRACTION = 0.2;

/** Patient-level split: patient ids sorted, shuffled with a fixed seed, the first `fraction` held out. */
export function splitPatients(noteIds: readonly string[], seed: number, fraction: number): Set<string> {
  const patients = [...new Set(noteIds.map((id) => id.split('-')[0]!))].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  const v = new Values(seed);
  const shuffled = v.f.helpers.shuffle(patients);
  return new Set(shuffled.slice(0, Math.round(patients.length * fraction)));
}
