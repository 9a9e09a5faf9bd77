import { threadId, type MessagePort } from 'node:worker_threads';
import { workerData } from 'piscina';
import type { Pipeline } from '../../../pipeline.js';
import { runFingerprints, type Fingerprints } from '../audit.js';
import type { InputFile } from '../../files/inputs.js';
import { loadPipeline, type LoadPipelineOptions } from '../../createPipeline.js';
import { redactFileBatch, redactNoteBatch, type FileBatchOptions, type FileOutcome, type NoteOutcome, type NoteTask } from './tasks.js';

/**
 * Piscina worker entry. The pipeline (rule packs, NER model session) is built ONCE per worker
 * thread, when the thread starts; every task awaits that one load. A load failure (bad config,
 * missing model) rejects every task with the coded error, which the CLI shows as usage error.
 */

export interface WorkerData {
  readonly load: LoadPipelineOptions;
}

export type WorkerTask =
  | { readonly kind: 'info' }
  | { readonly kind: 'notes'; readonly notes: readonly NoteTask[]; readonly withSpans: boolean }
  | { readonly kind: 'files'; readonly files: readonly InputFile[]; readonly options: FileBatchOptions; readonly started?: MessagePort };

export interface WorkerInfo {
  readonly threadId: number;
  /** Pipeline builds in this thread so far: 1 when the once-per-worker promise holds. */
  readonly loads: number;
  readonly loadMs: number;
  readonly fingerprints: Fingerprints;
  readonly detectorIds: readonly string[];
}

/** Every batch result says which thread did it and how often that thread built its pipeline. */
export interface Stamped<T> {
  readonly threadId: number;
  readonly loads: number;
  readonly outcomes: T;
}

let loads = 0;
let loadMs = 0;

async function build(): Promise<Pipeline> {
  const started = performance.now();
  const pipeline = await loadPipeline((workerData as WorkerData).load);
  loads += 1;
  loadMs = Math.round(performance.now() - started);
  return pipeline;
}

const ready = build();
// Observed by every task; this keeps an early failure from being reported as unhandled.
ready.catch(() => undefined);

export default async function handle(task: WorkerTask): Promise<WorkerInfo | Stamped<NoteOutcome[]> | Stamped<FileOutcome[]>> {
  const pipeline = await ready;
  switch (task.kind) {
    case 'info':
      return { threadId, loads, loadMs, fingerprints: runFingerprints(pipeline), detectorIds: pipeline.detectors.map((d) => d.id) };
    case 'notes':
      return { threadId, loads, outcomes: await redactNoteBatch(pipeline, task.notes, task.withSpans) };
    case 'files':
      // The time budget's clock starts once the files are read (engine.ts runBudgeted), not while
      // the pipeline loaded, and scales with the notes they hold.
      return {
        threadId,
        loads,
        outcomes: await redactFileBatch(pipeline, task.files, task.options, (notes) => {
          task.started?.postMessage(notes);
          task.started?.close();
        }),
      };
  }
}
