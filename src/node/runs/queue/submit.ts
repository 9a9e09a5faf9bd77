import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { InputFile } from '../../files/inputs.js';
import { InputError } from '../../../core/errors.js';
import { formatOf } from '../../formats/readFormats.js';
import { loadFile } from '../noteFiles.js';
import { DEFAULT_RETRY, QUEUE_PREFIX, statsKey, type NoteJobData, type QueuedNote, type RetryOptions } from './jobs.js';

/**
 * `phi-redact queue submit`: reads the notes and enqueues them, `batch` notes per job. A note
 * that cannot be read (missing, binary, invalid UTF-8, empty) is reported and not enqueued.
 * A JSONL, CSV or FHIR file (by extension) is refused (E165), not queued as one text note: a
 * job carries one note's text and its worker writes one output file, while a record file's
 * output is the whole file rewritten record by record (`phi-redact redact` with --workers).
 * Job ids are derived from the output paths and input hashes, so submitting the same notes
 * twice (a submitter killed half-way and restarted) does not queue them twice while the first
 * jobs still exist.
 */

export interface SubmitOptions {
  readonly connection: Redis;
  readonly queue: string;
  readonly files: readonly InputFile[];
  /** Notes per job (default 1; more amortises Redis round trips, retries are per job). */
  readonly batch?: number;
  readonly retry?: RetryOptions;
  readonly onProblem: (display: string, message: string) => void;
  readonly onProgress?: (submitted: number) => void;
}

export interface SubmitSummary {
  readonly notes: number;
  readonly jobs: number;
  readonly failed: number;
}

export async function submitNotes(options: SubmitOptions): Promise<SubmitSummary> {
  const batch = Math.max(1, options.batch ?? 1);
  const retry = options.retry ?? DEFAULT_RETRY;
  const queue = new Queue<NoteJobData>(options.queue, { connection: options.connection, prefix: QUEUE_PREFIX });
  let notes = 0;
  let jobs = 0;
  let failed = 0;
  let pending: { name: string; data: NoteJobData; opts: { jobId: string } }[] = [];
  let current: QueuedNote[] = [];

  const flushJobs = async (): Promise<void> => {
    if (pending.length === 0) return;
    await queue.addBulk(
      pending.map((j) => ({
        ...j,
        opts: {
          ...j.opts,
          attempts: retry.attempts,
          backoff: { type: 'exponential', delay: retry.backoffMs },
          // The note text must not outlive its job in Redis.
          removeOnComplete: true,
          // Final failures are copied (text included) to the dead-letter queue by the worker.
          removeOnFail: true,
        },
      })),
    );
    const added = pending.reduce((n, j) => n + j.data.notes.length, 0);
    await options.connection.hincrby(statsKey(options.queue), 'submitted', added);
    pending = [];
    options.onProgress?.(notes);
  };

  const closeJob = (): void => {
    if (current.length === 0) return;
    const id = createHash('sha256');
    for (const n of current) id.update(n.output).update('\0').update(n.sha256).update('\0');
    pending.push({ name: 'notes', data: { notes: current }, opts: { jobId: id.digest('hex').slice(0, 40) } });
    jobs += 1;
    current = [];
  };

  try {
    // Reading a few files at a time keeps memory flat on big folders.
    const width = 16;
    for (let i = 0; i < options.files.length; i += width) {
      const slice: InputFile[] = [];
      for (const f of options.files.slice(i, i + width)) {
        if (formatOf(f.path, 'auto') === 'text') slice.push(f);
        else {
          failed += 1;
          options.onProblem(f.display, new InputError('E165', 'a JSONL, CSV or FHIR file is not queued (a queue job carries text notes); redact it with `phi-redact redact`, in parallel with --workers').message);
        }
      }
      const loaded = await Promise.all(slice.map((f) => loadFile(f)));
      for (const note of loaded) {
        if (note.text === undefined || note.error !== undefined) {
          failed += 1;
          options.onProblem(note.file.display, note.error ?? 'E044 cannot read');
          continue;
        }
        current.push({
          output: note.file.output,
          input: note.file.path,
          size: note.size ?? 0,
          mtimeMs: note.mtimeMs ?? 0,
          sha256: note.sha256 ?? '',
          text: note.text,
        });
        notes += 1;
        if (current.length >= batch) closeJob();
      }
      if (pending.length >= 256) await flushJobs();
    }
    closeJob();
    await flushJobs();
  } finally {
    await queue.close();
  }
  return { notes, jobs, failed };
}
