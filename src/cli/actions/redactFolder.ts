import { resolve } from 'node:path';
import type { Config } from '../../core/config.js';
import { describeError, UsageError } from '../../core/errors.js';
import { defaultGlobFor } from '../../node/files/globs.js';
import { hashFileNames, nameHasher } from '../../node/files/hashNames.js';
import { collectInputs, displayPath } from '../../node/files/inputs.js';
import { formatSummary, writeAudit } from '../../node/runs/audit.js';
import { auditFor, createEngine, finishAudit, workersFor } from '../../node/runs/pool/engine.js';
import { runFolder } from '../../node/runs/pool/folderRun.js';
import { lockOutDir } from '../../node/runs/runLock.js';
import { createProgress } from '../../node/runs/pool/progress.js';
import { noteScope } from '../../node/surrogates.js';
import { attachKnown } from '../../node/runs/knownIdentifiers.js';
import { EXIT, type CliIO } from '../io.js';
import { abortOnSignals } from '../../node/runs/signals.js';
import type { RedactOptions } from './redactOptions.js';
import type { KnownSidecar } from '../../node/runs/knownIdentifiers.js';
import type { LoadPipelineOptions } from '../../node/createPipeline.js';

/** A folder or file run of `phi-redact redact` (--out): loaded only for those, so that a stdin run starts without the folder machinery. */

/** What the stdin-or-folder checks in redact.ts settled, handed over as they are. */
export interface FolderRun {
  readonly config: Config;
  readonly mode: number | undefined;
  readonly noteSeconds: number | undefined;
  readonly workerMemoryMb: number | undefined;
  readonly requestedWorkers: number | undefined;
  readonly sidecar: KnownSidecar | undefined;
  readonly load: LoadPipelineOptions;
  readonly finish: () => Promise<void>;
  readonly nameKey: Uint8Array | undefined;
  readonly onProblem: (where: string, message: string) => void;
}

export async function redactFolder(paths: readonly string[], options: RedactOptions, io: CliIO, run: FolderRun): Promise<number> {
  const { config, mode, noteSeconds, workerMemoryMb, requestedWorkers, sidecar, load, finish, nameKey, onProblem } = run;
  const outDir = resolve(io.cwd, options.out!);
  const collected = await collectInputs(paths, { cwd: io.cwd, outDir, glob: options.glob ?? defaultGlobFor(config.input.format) }).catch((err: unknown) => {
    // Its usage errors name two inputs: not with --hash-names.
    if (nameKey !== undefined && err instanceof UsageError) {
      throw new UsageError('two inputs would be written to the same output, or an output would replace an input (names not shown: --hash-names)');
    }
    throw err;
  });
  const hasher = nameKey === undefined ? undefined : nameHasher(nameKey);
  const named = sidecar === undefined ? collected.files : attachKnown(collected.files, sidecar, (f) => noteScope(config, { path: f.path }).scope, io.cwd);
  const files = hasher === undefined ? named : hashFileNames(named, hasher);
  const problems = hasher === undefined ? collected.problems : collected.problems.map((p) => ({ ...p, display: hasher.hidden(p.display) }));
  if (files.length === 0 && problems.length > 0) {
    // Nothing to redact (every input missing or unreadable): say why and write nothing, no out folder.
    for (const p of problems) onProblem(p.display, p.error.message);
    return EXIT.SOME_FAILED;
  }
  // Budgets need pool workers (a thread can be stopped mid-regex; this one cannot): even for one
  // worker, except with an explicit --workers 1 (in this process, no budgets: debugging, tests).
  const budget = requestedWorkers === 1 ? undefined : { noteSeconds: noteSeconds ?? config.limits.noteSeconds, workerMemoryMb: workerMemoryMb ?? config.limits.workerMemoryMb };
  const engine = await createEngine({ load, workers: requestedWorkers ?? workersFor(files.length), ...(budget !== undefined ? { budget } : {}) });
  let unlock: (() => Promise<void>) | undefined;
  try {
    unlock = await lockOutDir(outDir, options.out!);
    for (const p of problems) onProblem(p.display, p.error.message);
    const audit = auditFor('folder', engine);
    for (const p of problems) audit.noteFailed(p.error.message);
    const showProgress = io.isTTY && !options.quiet && !options.json;
    const stop = abortOnSignals();
    const summary = await runFolder({
      files,
      outDir,
      engine,
      audit,
      resume: options.resume === true,
      retryFailed: options.retryFailed === true,
      emitSpans: options.emit === 'spans',
      ...(mode !== undefined ? { mode } : {}),
      signal: stop.signal,
      onProblem,
      ...(showProgress ? { makeProgress: (total: number, already: number) => createProgress(io.stderr, total, already) } : {}),
    });
    stop.dispose();
    if (summary.stopped !== undefined) onProblem(displayPath(summary.manifestPath, io.cwd), summary.stopped);
    const report = finishAudit(audit, engine);
    // A full disk must not turn into an internal error: say which file, keep the exit code honest.
    await writeAudit(outDir, report).catch((err: unknown) => onProblem(displayPath(outDir, io.cwd), `E047 cannot write the audit report (${describeError(err)})`));
    const notAttempted = summary.stopped === undefined ? 0 : files.length - summary.done - summary.failed - summary.skipped;
    const failed = summary.failed + problems.length + notAttempted;
    if (options.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else if (!options.quiet) {
      const skipped = options.resume ? `, ${summary.skipped} skipped (already done)` : '';
      // Notes, not files: a JSONL, CSV or FHIR file counts each record it held.
      const notes = report.notes.done;
      const leftOut = summary.recordsFailed > 0 ? `, ${summary.recordsFailed} record${summary.recordsFailed === 1 ? '' : 's'} left out` : '';
      io.stdout.write(
        `phi-redact: ${notes} note${notes === 1 ? '' : 's'} redacted, ${failed} failed${leftOut}${skipped} -> ${options.out} ` +
          `(manifest: ${options.out!.replace(/\/+$/, '')}/.phi-redact/manifest.jsonl)\n`,
      );
      if (io.isTTY) io.stderr.write(formatSummary(report));
    }
    if (summary.interrupted) {
      io.stderr.write(`phi-redact: interrupted: the notes in hand were finished and the manifest written; --resume does the rest\n`);
      return EXIT.INTERRUPTED;
    }
    return failed > 0 || summary.recordsFailed > 0 ? EXIT.SOME_FAILED : EXIT.OK;
  } finally {
    await unlock?.();
    await engine.close();
    await finish();
  }
}
