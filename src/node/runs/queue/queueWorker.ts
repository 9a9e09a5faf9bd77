import { hostname } from 'node:os';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { writeFileAtomic } from '../../files/atomicWrite.js';
import { writeAuditFile } from '../audit.js';
import { codeOf, describeError } from '../../../core/errors.js';
import { formatManifestLine, toManifestOutSpan, toManifestSpan, type ManifestEntry } from '../manifest.js';
import { auditFor, finishAudit, type RedactEngine } from '../pool/engine.js';
import type { NoteOutcome } from '../pool/tasks.js';
import { removeStaleTempFiles } from '../resume.js';
import { ensureOutDir } from '../runLock.js';
import {
  confinedOutput,
  deadLetterName,
  deadReasonsKey,
  fingerprintKey,
  parseNoteJob,
  QUEUE_PREFIX,
  statsKey,
  type DeadLetterData,
  type NoteJobData,
  type QueuedNote,
} from './jobs.js';
import { PhiRedactError } from '../../../core/errors.js';

/**
 * `phi-redact queue work`: takes jobs from the queue, redacts their notes on the engine (one
 * pipeline per worker thread) and writes each output atomically under `outDir`, exactly where a
 * folder run would. Any number of these processes, on any number of machines, can share one
 * queue: because surrogates and date shifts are keyed functions of (key, note), every worker
 * writes the same bytes a single process would.
 *
 * Safety nets, all BullMQ's:
 *  - retries with exponential backoff (set per job at submit);
 *  - stalled jobs: a worker that dies stops renewing its job locks; after `lockMs` another
 *    worker's stalled check puts the job back (up to `maxStalledCount` times, then it fails);
 *  - dead letter: a job on its last attempt that fails is first copied to `<queue>-dead`
 *    (before BullMQ marks it failed, so a crash in between cannot lose it) and then failed.
 *
 * Each process keeps its own manifest (`.phi-redact/manifest.<host>-<pid>.jsonl`) and, when it
 * stops, its own audit report, so processes sharing an out folder never write the same file.
 * Output files are written with temp+rename, so two workers redoing the same note (after a
 * stall) leave one complete output either way.
 */

export interface QueueWorkerOptions {
  readonly connection: Redis;
  readonly queue: string;
  readonly outDir: string;
  readonly engine: RedactEngine;
  /** Jobs in progress at once (default: two per engine worker, so every thread stays busy). */
  readonly concurrency?: number;
  /** Job lock time; a dead worker's jobs are recovered after about this long. */
  readonly lockMs?: number;
  readonly maxStalledCount?: number;
  /**
   * Temp files older than this are a killed writer's leftovers and are deleted when this worker
   * starts and when it stops (default 15 min; younger ones may belong to live workers).
   */
  readonly staleTempMs?: number;
  /** Stop once the queue has had no waiting, active or delayed jobs for this long. */
  readonly untilEmptyMs?: number;
  readonly signal?: AbortSignal;
  /** The surrogate scope (patient id) of a note, computed as the folder run does. */
  readonly scopeOf?: (note: QueuedNote) => { scope?: string };
  readonly onProblem: (where: string, message: string) => void;
}

export interface QueueWorkerSummary {
  readonly done: number;
  readonly failed: number;
  readonly deadLettered: number;
  readonly auditPath: string;
}

export class FingerprintMismatchError extends PhiRedactError {
  override name = 'FingerprintMismatchError';

  constructor(queue: string) {
    super(
      'E081',
      `this worker's config/rules/model/key fingerprint differs from the one queue "${queue}" was started with; ` +
        'every worker must share the same config, rules, model and key',
    );
  }
}

export function workerId(): string {
  return `${hostname()}-${process.pid}`;
}

export async function runQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerSummary> {
  const { connection, engine, outDir } = options;
  const fingerprint = engine.fingerprints.combined;
  // The first worker fixes the queue's fingerprint; a worker with another config refuses to run.
  await connection.set(fingerprintKey(options.queue), fingerprint, 'NX');
  const expected = await connection.get(fingerprintKey(options.queue));
  if (expected !== fingerprint) throw new FingerprintMismatchError(options.queue);

  const id = workerId();
  const manifestDir = await ensureOutDir(outDir, outDir);
  // Only old leftovers: other workers may be writing into the same folder right now.
  const staleTempMs = options.staleTempMs ?? 15 * 60_000;
  await removeStaleTempFiles(outDir, staleTempMs).catch(() => 0);
  const manifest: FileHandle = await open(join(manifestDir, `manifest.${id}.jsonl`), 'a', 0o600);
  const audit = auditFor('queue', engine);
  const dead = new Queue<DeadLetterData>(deadLetterName(options.queue), { connection, prefix: QUEUE_PREFIX });
  let deadLettered = 0;

  const processJob = async (job: Job<NoteJobData>): Promise<{ done: number }> => {
    // Jobs come from the network: a job that is not a note job is dead-lettered at once (E084).
    const parsed = parseNoteJob(job.data);
    const notes = parsed.ok ? parsed.notes : [];
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      if (!parsed.ok) throw new UnrecoverableError(parsed.reason);
      const targets: string[] = [];
      for (const n of notes) {
        const target = await confinedOutput(outDir, n.output);
        if (target === null) throw new UnrecoverableError('E082 job names an output path outside the out folder, under .phi-redact/, or through a link out of it');
        targets.push(target);
      }
      const outcomes = await engine.redactNotes(
        notes.map((n) => ({ text: n.text, noteId: n.output, ...(options.scopeOf?.(n) ?? {}) })),
        true,
      );
      const lines: string[] = [];
      const failures: string[] = [];
      for (const [i, note] of notes.entries()) {
        const outcome = outcomes[i]!;
        if (!outcome.ok) {
          failures.push(`${note.output}: ${outcome.error}`);
          continue;
        }
        await writeFileAtomic(targets[i]!, outcome.text);
        lines.push(formatManifestLine(manifestEntry(note, outcome, fingerprint)));
        audit.noteDone(outcome.counts, note.size);
      }
      if (lines.length > 0) await manifest.write(lines.join(''));
      if (failures.length > 0) throw new Error(`E046 ${failures.length} note(s) failed detection (${failures[0]})`);
      await connection.hincrby(statsKey(options.queue), 'done', notes.length);
      return { done: notes.length };
    } catch (err) {
      const error = describeError(err);
      if (lastAttempt || err instanceof UnrecoverableError) {
        const data: DeadLetterData = { jobId: job.id ?? '', error, attempts: job.attemptsMade + 1, outputs: notes.map((n) => n.output), notes };
        // A derived id: recording the same job twice (a crash right after this line) keeps one entry.
        // ("dead-" also keeps BullMQ from refusing the integer-like ids it gives jobs added without one.)
        await dead.add('dead', data, { jobId: `dead-${job.id ?? 'unknown'}`, removeOnComplete: false, removeOnFail: false });
        // A malformed job counts as one note: how many it meant to carry is unknown.
        const count = Math.max(1, notes.length);
        await connection.hincrby(statsKey(options.queue), 'dead', count);
        await connection.hincrby(deadReasonsKey(options.queue), codeOf(error) ?? 'uncoded', count);
        deadLettered += count;
        const reason = `${error.split(' (')[0]} after ${job.attemptsMade + 1} attempt(s); moved to ${deadLetterName(options.queue)}`;
        for (let i = 0; i < count; i++) audit.noteFailed(error);
        if (notes.length === 0) options.onProblem(`job ${printableJobId(job.id)}`, reason);
        for (const n of notes) options.onProblem(n.output, reason);
      }
      // Only PHI-free text travels into Redis as the job's failure reason.
      throw err instanceof UnrecoverableError ? err : new Error(error);
    }
  };

  const worker = new Worker<NoteJobData>(options.queue, processJob, {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: options.concurrency ?? engine.workers * 2,
    lockDuration: options.lockMs ?? 60_000,
    stalledInterval: Math.max(1000, Math.floor((options.lockMs ?? 60_000) / 2)),
    maxStalledCount: options.maxStalledCount ?? 2,
    autorun: false,
    name: id,
  });
  worker.on('error', (err) => options.onProblem('queue', `worker error (${describeError(err)})`));

  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.untilEmptyMs !== undefined) {
      const queue = new Queue(options.queue, { connection, prefix: QUEUE_PREFIX });
      let emptySince: number | undefined;
      const timer = setInterval(() => {
        void queue
          .getJobCounts('waiting', 'active', 'delayed', 'prioritized')
          .then((c) => {
            const open = Object.values(c).reduce((a, b) => a + b, 0);
            if (open > 0) emptySince = undefined;
            else if (emptySince === undefined) emptySince = Date.now();
            else if (Date.now() - emptySince >= options.untilEmptyMs!) {
              clearInterval(timer);
              void queue.close().finally(stop);
            }
          })
          .catch(() => undefined);
      }, 200);
    }
  });

  const running = worker.run();
  await stopped;
  // Finishes the jobs in hand (their outputs and manifest lines are written) before returning.
  await worker.close();
  await running.catch(() => undefined);
  await dead.close();
  await removeStaleTempFiles(outDir, staleTempMs).catch(() => 0);
  await manifest.sync().catch(() => undefined);
  await manifest.close();
  const auditPath = join(manifestDir, `audit.${id}.json`);
  await writeAuditFile(auditPath, finishAudit(audit, engine));
  return { done: audit.done, failed: audit.failed, deadLettered, auditPath };
}

/** Job ids are ours (hashes) unless the job was planted: print only a plain short one. */
function printableJobId(id: string | undefined): string {
  return id !== undefined && /^[\w-]{1,64}$/.test(id) ? id : '(id not shown)';
}

function manifestEntry(note: QueuedNote, outcome: Extract<NoteOutcome, { ok: true }>, fingerprint: string): ManifestEntry {
  return {
    input: note.input,
    output: note.output,
    size: note.size,
    mtimeMs: note.mtimeMs,
    sha256: note.sha256,
    status: 'done',
    spans: outcome.spans.map(toManifestSpan),
    outSpans: outcome.spans.map(toManifestOutSpan),
    fingerprint,
  };
}
