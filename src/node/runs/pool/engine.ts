import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { InputError } from '../../../core/errors.js';
import type { Pipeline } from '../../../pipeline.js';
import { AuditCollector, runFingerprints, type AuditReport, type Fingerprints, type RunMode } from '../audit.js';
import type { InputFile } from '../../files/inputs.js';
import { loadPipeline, type LoadPipelineOptions } from '../../createPipeline.js';
import { PACKAGE_ROOT } from '../../paths.js';
import { fileFacts, failedEntry } from '../noteFiles.js';
import { redactFileBatch, redactNoteBatch, type FileBatchOptions, type FileOutcome, type NoteOutcome, type NoteTask } from './tasks.js';
import type { Stamped, WorkerData, WorkerInfo, WorkerTask } from './poolWorker.js';

/**
 * Where notes get redacted: in this thread (`workers: 1`) or in a piscina pool of worker
 * threads, each holding its own pipeline loaded once. Callers see one interface, so streams,
 * folder runs and queue workers do not care which, and the outputs are the same bytes.
 */
export interface RedactEngine {
  readonly workers: number;
  readonly fingerprints: Fingerprints;
  readonly detectorIds: readonly string[];
  /** Milliseconds the (slowest) pipeline load took. */
  readonly loadMs: number;
  redactNotes(tasks: readonly NoteTask[], withSpans: boolean): Promise<NoteOutcome[]>;
  redactFiles(files: readonly InputFile[], options: FileBatchOptions): Promise<FileOutcome[]>;
  /** Pipeline builds over all threads that did work (one per worker when loading is right). */
  pipelineLoads(): number;
  close(): Promise<void>;
}

export interface EngineOptions {
  readonly load: LoadPipelineOptions;
  /** 1 = in this thread (unless `budget` is given); default: the number of cores. */
  readonly workers?: number;
  /**
   * Per-note budgets of folder runs (config `limits`). Given, the notes always go to pool
   * workers, even one: only a worker thread can be stopped in the middle of a regex.
   */
  readonly budget?: NoteBudget;
}

/** 0 or absent: no limit. */
export interface NoteBudget {
  /** Seconds a note may run, counted from when its worker starts on it (its pipeline loaded). */
  readonly noteSeconds?: number;
  /** V8 old-generation heap of each worker thread, in MB. */
  readonly workerMemoryMb?: number;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The default pool size for a folder run: one worker per core, but never more workers than
 * batches of files, so a handful of notes is redacted in-process without starting threads.
 */
export function workersFor(files: number, batchSize = 16): number {
  return Math.max(1, Math.min(defaultWorkers(), Math.ceil(files / batchSize)));
}

export async function createEngine(options: EngineOptions): Promise<RedactEngine> {
  const workers = Math.max(1, Math.floor(options.workers ?? defaultWorkers()));
  const budget = options.budget;
  const budgeted = budget !== undefined && ((budget.noteSeconds ?? 0) > 0 || (budget.workerMemoryMb ?? 0) > 0);
  return workers === 1 && !budgeted ? inProcessEngine(options.load) : poolEngine(options.load, workers, budgeted ? budget : undefined);
}

async function inProcessEngine(load: LoadPipelineOptions): Promise<RedactEngine> {
  const started = performance.now();
  const pipeline: Pipeline = await loadPipeline(load);
  const loadMs = Math.round(performance.now() - started);
  return {
    workers: 1,
    fingerprints: runFingerprints(pipeline),
    detectorIds: pipeline.detectors.map((d) => d.id),
    loadMs,
    redactNotes: (tasks, withSpans) => redactNoteBatch(pipeline, tasks, withSpans),
    redactFiles: (files, batchOptions) => redactFileBatch(pipeline, files, batchOptions),
    pipelineLoads: () => 1,
    close: () => pipeline.dispose(),
  };
}

/** The compiled worker entry (vitest runs src/, whose sibling is a .ts file: use dist/). */
export function workerFilename(): string {
  const sibling = fileURLToPath(new URL('./poolWorker.js', import.meta.url));
  return existsSync(sibling) ? sibling : join(PACKAGE_ROOT, 'dist', 'node', 'runs', 'pool', 'poolWorker.js');
}

async function poolEngine(load: LoadPipelineOptions, workers: number, budget?: NoteBudget): Promise<RedactEngine> {
  const data: WorkerData = { load: { ...load, sharingCores: workers } };
  const memoryMb = budget?.workerMemoryMb ?? 0;
  // Imported here: a stream or a handful of notes runs in this process and never needs the pool.
  const { Piscina } = await import('piscina');
  const pool = new Piscina({
    filename: workerFilename(),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: Infinity,
    workerData: data,
    ...(memoryMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: memoryMb } } : {}),
  });
  const loadsByThread = new Map<number, number>();
  const stamp = <T>(result: Stamped<T>): T => {
    loadsByThread.set(result.threadId, Math.max(loadsByThread.get(result.threadId) ?? 0, result.loads));
    return result.outcomes;
  };
  let infos: WorkerInfo[];
  try {
    // One info task per thread: each waits for its thread's load, so all loads fail fast here.
    infos = (await Promise.all(Array.from({ length: workers }, () => pool.run({ kind: 'info' } satisfies WorkerTask)))) as WorkerInfo[];
  } catch (err) {
    await pool.destroy();
    throw err;
  }
  for (const info of infos) loadsByThread.set(info.threadId, Math.max(loadsByThread.get(info.threadId) ?? 0, info.loads));
  const first = infos[0]!;
  return {
    workers,
    fingerprints: first.fingerprints,
    detectorIds: first.detectorIds,
    loadMs: Math.max(...infos.map((i) => i.loadMs)),
    redactNotes: async (tasks, withSpans) =>
      stamp((await pool.run({ kind: 'notes', notes: tasks, withSpans } satisfies WorkerTask)) as Stamped<NoteOutcome[]>),
    redactFiles: async (files, batchOptions) => {
      const run = async (batch: readonly InputFile[]): Promise<FileOutcome[]> =>
        stamp((await runBudgeted(pool, { kind: 'files', files: batch, options: batchOptions }, budget?.noteSeconds ?? 0)) as Stamped<FileOutcome[]>);
      if (budget === undefined) return run(files);
      return runIsolating(files, run, { noteSeconds: budget.noteSeconds ?? 0, workerMemoryMb: memoryMb });
    },
    pipelineLoads: () => [...loadsByThread.values()].reduce((a, b) => a + b, 0),
    close: () => pool.destroy(),
  };
}

/** Why a pool task was stopped by a budget, or undefined for any other failure. */
type Overrun = 'time' | 'memory';

class TimeBudgetExceeded extends Error {
  override name = 'TimeBudgetExceeded';
}

function overrunOf(err: unknown): Overrun | undefined {
  if (!(err instanceof Error)) return undefined;
  if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') return 'memory';
  if (err.name === 'AbortError' && err.cause instanceof TimeBudgetExceeded) return 'time';
  return undefined;
}

/**
 * One pool task with a time budget of `secondsPerNote` for each note it holds, whose clock starts
 * when the worker reports it has begun (its pipeline loaded, its files read) and how many notes
 * the files held (a CSV or JSONL file holds many), so neither waiting in the queue nor a
 * replacement worker's model load counts.
 * Past the budget the task is aborted, and piscina terminates the thread it runs on (a regex
 * cannot be interrupted any other way) and starts a fresh one.
 */
async function runBudgeted(pool: Piscina, task: WorkerTask, secondsPerNote: number): Promise<unknown> {
  if (!(secondsPerNote > 0)) return pool.run(task);
  const { port1, port2 } = new MessageChannel();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  port1.once('message', (notes: number) => {
    timer = setTimeout(() => abort.abort(new TimeBudgetExceeded()), Math.ceil(secondsPerNote * Math.max(1, notes) * 1000));
  });
  try {
    return await pool.run({ ...task, started: port2 }, { signal: abort.signal, transferList: [port2] });
  } finally {
    clearTimeout(timer);
    port1.close();
  }
}

/**
 * A batch that overran a budget is redone one note per task, so the note that overruns is found
 * and failed alone (E058 time, E059 memory) and the others of its batch are redacted.
 */
async function runIsolating(
  files: readonly InputFile[],
  run: (batch: readonly InputFile[]) => Promise<FileOutcome[]>,
  budget: { readonly noteSeconds: number; readonly workerMemoryMb: number },
): Promise<FileOutcome[]> {
  const alone = async (file: InputFile, overrun: Overrun): Promise<FileOutcome> => {
    const reason =
      overrun === 'time'
        ? new InputError('E058', `stopped after the per-note time budget (${budget.noteSeconds} s, limits.noteSeconds / --note-seconds)`)
        : new InputError('E059', `stopped at the worker memory budget (${budget.workerMemoryMb} MB, limits.workerMemoryMb / --worker-memory)`);
    return { entry: failedEntry(await fileFacts(file), reason.message) };
  };
  try {
    return await run(files);
  } catch (err) {
    const overrun = overrunOf(err);
    if (overrun === undefined) throw err;
    if (files.length === 1) return [await alone(files[0]!, overrun)];
  }
  const out: FileOutcome[] = [];
  for (const file of files) {
    try {
      out.push(...(await run([file])));
    } catch (err) {
      const overrun = overrunOf(err);
      if (overrun === undefined) throw err;
      out.push(await alone(file, overrun));
    }
  }
  return out;
}

/** An audit collector for a run on `engine`: its fingerprints, detectors, workers and load time. */
export function auditFor(mode: RunMode, engine: RedactEngine): AuditCollector {
  const audit = new AuditCollector(mode, engine.fingerprints, engine.detectorIds);
  audit.workers = engine.workers;
  audit.pipelineLoadMs = engine.loadMs;
  return audit;
}

/** The audit report at the end of a run: how many pipelines the engine ended up loading is known only now. */
export function finishAudit(audit: AuditCollector, engine: RedactEngine): AuditReport {
  audit.pipelineLoads = engine.pipelineLoads();
  return audit.report();
}
