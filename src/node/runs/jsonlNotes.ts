import type { TransformResult } from '../../transform/types.js';
import { InputError } from '../../core/errors.js';
import { toManifestSpan, type ManifestSpan } from './manifest.js';

/**
 * One JSONL note line in, one JSONL line out — pure, so the streaming runner can reuse it.
 *
 * In:  `{"id": ..., "text": "...", ...other}` (an object with a string `text`; `id` optional).
 * Out: the same object with `text` redacted, fields in the input order; other fields are passed
 *      through UNCHANGED (they are not redacted — keep PHI out of them). An input `spans` field
 *      is always dropped (its offsets describe the original text, and gold files quote PHI in
 *      it); with `--emit spans` our spans are appended as `spans`:
 *      `[{start, end, label, subtype, source, score}]`, offsets into the INPUT text.
 */

export interface NoteRecord {
  /** The parsed object, `text` included. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly text: string;
}

export type ParsedNoteLine =
  | { readonly kind: 'note'; readonly record: NoteRecord }
  | { readonly kind: 'blank' }
  | { readonly kind: 'error'; readonly error: InputError };

/** Parses one line (without its newline; a trailing `\r` is ignored). Errors carry no content. */
export function parseNoteLine(line: string, lineNo: number): ParsedNoteLine {
  const body = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (body.trim() === '') return { kind: 'blank' };
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
  return { kind: 'note', record: { fields, text: fields.text } };
}

export interface FormatNoteOptions {
  readonly emitSpans?: boolean;
}

/** The output line for a redacted record (with its newline). */
export function formatNoteLine(record: NoteRecord, result: TransformResult, options: FormatNoteOptions = {}): string {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record.fields)) {
    if (key === 'spans') continue;
    out[key] = key === 'text' ? result.text : value;
  }
  if (options.emitSpans) out.spans = result.spans.map(toManifestSpan) satisfies ManifestSpan[];
  return `${JSON.stringify(out)}\n`;
}
