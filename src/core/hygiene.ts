import { mergeOverlapping } from './merge.js';
import type { Span } from './span.js';

/**
 * Span hygiene, the last step after merging: the shapes a redacted note must never show,
 * whichever detector produced the span. Pure; recall-first (a span grows to a whole word, it is
 * cut only where the cut text is provably not PHI).
 *
 *   splitAtLineBreaks   a span never crosses a line break: it becomes one span per line, so a
 *                       tagged or masked note keeps its lines (a model that joins an address's
 *                       lines would otherwise eat the line breaks between them)
 *   snapToTokens        a span starts and ends on token boundaries: never inside a run of
 *                       letters or of digits (it grows to the whole run)
 *   keepClockTimesWhole a date never takes half a clock time: it takes the whole of it
 *   dropFieldLabels     a span never starts with a form's field label ("Name:", "Phone #:")
 *   dropSymbolOnly      a span holds at least one letter or digit (a model's lone "-" is no PHI)
 */

const LINE_BREAK = /\r\n|\r|\n|\u2028|\u2029/g;
const HAS_LINE_BREAK = /[\r\n\u2028\u2029]/;
const INNER_SPACE = /^\s+|\s+$/g;

/** One span per line: each piece is the span's stretch on that line without its edge whitespace. */
export function splitAtLineBreaks(spans: readonly Span[], text: string): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    const slice = text.slice(s.start, s.end);
    if (!HAS_LINE_BREAK.test(slice)) {
      out.push(s);
      continue;
    }
    let pieceStart = 0;
    for (const m of slice.matchAll(LINE_BREAK)) {
      pushTrimmed(out, s, slice, pieceStart, m.index);
      pieceStart = m.index + m[0].length;
    }
    pushTrimmed(out, s, slice, pieceStart, slice.length);
  }
  return out;
}

function pushTrimmed(out: Span[], s: Span, slice: string, from: number, to: number): void {
  const piece = slice.slice(from, to);
  const lead = piece.length - piece.replace(/^\s+/, '').length;
  const body = piece.replace(INNER_SPACE, '');
  if (body.length === 0) return;
  out.push({ ...s, start: s.start + from + lead, end: s.start + from + lead + body.length });
}

/** The rest of a clock time after its hour, and its start before its minutes: `10:15`, `9:05:30`. */
const MINUTES_AFTER = /^:[0-5]\d(?::[0-5]\d)?(?!\d)/;
const HOUR_BEFORE = /(?<!\d)\d{1,2}:$/;

/**
 * A DATE span that ends on a clock time's hour takes the rest of the time ("3/4 10" before
 * ":15" becomes "3/4 10:15"), one that starts on its minutes takes its hour: recall first, since
 * some annotation conventions count a date's time as part of it, and half a time is no shape at all.
 */
export function keepClockTimesWhole(spans: readonly Span[], text: string): Span[] {
  return spans.map((s) => {
    if (s.label !== 'DATE') return s;
    let { start, end } = s;
    const rest = /\d$/.test(text.slice(start, end)) ? MINUTES_AFTER.exec(text.slice(end, end + 6)) : null;
    if (rest) end += rest[0].length;
    const hour = /^[0-5]\d/.test(text.slice(start, end)) ? HOUR_BEFORE.exec(text.slice(Math.max(0, start - 4), start)) : null;
    if (hour) start -= hour[0].length;
    return start === s.start && end === s.end ? s : { ...s, start, end };
  });
}

type CharClass = 'letter' | 'digit' | 'other';
const LETTER = /[\p{L}\p{M}]/u;
const DIGIT = /\p{Nd}/u;

function classAt(text: string, i: number): CharClass {
  const c = text[i];
  if (c === undefined) return 'other';
  if (LETTER.test(c)) return 'letter';
  return DIGIT.test(c) ? 'digit' : 'other';
}

/** Whether a span boundary at `i` would cut a run of letters or of digits in two. */
export function cutsToken(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return false;
  const before = classAt(text, i - 1);
  return before !== 'other' && before === classAt(text, i);
}

/** Grows each span to the whole letter or digit runs at its edges ("Kowal|ski" becomes "Kowalski"). */
export function snapToTokens(spans: readonly Span[], text: string): Span[] {
  return spans.map((s) => {
    let { start, end } = s;
    while (cutsToken(text, start)) start--;
    while (cutsToken(text, end)) end++;
    return start === s.start && end === s.end ? s : { ...s, start, end };
  });
}

/**
 * Field labels of forms and note templates: never PHI themselves, often read as part of the
 * value after them. Lower case; matched whole, optionally with `#`, before a colon.
 */
export const FIELD_LABELS: readonly string[] = [
  'name', 'patient', 'patient name', 'pt', 'pt name', 'dob', 'date of birth', 'date', 'phone', 'phone number', 'tel',
  'telephone', 'cell', 'mobile', 'home', 'work', 'pager', 'fax', 'email', 'e-mail', 'mrn', 'medical record number',
  'acct', 'account', 'ssn', 'id', 'address', 'addr', 'city', 'state', 'zip', 'contact', 'emergency contact',
  'provider', 'physician', 'pcp', 'attending', 'location', 'facility', 'hospital', 'age', 'sex',
];
const FIELD_LABEL = new RegExp(`^(?:${FIELD_LABELS.map((l) => l.replace(/[-\s]/g, '[-\\s]?')).join('|')})\\s*#?\\s*:\\s*`, 'i');

/** A span that starts with a field label and its colon starts after them; one that is only the label is dropped. */
export function dropFieldLabels(spans: readonly Span[], text: string): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    let start = s.start;
    // A label may repeat ("Name: Name: Ann" in a copied template): drop them all.
    for (let label = FIELD_LABEL.exec(text.slice(start, s.end)); label !== null; label = FIELD_LABEL.exec(text.slice(start, s.end))) {
      start += label[0].length;
    }
    if (start === s.start) out.push(s);
    else if (start < s.end) out.push({ ...s, start });
  }
  return out;
}

const ALNUM = /[\p{L}\p{N}]/u;

export function dropSymbolOnly(spans: readonly Span[], text: string): Span[] {
  return spans.filter((s) => ALNUM.test(text.slice(s.start, s.end)));
}

/**
 * A comma, semicolon or blank at a span's edge is never PHI: the model reads a word with the
 * comma after it ("3/4/2021,"), and replacing the comma too glues the sentence together.
 */
export function trimEdgePunctuation(spans: readonly Span[], text: string): Span[] {
  return spans.map((s) => {
    let { start, end } = s;
    while (end > start && EDGE.test(text[end - 1]!)) end--;
    while (start < end && EDGE.test(text[start]!)) start++;
    return start === s.start && end === s.end ? s : { ...s, start, end };
  });
}
const EDGE = /[,;\s]/u;

/** The hygiene chain; spans that now touch or overlap are merged again (sorted, disjoint). */
export function tidySpans(spans: readonly Span[], text: string): Span[] {
  // Snap before the time and label steps, so they see whole tokens; a time taken whole may touch
  // another span, so merge after it; label trims only shrink spans and come last.
  let out = mergeOverlapping(snapToTokens(dropSymbolOnly(splitAtLineBreaks(spans, text), text), text));
  // Each step can expose another's shape (a merged span that ends on an hour, a label before a
  // label): repeat until nothing changes. Times only grow DATE spans over digits and colons,
  // labels only move starts forward, so this settles within a few rounds.
  for (let round = 0; round < 16; round++) {
    const next = dropSymbolOnly(trimEdgePunctuation(dropFieldLabels(mergeOverlapping(snapToTokens(keepClockTimesWhole(out, text), text)), text), text), text);
    if (next.length === out.length && next.every((s, i) => sameSpan(s, out[i]!))) return out;
    out = next;
  }
  return out;
}

function sameSpan(a: Span, b: Span): boolean {
  return a.start === b.start && a.end === b.end && a.label === b.label;
}
