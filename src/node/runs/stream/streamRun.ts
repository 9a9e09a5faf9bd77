import type { AuditCollector } from '../audit.js';
import { formatNoteLine } from '../jsonlNotes.js';
import type { RedactEngine } from '../pool/engine.js';
import type { NoteOutcome, NoteTask } from '../pool/tasks.js';
import { mapOrdered } from './ordered.js';
import { frameRecords, type StreamFormat, type StreamRecord } from './records.js';
import { codeOf } from '../../../core/errors.js';

/**
 * `phi-redact redact -`: a stream of notes in, the redacted stream out, in input order.
 *
 * Memory stays bounded whatever the input size: records are framed from the bytes as they are
 * read, at most `concurrency` batches (each ≤ `maxBatchBytes`) are being redacted at once, and
 * nothing more is read until the oldest batch has been written to `output` and `output` has
 * accepted it (so a slow reader downstream slows the whole pipe, down to the producer).
 *
 * A record that is not a note (bad JSON, invalid UTF-8, too long) and a note whose detectors
 * failed are reported on one line by line number and code, never content; with `onError:
 * 'skip'` they are left out of the output and counted, with `'fail'` the run stops there
 * (everything before it has been written).
 */

export const STDIN_NAME = '<stdin>';

export interface StreamRunOptions {
  /** The surrogate scope (patient id) of a JSONL record (see node/surrogates.ts noteScope). */
  readonly scopeOf?: (record: unknown) => { scope?: string };
  /**
   * A JSONL record's known identifiers (issue 16), or why its field cannot be read (a reason
   * without values); the field is dropped from the output line.
   */
  readonly knownOf?: (record: unknown) => { known?: NoteTask['known'] } | { error: string };
  /** The known-identifier field's name, left out of every output line. */
  readonly knownField?: string;
  readonly input: AsyncIterable<Uint8Array | string>;
  readonly output: NodeJS.WritableStream;
  readonly format: StreamFormat;
  readonly separator?: string;
  /** A TextDecoder label (default utf-8); single-byte encodings only (records are framed on the byte 0x0A). */
  readonly encoding?: string;
  readonly onError: 'skip' | 'fail';
  readonly emitSpans?: boolean;
  readonly engine: RedactEngine;
  readonly audit: AuditCollector;
  readonly onProblem: (where: string, message: string) => void;
  readonly batchSize?: number;
  readonly maxBatchBytes?: number;
  /** Batches in flight; default two per worker (one running, one queued). */
  readonly concurrency?: number;
  readonly maxRecordBytes?: number;
  /** SIGINT/SIGTERM: no further record is read; the notes already read are finished and written. */
  readonly signal?: AbortSignal;
}

export interface StreamRunSummary {
  readonly done: number;
  readonly failed: number;
  readonly malformed: number;
  /** True when `onError: 'fail'` ended the run early. */
  readonly stopped: boolean;
  /** Set when the output closed under us (a reader like `head` went away): its errno code. */
  readonly outputClosed?: string;
  /** Stopped by `signal` before the input ended. */
  readonly interrupted?: boolean;
}

type Outcome = NoteOutcome | undefined;

export async function runStream(options: StreamRunOptions): Promise<StreamRunSummary> {
  const { engine, audit, output } = options;
  const withSpans = options.emitSpans === true && options.format === 'jsonl';
  let done = 0;
  let failed = 0;
  let malformed = 0;
  let stopped = false;
  let outputError: NodeJS.ErrnoException | undefined;
  // Without a listener an EPIPE from `| head` would crash the process with a stack trace.
  const onOutputError = (err: NodeJS.ErrnoException): void => {
    outputError ??= err;
  };
  output.on('error', onOutputError);
  const emit = (data: string): Promise<void> => (outputError !== undefined ? Promise.reject(outputError) : write(output, data));

  const records = frameRecords(options.input, {
    format: options.format,
    separator: options.separator,
    maxRecordBytes: options.maxRecordBytes,
    ...(options.encoding !== undefined ? { encoding: options.encoding } : {}),
  });

  const redact = async (batch: readonly StreamRecord[]): Promise<Outcome[]> => {
    // A record whose known identifiers cannot be read is failed, not redacted without them (fail closed).
    const known = batch.map((r) => (r.kind === 'note' && options.knownOf !== undefined ? options.knownOf(r.record) : {}));
    const runs = batch.map((r, i) => r.kind === 'note' && !('error' in known[i]!));
    const notes = batch.flatMap((r, i) =>
      runs[i] && r.kind === 'note' ? [{ text: r.text, noteId: `${STDIN_NAME}:${r.lineNo}`, ...(options.scopeOf?.(r.record) ?? {}), ...known[i]! }] : [],
    );
    const outcomes = notes.length > 0 ? await engine.redactNotes(notes, withSpans) : [];
    let k = 0;
    return batch.map((r, i): Outcome => {
      const got = known[i]!;
      if (r.kind === 'note' && 'error' in got) return { ok: false, error: got.error };
      return runs[i] ? outcomes[k++] : undefined;
    });
  };

  const batches = mapOrdered(untilAborted(records, options.signal), redact, {
    batchSize: options.batchSize ?? 32,
    maxBatchWeight: options.maxBatchBytes ?? 4 * 1024 * 1024,
    weight: (r) => r.bytes,
    concurrency: options.concurrency ?? engine.workers * 2,
  });

  try {
    outer: for await (const { items, results } of batches) {
      let chunk = '';
      for (const [i, record] of items.entries()) {
        const outcome = results[i];
        if (record.kind === 'fault') {
          malformed += 1;
          audit.noteMalformed(record.error.message);
          options.onProblem(STDIN_NAME, record.error.message);
        } else if (outcome === undefined || !outcome.ok) {
          failed += 1;
          const error = outcome?.ok === false ? outcome.error : 'E046 detection failed';
          audit.noteFailed(error);
          options.onProblem(STDIN_NAME, codeOf(error) !== undefined ? `${error.slice(0, 4)} line ${record.lineNo}:${error.slice(4)}` : `line ${record.lineNo}: ${error}`);
        } else {
          done += 1;
          audit.noteDone(outcome.counts, record.bytes);
          chunk +=
            options.format === 'jsonl'
              ? formatNoteLine(record.record!, { text: outcome.text, spans: outcome.spans }, { emitSpans: withSpans, ...(options.knownField !== undefined ? { drop: options.knownField } : {}) })
              : outcome.text + (record.separator ?? '');
          continue;
        }
        if (options.onError === 'fail') {
          await emit(chunk);
          stopped = true;
          break outer;
        }
      }
      await emit(chunk);
    }
  } catch (err) {
    if (outputError === undefined && !isOutputError(err)) throw err;
    stopped = true;
    outputError ??= err as NodeJS.ErrnoException;
  } finally {
    if (stopped || options.signal?.aborted) destroyInput(options.input);
    output.off('error', onOutputError);
    if (outputError !== undefined) output.on('error', () => undefined);
  }
  return {
    done,
    failed,
    malformed,
    stopped,
    ...(outputError !== undefined ? { outputClosed: outputError.code ?? 'EIO' } : {}),
    ...(options.signal?.aborted ? { interrupted: true } : {}),
  };
}

const ABORTED = Symbol('aborted');

/** Ends the source when `signal` fires, at a record boundary (a half-read note is never used). */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (signal === undefined) {
    yield* source;
    return;
  }
  const it = source[Symbol.asyncIterator]();
  for (;;) {
    if (signal.aborted) return;
    // A fresh abort promise per read, its listener removed after: racing every read against one
    // long-lived promise would pile a reaction per read onto it, each holding that read's
    // records — memory growing with the input (1 GB in, > 1 GB RSS).
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<typeof ABORTED>((resolve) => {
      onAbort = () => resolve(ABORTED);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    let next: IteratorResult<T> | typeof ABORTED;
    try {
      next = await Promise.race([it.next(), aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (next === ABORTED || next.done === true) return;
    yield next.value;
  }
}

function isOutputError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

function destroyInput(input: unknown): void {
  const stream = input as { destroy?: () => void };
  if (typeof stream.destroy === 'function') stream.destroy();
}

/** Writes and resolves once the stream has taken the data (or at once when its buffer has room). */
export function write(output: NodeJS.WritableStream, data: string): Promise<void> {
  if (data === '') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const ok = output.write(data, (err) => {
      if (err) reject(err);
    });
    if (ok) resolve();
    else {
      const onError = (err: Error): void => {
        output.off('drain', onDrain);
        reject(err);
      };
      const onDrain = (): void => {
        output.off('error', onError);
        resolve();
      };
      output.once('drain', onDrain);
      output.once('error', onError);
    }
  });
}
