import { extname } from 'node:path';
import type { Config, RecordFormat } from '../../core/config.js';
import { decodeNote, encodingName, hasUtf8Bom, refuseNonText } from '../files/decodeNote.js';
import { noteScope } from '../surrogates.js';
import { parseCsvFile } from './csv.js';
import { parseFhirFile } from './fhir.js';
import { parseJsonlFile } from './jsonl.js';
import type { FileNote, RecordFile } from './types.js';

/**
 * Which reader a file gets, and reading it. `auto` (config `input.format`, `--format`) picks by
 * extension: .jsonl/.ndjson JSONL, .csv CSV, .json FHIR R4, anything else one text note.
 */

const BY_EXTENSION: Readonly<Record<string, RecordFormat>> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv', '.json': 'fhir' };

export function formatOf(path: string, chosen: Config['input']['format']): RecordFormat {
  return chosen !== 'auto' ? chosen : (BY_EXTENSION[extname(path).toLowerCase()] ?? 'text');
}

/**
 * A file of several notes from its bytes. A UTF-8 BOM is kept in the output; the text is
 * decoded from `input.encoding` (outputs are UTF-8). Throws a coded InputError when the file as a
 * whole cannot be read (empty, binary, not in its encoding, no CSV header, not FHIR JSON).
 */
export async function readRecordFile(
  bytes: Uint8Array,
  format: Exclude<RecordFormat, 'text'>,
  input: Config['input'],
  options: { readonly emitSpans?: boolean; readonly knownField?: string } = {},
): Promise<RecordFile> {
  const utf8 = (encodingName(input.encoding) ?? 'utf-8') === 'utf-8';
  const bom = utf8 && hasUtf8Bom(bytes) ? '\uFEFF' : '';
  if (format === 'jsonl') {
    // Lines are framed on the byte 0x0A as on stdin: another encoding is decoded whole first (UTF-16 included).
    if (utf8) refuseNonText(bytes);
    const utf8Bytes = utf8 ? bytes : Buffer.from(decodeNote(bytes, input.encoding), 'utf8');
    return parseJsonlFile(utf8Bytes, {
      bom,
      ...(options.emitSpans !== undefined ? { emitSpans: options.emitSpans } : {}),
      ...(options.knownField !== undefined ? { knownField: options.knownField } : {}),
    });
  }
  const text = decodeNote(bytes, input.encoding);
  return format === 'csv' ? parseCsvFile(text, input.csv, bom) : parseFhirFile(text, bom);
}

/** A record's surrogate scope: its patient (JSONL field, CSV column, FHIR subject.reference), or by path. */
export function recordScope(config: Pick<Config, 'surrogate'>, path: string, note: FileNote): { scope?: string } {
  if (config.surrogate.scope !== 'patient') return {};
  if (config.surrogate.patientId.from !== 'field') return noteScope(config, { path });
  if (note.patient !== undefined) return { scope: note.patient };
  return note.record === undefined ? {} : noteScope(config, { record: note.record });
}
