import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditCollector } from '../audit.js';
import { describeError } from '../../../core/errors.js';
import { DIR_MODE } from '../../files/atomicWrite.js';
import type { InputFile } from '../../files/inputs.js';
import { formatManifestLine, MANIFEST_DIR, MANIFEST_FILE } from '../manifest.js';
import { compactManifest, planResume, type ResumePlan, readDoneRecords, removeStaleTempFiles, repairManifestTail } from '../resume.js';
import { mapOrdered } from '../stream/ordered.js';
import type { RedactEngine } from './engine.js';
import { NO_PROGRESS, type Progress } from './progress.js';
import type { FileOutcome } from './tasks.js';

/**
 * A folder run over an engine (in-process or worker pool): files go out in batches, several
 * batches in flight, and come back in input order, so the manifest is in input order whatever
 * the number of workers. Each finished batch's manifest lines are appended in one write; with
 * `resume`, notes already done under the same fingerprints are skipped (see resume.ts).
 */

export interface FolderRunOptions {
  readonly files: readonly InputFile[];
  /** Absolute out folder. */
  readonly outDir: string;
  readonly engine: RedactEngine;
  readonly audit: AuditCollector;
  readonly resume?: boolean;
  /** With `resume`: also redo notes an earlier run stopped at a per-note budget (E058, E059). */
  readonly retryFailed?: boolean;
  readonly emitSpans?: boolean;
  /** Permission bits of each output (default 0600). */
  readonly mode?: number;
  /**
   * SIGINT/SIGTERM: no new batch is started; the batches in hand are finished and their
   * manifest lines written, then the run returns with `interrupted`.
   */
  readonly signal?: AbortSignal;
  /** Files per batch sent to a worker (default 16). */
  readonly batchSize?: number;
  readonly onProblem: (display: string, message: string) => void;
  /** Called with the number of notes the run will skip and redo, before any work starts. */
  readonly makeProgress?: (total: number, alreadyDone: number) => Progress;
}

export interface FolderRunSummary {
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  readonly manifestPath: string;
  readonly staleTempFiles: number;
  /** Records of JSONL, CSV and FHIR files left out (malformed, or their detectors failed); each named by file and line. */
  readonly recordsFailed: number;
  /** Stopped early by `signal`: the notes not started are neither done nor failed. */
  readonly interrupted: boolean;
  /** Set when the manifest could not be written (disk full, ...): the run stopped there. PHI-free, coded. */
  readonly stopped?: string;
}

export async function runFolder(options: FolderRunOptions): Promise<FolderRunSummary> {
  const { engine, audit, outDir } = options;
  const manifestDir = join(outDir, MANIFEST_DIR);
  await mkdir(manifestDir, { recursive: true, mode: DIR_MODE });
  const manifestPath = join(manifestDir, MANIFEST_FILE);
  const fingerprint = engine.fingerprints.combined;

  const staleTempFiles = await removeStaleTempFiles(outDir);
  let todo: readonly InputFile[] = options.files;
  let skipped = 0;
  let stillFailed: ResumePlan['stillFailed'] = [];
  if (options.resume) {
    audit.resumed = true;
    await repairManifestTail(manifestPath);
    const plan = await planResume(options.files, await readDoneRecords(manifestPath), outDir, fingerprint, options.retryFailed === true);
    todo = plan.todo;
    skipped = plan.skip.length;
    stillFailed = plan.stillFailed;
    for (let i = 0; i < skipped; i++) audit.noteSkipped();
  }

  // Owner-only from its creation (the mode applies only when open creates the file).
  const manifest = await open(manifestPath, options.resume ? 'a' : 'w', 0o600);
  const progress = options.makeProgress?.(options.files.length, skipped) ?? NO_PROGRESS;
  let done = 0;
  let failed = 0;
  let recordsFailed = 0;
  let stopped: string | undefined;
  // Still failed from an earlier run (a budget overrun): counted and named again, their manifest lines kept.
  for (const { file, error } of stillFailed) {
    failed += 1;
    audit.noteFailed(error);
    options.onProblem(file.display, `${error}; not retried (--retry-failed redoes it)`);
  }
  progress.advance(stillFailed.length);
  try {
    const batchSize = options.batchSize ?? 16;
    async function* batches(): AsyncGenerator<InputFile[]> {
      for (let i = 0; i < todo.length; i += batchSize) {
        if (options.signal?.aborted) return;
        yield todo.slice(i, i + batchSize);
      }
    }
    const writeOptions = { outDir, emitSpans: options.emitSpans, ...(options.mode !== undefined ? { mode: options.mode } : {}) };
    const results = mapOrdered<InputFile, FileOutcome>(batches(), (files) => engine.redactFiles(files, writeOptions), {
      batchSize,
      maxBatchWeight: Infinity,
      weight: () => 1,
      concurrency: engine.workers * 2,
    });
    for await (const { items, results: outcomes } of results) {
      const lines: string[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        const entry = { ...outcome.entry, fingerprint };
        lines.push(formatManifestLine(entry));
        if (entry.status === 'done') {
          done += 1;
          audit.noteDone(outcome.counts ?? { labels: {}, detections: {}, kept: {} }, entry.size ?? 0, outcome.notes ?? 1);
          // A file of several notes came out without some records: each named by line, the run's exit says so.
          recordsFailed += entry.records?.failed ?? 0;
          for (const e of entry.recordErrors ?? []) {
            if (e.error.startsWith('E046')) audit.noteFailed(e.error);
            else audit.noteMalformed(e.error);
            options.onProblem(items[i]!.display, e.error);
          }
          const unlisted = (entry.records?.failed ?? 0) - (entry.recordErrors?.length ?? 0);
          if (unlisted > 0) options.onProblem(items[i]!.display, `${unlisted} more records left out (counted in the manifest)`);
        } else {
          failed += 1;
          audit.noteFailed(entry.error ?? 'E046');
          options.onProblem(items[i]!.display, entry.error ?? 'E046 failed');
        }
      }
      try {
        await manifest.write(lines.join(''));
      } catch (err) {
        // Without the manifest nothing records what is done; every later output would fail the same way.
        stopped = `E047 cannot write the manifest (${describeError(err)}): run stopped; free space, then --resume`;
        break;
      }
      progress.advance(outcomes.length);
    }
    if (stopped === undefined) await manifest.sync();
  } finally {
    progress.stop();
    await manifest.close().catch(() => undefined);
  }
  if (options.resume && stopped === undefined) await compactManifest(manifestPath, options.files.map((f) => f.manifestInput ?? f.path));
  return {
    done,
    failed,
    skipped,
    recordsFailed,
    manifestPath,
    staleTempFiles,
    interrupted: options.signal?.aborted === true && done + failed + skipped < options.files.length,
    ...(stopped !== undefined ? { stopped } : {}),
  };
}
