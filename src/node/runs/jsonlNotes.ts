import { randomUUID } from 'node:crypto';
import type { TransformResult } from '../../transform/types.js';
import { InputError } from '../../core/errors.js';
import { toManifestSpan, type ManifestSpan } from './manifest.js';

/**
 * One JSONL note line in, one JSONL line out — pure, so the streaming runner can reuse it.
 *
 * In:  `{"id": ..., "text": "...", ...other}` (an object with a string `text`; `id` optional).
 * Out: the same line with `text` redacted; every other field is copied from the input byte for
 *      byte (numbers beyond 2^53, `__proto__`, escapes, spacing, CRLF) and is NOT redacted —
 *      keep PHI out of them. Lines nested deeper than MAX_JSON_DEPTH are refused (E057). An input `spans` field
 *      is always dropped (its offsets describe the original text, and gold files quote PHI in
 *      it); with `--emit spans` our spans are appended as `spans`:
 *      `[{start, end, label, subtype, source, score}]`, offsets into the INPUT text.
 */

export interface NoteRecord {
  /**
   * The parsed object, `text` included. Lossless: integers beyond 2^53 are `bigint`s, a
   * `__proto__` key is an own data property like any other.
   */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly text: string;
  /** The line as read (set by `parseNoteLine`): every field but `text` is written back from it byte for byte. */
  readonly raw?: RawRecord;
}

/** Where the top-level members sit in the line, so the output can copy them unchanged. */
export interface RawRecord {
  /** The line without its end-of-line. */
  readonly body: string;
  /** `\r\n` when the line ended in CRLF, else `\n`. */
  readonly eol: '\n' | '\r\n';
  /** Just after the opening `{`, and the closing `}`. */
  readonly open: number;
  readonly close: number;
  readonly members: readonly RawMember[];
}

export interface RawMember {
  /** The decoded key. */
  readonly key: string;
  /** The member between its separators (`{`/`,` before, `,`/`}` after), whitespace included. */
  readonly start: number;
  readonly end: number;
  /** The value alone. */
  readonly valueStart: number;
  readonly valueEnd: number;
}

export type ParsedNoteLine =
  | { readonly kind: 'note'; readonly record: NoteRecord }
  | { readonly kind: 'blank' }
  | { readonly kind: 'error'; readonly error: InputError };

/**
 * Deeper lines are refused (E057) before they are parsed: a line of 5,000 nested brackets
 * once took the whole stream down with a RangeError. Far above anything a note record needs.
 */
export const MAX_JSON_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The index just past the string that starts at `i` (a `"`), or -1 when it never ends. */
function skipString(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q === -1) return -1;
    let b = q - 1;
    while (s.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** The deepest bracket nesting of a (possibly invalid) JSON text, strings skipped; stops early past `limit`. */
export function jsonDepth(s: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      const next = skipString(s, i);
      if (next === -1) return max;
      i = next - 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/uy;

/** True when the integer literal cannot be held exactly by a JS number. */
function isLossyInteger(token: string): boolean {
  return !/[.eE]/u.test(token) && !Number.isSafeInteger(Number(token));
}

/**
 * The top-level members of a VALID JSON object text (JSON.parse has accepted it), with their
 * raw extents, and whether any value holds an integer a JS number would round.
 */
function scanMembers(body: string): { open: number; close: number; members: (RawMember & { lossy: boolean })[] } {
  const open = body.indexOf('{') + 1;
  const members: (RawMember & { lossy: boolean })[] = [];
  let depth = 1;
  let start = open;
  let key: string | undefined;
  let valueStart = -1;
  let valueEnd = -1;
  let lossy = false;
  let i = open;
  for (; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) {
      const next = skipString(body, i);
      if (depth === 1 && key === undefined) key = JSON.parse(body.slice(i, next)) as string;
      else if (depth === 1) [valueStart, valueEnd] = [i, next];
      i = next - 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === 1) valueStart = i;
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 1) valueEnd = i + 1;
      if (depth === 0) break;
    } else if (c === 0x2c && depth === 1) {
      members.push({ key: key!, start, end: i, valueStart, valueEnd, lossy });
      [start, key, lossy] = [i + 1, undefined, false];
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
      // A number, or true/false/null.
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(body);
      const end = m ? i + m[0].length : i + (c === 0x66 ? 5 : 4);
      if (m && isLossyInteger(m[0])) lossy = true;
      if (depth === 1) [valueStart, valueEnd] = [i, end];
      i = end - 1;
    }
  }
  if (key !== undefined) members.push({ key, start, end: i, valueStart, valueEnd, lossy });
  return { open, close: i, members };
}

/** Parses a VALID JSON value with integers beyond 2^53 as bigints and `__proto__` as data. Depth is bounded by MAX_JSON_DEPTH. */
function parseLossless(s: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  const value = (): unknown => {
    ws();
    const c = s[i];
    if (c === '"') {
      const next = skipString(s, i);
      const str = JSON.parse(s.slice(i, next)) as string;
      i = next;
      return str;
    }
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (s[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        const k = value() as string;
        ws();
        i++; // ':'
        Object.defineProperty(obj, k, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (s[i++] === '}') return obj;
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (s[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (s[i++] === ']') return arr;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(s);
    if (m) {
      i += m[0].length;
      return isLossyInteger(m[0]) ? BigInt(m[0]) : Number(m[0]);
    }
    const word = s.startsWith('true', i) ? 'true' : s.startsWith('false', i) ? 'false' : 'null';
    i += word.length;
    return word === 'null' ? null : word === 'true';
  };
  return value();
}

/** Parses one line (without its newline; a trailing `\r` is kept as the line's end). Errors carry no content. */
export function parseNoteLine(line: string, lineNo: number): ParsedNoteLine {
  const crlf = line.endsWith('\r');
  const body = crlf ? line.slice(0, -1) : line;
  if (body.trim() === '') return { kind: 'blank' };
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    return { kind: 'error', error: new InputError('E057', `line ${lineNo} is nested deeper than ${MAX_JSON_DEPTH} levels`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // JSON.parse's own message quotes the input: never pass it on.
    return { kind: 'error', error: new InputError('E050', `line ${lineNo} is not valid JSON`) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'error', error: new InputError('E051', `line ${lineNo} is not a JSON object`) };
  }
  const fields = value as Record<string, unknown>;
  if (typeof fields.text !== 'string') {
    return { kind: 'error', error: new InputError('E051', `line ${lineNo} has no string "text" field`) };
  }
  const scanned = scanMembers(body);
  // Two "text" members: JSON.parse keeps the last, and the first would pass through unredacted.
  if (scanned.members.filter((m) => m.key === 'text').length > 1) {
    return { kind: 'error', error: new InputError('E051', `line ${lineNo} has more than one "text" field`) };
  }
  for (const m of scanned.members) {
    if (m.lossy) Object.defineProperty(fields, m.key, { value: parseLossless(body.slice(m.valueStart, m.valueEnd)), enumerable: true, writable: true, configurable: true });
  }
  const members = scanned.members.map(({ lossy: _lossy, ...m }) => m);
  const raw: RawRecord = { body, eol: crlf ? '\r\n' : '\n', open: scanned.open, close: scanned.close, members };
  return { kind: 'note', record: { fields, text: fields.text, raw } };
}

export interface FormatNoteOptions {
  readonly emitSpans?: boolean;
  /** A member left out of the output (the known-identifier field, config `site.knownField`: it holds PHI). */
  readonly drop?: string;
}

/**
 * The output line for a redacted record (with its newline: CRLF when the input line had one).
 * Every member but `text` (and a dropped input `spans`) is copied from the input line byte for
 * byte: big numbers, `__proto__`, key order, escapes and spacing are exactly as they came.
 */
export function formatNoteLine(record: NoteRecord, result: TransformResult, options: FormatNoteOptions = {}): string {
  const spans = options.emitSpans ? JSON.stringify(result.spans.map(toManifestSpan) satisfies ManifestSpan[]) : undefined;
  const raw = record.raw;
  if (raw === undefined) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record.fields)) {
      if (key === 'spans' || key === options.drop) continue;
      Object.defineProperty(out, key, { value: key === 'text' ? result.text : value, enumerable: true, writable: true, configurable: true });
    }
    // Big integers (bigint) are written as the number literals they came from (a per-call mark no text can guess).
    const mark = `bigint-${randomUUID()}`;
    const json = JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? `${mark}${v.toString()}` : v)).replace(
      new RegExp(`"${mark}(-?\\d+)"`, 'gu'),
      '$1',
    );
    return `${spans === undefined ? json : `${json.slice(0, -1)}${json === '{}' ? '' : ','}"spans":${spans}}`}\n`;
  }
  const { body } = raw;
  const parts: string[] = [];
  for (const m of raw.members) {
    if (m.key === 'spans' || m.key === options.drop) continue;
    parts.push(
      m.key === 'text' ? `${body.slice(m.start, m.valueStart)}${JSON.stringify(result.text)}${body.slice(m.valueEnd, m.end)}` : body.slice(m.start, m.end),
    );
  }
  if (spans !== undefined) parts.push(`"spans":${spans}`);
  return `${body.slice(0, raw.open)}${parts.join(',')}${body.slice(raw.close)}${raw.eol}`;
}
