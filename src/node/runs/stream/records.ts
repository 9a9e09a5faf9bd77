import { decodeBytes, decodeNote, encodingName } from '../../files/decodeNote.js';
import { InputError } from '../../../core/errors.js';
import { parseNoteLine, type NoteRecord } from '../jsonlNotes.js';
import { isOversized, readLines, type Line } from './lines.js';

/**
 * Frames a byte stream into notes: one JSON object per line (`jsonl`), or plain text notes
 * separated by a line holding only the separator marker (`text`, default a form feed).
 * Everything here is PHI-free on failure: a bad record is reported by its line number and a
 * coded reason, never by its content.
 */

export type StreamFormat = 'jsonl' | 'text';

/** The default text-mode separator: a line holding only a form feed (what `pr` and many exports use). */
export const DEFAULT_SEPARATOR = '\f';

export interface StreamNote {
  readonly kind: 'note';
  /** 1-based line where the note starts. */
  readonly lineNo: number;
  readonly text: string;
  /** JSONL: the parsed line (other fields pass through to the output). */
  readonly record?: NoteRecord;
  /** Text mode: the separator line that followed the note, exactly as read (with `\r` if any). */
  readonly separator?: string;
  /** Input bytes the note took (for batching and in-flight bounds). */
  readonly bytes: number;
}

export interface StreamFault {
  readonly kind: 'fault';
  readonly lineNo: number;
  readonly error: InputError;
  /** Text mode: the separator that followed the bad note, so the output keeps its framing. */
  readonly separator?: string;
  readonly bytes: number;
}

export type StreamRecord = StreamNote | StreamFault;

export interface FrameOptions {
  readonly format: StreamFormat;
  readonly separator?: string;
  /** A longer line (JSONL) or note (text) is reported as a fault and dropped unread. */
  readonly maxRecordBytes?: number;
  /** A TextDecoder label for legacy exports (default utf-8); lines are split on the byte 0x0A, so single-byte encodings only. */
  readonly encoding?: string;
}

const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

function decodeLine(bytes: Uint8Array, encoding: string): string | undefined {
  try {
    return decodeBytes(bytes, encoding, { ignoreBOM: true });
  } catch {
    return undefined;
  }
}

/** Yields records in batches (whatever one input chunk completed), in input order. */
export function frameRecords(source: AsyncIterable<Uint8Array | string>, options: FrameOptions): AsyncGenerator<StreamRecord[]> {
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  return options.format === 'jsonl'
    ? jsonlRecords(readLines(source, max), max, encodingName(options.encoding ?? 'utf-8') ?? 'utf-8')
    : textRecords(readLines(source, max), options.separator ?? DEFAULT_SEPARATOR, max, options.encoding ?? 'utf-8');
}

async function* jsonlRecords(lines: AsyncIterable<Line[]>, max: number, encoding: string): AsyncGenerator<StreamRecord[]> {
  let first = true;
  for await (const batch of lines) {
    const out: StreamRecord[] = [];
    for (const line of batch) {
      if (isOversized(line)) {
        out.push({ kind: 'fault', lineNo: line.lineNo, bytes: 0, error: new InputError('E053', `line ${line.lineNo} is longer than ${max} bytes`) });
        first = false;
        continue;
      }
      let bytes = line.bytes;
      if (first && encoding === 'utf-8' && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      first = false;
      const text = decodeLine(bytes, encoding);
      if (text === undefined) {
        const error = encoding === 'utf-8' ? new InputError('E052', `line ${line.lineNo} is not valid UTF-8`) : new InputError('E141', `line ${line.lineNo} is not valid ${encoding} text (--encoding)`);
        out.push({ kind: 'fault', lineNo: line.lineNo, bytes: bytes.length, error });
        continue;
      }
      const parsed = parseNoteLine(text, line.lineNo);
      if (parsed.kind === 'blank') continue;
      if (parsed.kind === 'error') out.push({ kind: 'fault', lineNo: line.lineNo, bytes: bytes.length, error: parsed.error });
      else out.push({ kind: 'note', lineNo: line.lineNo, text: parsed.record.text, record: parsed.record, bytes: bytes.length });
    }
    if (out.length > 0) yield out;
  }
}

/**
 * Text notes keep their bytes exactly, line ends included; the separator line is not part of
 * either note. A stream that ends right after a separator has no empty last note.
 */
async function* textRecords(lines: AsyncIterable<Line[]>, marker: string, max: number, encoding: string): AsyncGenerator<StreamRecord[]> {
  const markerBytes = Buffer.from(marker, 'utf8');
  let parts: Uint8Array[] = [];
  let size = 0;
  let startLine = 1;
  let oversized = false;
  let first = true;
  let emitted = 0;

  const isSeparator = (bytes: Uint8Array): string | undefined => {
    const body = bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
    return Buffer.compare(body, markerBytes) === 0 ? Buffer.from(bytes).toString('utf8') : undefined;
  };

  const finish = (separator: string | undefined): StreamRecord => {
    const lineNo = startLine;
    const record: StreamRecord = oversized
      ? { kind: 'fault', lineNo, bytes: 0, separator, error: new InputError('E053', `note at line ${lineNo} is longer than ${max} bytes`) }
      : noteFromParts(parts, size, lineNo, separator, encoding);
    parts = [];
    size = 0;
    oversized = false;
    return record;
  };

  for await (const batch of lines) {
    const out: StreamRecord[] = [];
    for (const line of batch) {
      if (size === 0 && parts.length === 0 && !oversized) startLine = line.lineNo;
      if (isOversized(line)) {
        oversized = true;
        parts = [];
        size = 0;
        continue;
      }
      let bytes = line.bytes;
      if (first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      first = false;
      const separator = isSeparator(bytes);
      if (separator !== undefined) {
        out.push(finish(separator + (line.newline ? '\n' : '')));
        startLine = line.lineNo + 1;
        continue;
      }
      if (oversized) continue;
      const length = bytes.length + (line.newline ? 1 : 0);
      if (size + length > max) {
        oversized = true;
        parts = [];
        size = 0;
        continue;
      }
      parts.push(bytes);
      if (line.newline) parts.push(NEWLINE);
      size += length;
    }
    emitted += out.length;
    if (out.length > 0) yield out;
  }
  if (size > 0 || oversized) yield [finish(undefined)];
  // Nothing at all on the stream: the same refusal as an empty note file.
  else if (emitted === 0) yield [{ kind: 'fault', lineNo: 1, bytes: 0, error: new InputError('E041', 'empty file') }];
}

const NEWLINE = Uint8Array.of(0x0a);

/** A text note gets the same checks as a note file (binary, invalid UTF-8), named by its first line. */
function noteFromParts(parts: readonly Uint8Array[], size: number, lineNo: number, separator: string | undefined, encoding: string): StreamRecord {
  if (size === 0) return { kind: 'note', lineNo, text: '', separator, bytes: 0 };
  try {
    const text = decodeNote(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size), encoding);
    return { kind: 'note', lineNo, text, separator, bytes: size };
  } catch (err) {
    const error = err instanceof InputError ? new InputError(err.code, `note at line ${lineNo}: ${err.reason}`) : new InputError('E044', `note at line ${lineNo}: cannot be read`);
    return { kind: 'fault', lineNo, bytes: size, separator, error };
  }
}
