import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Pipeline } from '../../../pipeline.js';
import { AuditCollector, runFingerprints, type AuditReport, type Fingerprints, type RunMode } from '../audit.js';
import type { InputFile } from '../../files/inputs.js';
import { loadPipeline, type LoadPipelineOptions } from '../../createPipeline.js';
import { PACKAGE_ROOT } from '../../paths.js';
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
  /** 1 = in this thread; default: the number of cores. */
  readonly workers?: number;
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
  return workers === 1 ? inProcessEngine(options.load) : poolEngine(options.load, workers);
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

async function poolEngine(load: LoadPipelineOptions, workers: number): Promise<RedactEngine> {
  const data: WorkerData = { load: { ...load, sharingCores: workers } };
  const pool = new Piscina({
    filename: workerFilename(),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: Infinity,
    workerData: data,
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
    redactFiles: async (files, batchOptions) =>
      stamp((await pool.run({ kind: 'files', files, options: batchOptions } satisfies WorkerTask)) as Stamped<FileOutcome[]>),
    pipelineLoads: () => [...loadsByThread.values()].reduce((a, b) => a + b, 0),
    close: () => pool.destroy(),
  };
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
