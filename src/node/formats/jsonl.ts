import type { KnownIdentifiers } from '../../detect/site/known.js';
import { formatNoteLine, type NoteRecord } from '../runs/jsonlNotes.js';
import { knownOfRecord } from '../runs/knownIdentifiers.js';
import { frameRecords } from '../runs/stream/records.js';
import type { FileNote, NoteResult, RecordFile, RecordProblem } from './types.js';

/**
 * A JSONL file read exactly as stdin `--format jsonl` reads a stream (src/node/runs/stream/records.ts
 * frames it, src/node/runs/jsonlNotes.ts parses and writes each line): every field but `text` is
 * copied byte for byte, an input `spans` is dropped, blank lines are skipped, a CRLF line stays
 * CRLF, and a malformed line (E050, E051, E052, E057, E141) is reported by line and left out.
 * The one difference: a last line without a newline keeps having none.
 */
export async function parseJsonlFile(
  bytes: Uint8Array,
  options: { readonly emitSpans?: boolean; readonly bom?: string; readonly knownField?: string } = {},
): Promise<RecordFile> {
  const records: { line: number; record: NoteRecord; known?: KnownIdentifiers }[] = [];
  const problems: RecordProblem[] = [];
  for await (const batch of frameRecords(once(bytes), { format: 'jsonl' })) {
    for (const r of batch) {
      if (r.kind === 'fault') {
        problems.push({ line: r.lineNo, error: r.error.message });
        continue;
      }
      // The known-identifier field (issue 16), as on stdin: used for this record, dropped from its line;
      // a record whose field cannot be read is left out (fail closed), named by line, never by value.
      const known = options.knownField === undefined ? {} : knownOfRecord(r.record, options.knownField);
      if ('error' in known) problems.push({ line: r.lineNo, error: `${known.error.slice(0, 4)} line ${r.lineNo}:${known.error.slice(4)}` });
      else records.push({ line: r.lineNo, record: r.record!, ...(known.known !== undefined ? { known: known.known } : {}) });
    }
  }
  const endsWithNewline = bytes.length > 0 && bytes[bytes.length - 1] === 0x0a;
  const notes: FileNote[] = records.map(({ line, record, known }) => {
    const id = record.fields.id;
    return {
      line,
      text: record.text,
      record: record.fields,
      ...(typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? { id: String(id) } : {}),
      ...(known !== undefined ? { known } : {}),
    };
  });
  return {
    format: 'jsonl',
    notes,
    problems,
    skippedAttachments: 0,
    render(results: readonly (NoteResult | undefined)[]): string {
      const lines: string[] = [];
      for (const [k, { record }] of records.entries()) {
        const result = results[k];
        if (result !== undefined) lines.push(formatNoteLine(record, result, { emitSpans: options.emitSpans === true, ...(options.knownField !== undefined ? { drop: options.knownField } : {}) }));
      }
      const out = `${options.bom ?? ''}${lines.join('')}`;
      // The input's last line had no newline: neither has the output's, when that line came out.
      const lastOut = records.length > 0 && results[records.length - 1] !== undefined;
      return !endsWithNewline && lastOut && records.at(-1)!.line === lastLineNo(bytes) ? out.replace(/\r?\n$/u, '') : out;
    },
  };
}

/** The number of the last line that holds anything (a final newline starts no line). */
function lastLineNo(bytes: Uint8Array): number {
  let n = 1;
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
