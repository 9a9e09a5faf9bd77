import { InputError } from '../../core/errors.js';
import type { FileNote, NoteResult, RecordFile, RecordProblem } from './types.js';

/**
 * CSV (RFC 4180) read and written back byte for byte except the text column.
 *
 * Our own scanner, not csv-parse: redacting must leave every other field exactly as it came
 * (quoting style, spacing, CRLF or LF), and csv-parse returns values (its `raw` option only the
 * whole record), so csv-stringify would re-quote untouched fields. The scanner keeps each
 * field's raw extent; the writer copies a row's bytes and replaces only the text field.
 *
 * Rows end at LF or CRLF outside quotes (a lone CR is data); quoted fields may hold commas,
 * quotes (doubled) and line breaks. A row with a stray quote in an unquoted field, text after a
 * closing quote, an unterminated quote, or another field count than the header is malformed:
 * reported by line (E143) and left out. An empty line is not a record and is copied as it is.
 */

export interface CsvField {
  /** Raw extent in the text, quotes included. */
  readonly start: number;
  readonly end: number;
  readonly quoted: boolean;
  /** The field's value (quotes removed, doubled quotes undone). */
  readonly value: string;
}

export interface CsvRow {
  /** 1-based line where the row starts. */
  readonly line: number;
  readonly start: number;
  /** Where the row's line break starts (or the end of the text). */
  readonly end: number;
  /** Where the next row starts (after the line break). */
  readonly next: number;
  readonly fields: readonly CsvField[];
  /** Why the row is malformed (PHI-free), if it is. */
  readonly error?: string;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

function countLf(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Where the unquoted run from `i` ends: at a comma, an LF, or the CR of a CRLF. */
function unquotedEnd(text: string, i: number): number {
  let j = i;
  while (j < text.length && text.charCodeAt(j) !== COMMA && text.charCodeAt(j) !== LF) j++;
  return j < text.length && text.charCodeAt(j) === LF && j > i && text.charCodeAt(j - 1) === CR ? j - 1 : j;
}

/** Every row of a CSV text, header included, with raw extents. Pure; never throws. */
export function scanCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = i;
    const rowLine = line;
    const fields: CsvField[] = [];
    let error: string | undefined;
    for (;;) {
      const fieldStart = i;
      if (text.charCodeAt(i) === QUOTE) {
        let j = i + 1;
        let value = '';
        let closed = false;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q === -1) break;
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          value += text.slice(j, q);
          j = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          line += countLf(text, i, text.length);
          error ??= 'a quoted field is never closed';
          fields.push({ start: fieldStart, end: text.length, quoted: true, value: '' });
          i = text.length;
        } else {
          line += countLf(text, i, j);
          i = j;
          const after = unquotedEnd(text, i);
          if (after > i) {
            error ??= 'text after a closing quote';
            i = after;
          }
          fields.push({ start: fieldStart, end: i, quoted: true, value });
        }
      } else {
        const end = unquotedEnd(text, i);
        const value = text.slice(i, end);
        if (value.includes('"')) error ??= 'a quote inside an unquoted field';
        fields.push({ start: i, end, quoted: false, value });
        i = end;
      }
      if (i < text.length && text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      const end = i;
      if (i < text.length) {
        i += text.charCodeAt(i) === CR ? 2 : 1;
        line++;
      }
      rows.push({ line: rowLine, start, end, next: i, fields, ...(error !== undefined ? { error } : {}) });
      break;
    }
  }
  return rows;
}

/** A field's text as written back: quoted when it was, or when the new value needs it. */
export function encodeCsvField(value: string, quoted: boolean): string {
  return quoted || /[",\r\n]/u.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export interface CsvOptions {
  readonly textColumn: string;
  readonly idColumn: string;
}

const isBlank = (row: CsvRow): boolean => row.end === row.start;

/**
 * A CSV file's notes (one per data row, the text column) and its renderer. Throws E142 when the
 * header is malformed or has not exactly one text column: nothing can be written then.
 */
export function parseCsvFile(text: string, options: CsvOptions, bom = ''): RecordFile {
  const rows = scanCsv(text);
  const headerAt = rows.findIndex((r) => !isBlank(r));
  const header = rows[headerAt];
  if (header === undefined) throw new InputError('E142', 'no header row');
  if (header.error !== undefined) throw new InputError('E142', `line ${header.line}: the header row is malformed (${header.error})`);
  const names = header.fields.map((f) => f.value);
  const textAt = names.indexOf(options.textColumn);
  if (textAt === -1) throw new InputError('E142', `the header has no text column "${options.textColumn}" (--text-column)`);
  if (names.lastIndexOf(options.textColumn) !== textAt) throw new InputError('E142', `the header names the text column "${options.textColumn}" twice`);
  const idAt = names.indexOf(options.idColumn);

  const notes: FileNote[] = [];
  const problems: RecordProblem[] = [];
  /** Per row: the index of its note, -1 for rows copied as they are, -2 for rows left out. */
  const roles: number[] = [];
  for (const [k, row] of rows.entries()) {
    if (k <= headerAt || isBlank(row)) {
      roles.push(-1);
      continue;
    }
    const error = row.error ?? (row.fields.length !== names.length ? `${row.fields.length} fields, the header has ${names.length}` : undefined);
    if (error !== undefined) {
      problems.push({ line: row.line, error: new InputError('E143', `line ${row.line}: ${error}`).message });
      roles.push(-2);
      continue;
    }
    const record: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [c, name] of names.entries()) if (!(name in record)) record[name] = row.fields[c]!.value;
    const id = idAt === -1 ? undefined : row.fields[idAt]!.value;
    roles.push(notes.length);
    notes.push({ line: row.line, text: row.fields[textAt]!.value, record, ...(id !== undefined && id !== '' ? { id } : {}) });
  }

  return {
    format: 'csv',
    notes,
    problems,
    skippedAttachments: 0,
    render(results: readonly (NoteResult | undefined)[]): string {
      const parts: string[] = [bom];
      for (const [k, row] of rows.entries()) {
        const role = roles[k]!;
        if (role === -1) parts.push(text.slice(row.start, row.next));
        if (role < 0) continue;
        const result = results[role];
        if (result === undefined) continue; // failed: left out, never written unredacted
        const field = row.fields[textAt]!;
        parts.push(text.slice(row.start, field.start), encodeCsvField(result.text, field.quoted), text.slice(field.end, row.next));
      }
      return parts.join('');
    },
  };
}
