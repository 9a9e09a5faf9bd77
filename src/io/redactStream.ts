import type { Pipeline } from '../pipeline.js';
import { decodeNote } from './decodeNote.js';
import { describeError, InputError } from './errors.js';
import { formatNoteLine, parseNoteLine, type NoteRecord } from './jsonlNotes.js';

/**
 * `phi-redact redact -`: notes on stdin, redacted notes on stdout.
 *   text  — the whole of stdin is one note; the redacted note is written as is.
 *   jsonl — one note per line (see jsonlNotes.ts); bad lines are reported with their line
 *           number and skipped, the rest are processed in batches, in order.
 * Problems are reported through `onProblem` as `<stdin>` plus a message with the line number,
 * never content.
 */

export const STDIN_NAME = '<stdin>';

export interface StreamOptions {
  readonly emitSpans?: boolean;
  readonly batchSize?: number;
  readonly onProblem: (where: string, message: string) => void;
}

export interface StreamSummary {
  readonly done: number;
  readonly failed: number;
}

export async function redactTextStream(
  pipeline: Pipeline,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  options: StreamOptions,
): Promise<StreamSummary> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  let text: string;
  try {
    text = decodeNote(Buffer.concat(chunks));
  } catch (err) {
    options.onProblem(STDIN_NAME, describeError(err));
    return { done: 0, failed: 1 };
  }
  let redacted: string;
  try {
    redacted = (await pipeline.redact(text, { noteId: STDIN_NAME })).text;
  } catch (err) {
    options.onProblem(STDIN_NAME, `E046 detection failed (${describeError(err)})`);
    return { done: 0, failed: 1 };
  }
  await write(output, redacted);
  return { done: 1, failed: 0 };
}

export async function redactJsonlStream(
  pipeline: Pipeline,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  options: StreamOptions,
): Promise<StreamSummary> {
  const batchSize = options.batchSize ?? 16;
  let done = 0;
  let failed = 0;
  let batch: { record: NoteRecord; lineNo: number }[] = [];
  const fail = (lineNo: number, message: string): void => {
    failed += 1;
    options.onProblem(STDIN_NAME, message);
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    let results;
    try {
      results = await pipeline.redactBatch(current.map((b) => b.record.text), current.map((b) => ({ noteId: `${STDIN_NAME}:${b.lineNo}` })));
    } catch {
      results = undefined;
    }
    const lines: string[] = [];
    for (const [k, item] of current.entries()) {
      let result = results?.[k];
      if (result === undefined) {
        try {
          result = await pipeline.redact(item.record.text, { noteId: `${STDIN_NAME}:${item.lineNo}` });
        } catch (err) {
          fail(item.lineNo, `E046 line ${item.lineNo}: detection failed (${describeError(err)})`);
          continue;
        }
      }
      lines.push(formatNoteLine(item.record, result, { emitSpans: options.emitSpans }));
      done += 1;
    }
    await write(output, lines.join(''));
  };

  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  for await (const { bytes, lineNo } of splitLines(input)) {
    let line: string;
    try {
      const body = lineNo === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
      line = decoder.decode(body);
    } catch {
      fail(lineNo, new InputError('E052', `line ${lineNo} is not valid UTF-8`).message);
      continue;
    }
    const parsed = parseNoteLine(line, lineNo);
    if (parsed.kind === 'blank') continue;
    if (parsed.kind === 'error') {
      fail(lineNo, parsed.error.message);
      continue;
    }
    batch.push({ record: parsed.record, lineNo });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return { done, failed };
}

/** Splits a byte stream on `\n` (a trailing `\r` stays on the line; parseNoteLine drops it). */
export async function* splitLines(input: NodeJS.ReadableStream): AsyncGenerator<{ bytes: Buffer; lineNo: number }> {
  let pending: Buffer[] = [];
  let lineNo = 0;
  for await (const raw of input) {
    let chunk = typeof raw === 'string' ? Buffer.from(raw) : (raw as Buffer);
    let nl = chunk.indexOf(0x0a);
    while (nl !== -1) {
      pending.push(chunk.subarray(0, nl));
      lineNo += 1;
      yield { bytes: Buffer.concat(pending), lineNo };
      pending = [];
      chunk = chunk.subarray(nl + 1);
      nl = chunk.indexOf(0x0a);
    }
    if (chunk.length > 0) pending.push(chunk);
  }
  if (pending.length > 0) {
    lineNo += 1;
    yield { bytes: Buffer.concat(pending), lineNo };
  }
}

/** Writes and waits for the stream to accept more (backpressure). */
function write(output: NodeJS.WritableStream, data: string): Promise<void> {
  if (data === '') return Promise.resolve();
  return new Promise((resolveWrite, reject) => {
    output.write(data, (err) => (err ? reject(err) : resolveWrite()));
  });
}
