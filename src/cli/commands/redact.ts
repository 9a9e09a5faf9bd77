import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { type Config, RECORD_FORMATS, type RecordFormat } from '../../core/config.js';
import { ConfigError, describeError, UsageError } from '../../core/errors.js';
import { encodingName } from '../../node/files/decodeNote.js';
import { defaultGlobFor } from '../../node/formats/readFormats.js';
import { hashFileNames, nameHasher } from '../../node/files/hashNames.js';
import { collectInputs, DEFAULT_GLOB, displayPath } from '../../node/files/inputs.js';
import { formatSummary, writeAudit, writeAuditFile } from '../../node/runs/audit.js';
import { auditFor, createEngine, finishAudit, workersFor } from '../../node/runs/pool/engine.js';
import { setUpRun } from '../../node/runs/setup.js';
import { runFolder } from '../../node/runs/pool/folderRun.js';
import { lockOutDir } from '../../node/runs/runLock.js';
import { createProgress } from '../../node/runs/pool/progress.js';
import { loadConfig } from '../../node/createPipeline.js';
import { noteScope } from '../../node/surrogates.js';
import { attachKnown, knownOfRecord, readKnownSidecar } from '../../node/runs/knownIdentifiers.js';
import { DEFAULT_SEPARATOR } from '../../node/runs/stream/records.js';
import { runStream, STDIN_NAME } from '../../node/runs/stream/streamRun.js';
import { parseDetectorsOption } from '../options.js';
import { CliError, EXIT, type CliIO, type RegisterCommand } from '../io.js';
import { abortOnSignals } from '../../node/runs/signals.js';

interface RedactOptions {
  out?: string;
  glob?: string;
  config?: string;
  detectors?: string;
  policy?: 'tag' | 'mask' | 'surrogate';
  keyFile?: string;
  mode?: string;
  vault?: string;
  format?: RecordFormat;
  encoding?: string;
  textColumn?: string;
  idColumn?: string;
  emit?: 'spans';
  workers?: string;
  resume?: boolean;
  retryFailed?: boolean;
  noteSeconds?: string;
  workerMemory?: string;
  quiet?: boolean;
  json?: boolean;
  onError: 'skip' | 'fail';
  separator: string;
  audit?: string;
  hashNames?: boolean;
  known?: string;
}

export const registerRedact: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('redact')
    .description('Redact notes: files and folders into --out (mirrored tree), or "-" for stdin to stdout.')
    .argument('<paths...>', 'files and folders to redact, or "-" for stdin')
    .option('-o, --out <dir>', 'output folder (required for files and folders)')
    .option('--glob <pattern>', `which files in folders to redact (default ${DEFAULT_GLOB}; with --format jsonl, csv or fhir: *.jsonl/*.ndjson, *.csv, *.json)`)
    .option('-c, --config <file>', 'YAML or JSON config file')
    .option('--detectors <list>', 'comma-separated detectors: rules,dictionaries,ner (default: the config\'s, rules,dictionaries,ner)')
    .addOption(new Option('--policy <operator>', 'operator for every label the config does not name').choices(['tag', 'mask', 'surrogate', 'keep']))
    .option('--key-file <file>', 'secret for surrogates and date shifts (else $PHI_REDACT_KEY; else a random key for this run)')
    .option('--vault <file>', 'record original -> surrogate pairs, encrypted under the key, for `phi-redact reidentify`')
    .addOption(
      new Option('--format <format>', 'how inputs are read: one text note, JSONL, CSV or FHIR R4 JSON (default: files by extension, stdin text)').choices([...RECORD_FORMATS]),
    )
    .option('--encoding <label>', 'the inputs\' character encoding, e.g. windows-1252 or latin1 (default utf-8); outputs are UTF-8')
    .option('--text-column <name>', 'CSV: the column to redact (default "text")')
    .option('--id-column <name>', 'CSV: the column naming each record in the vault (default "id")')
    .addOption(new Option('--emit <what>', 'also emit the spans (jsonl: a "spans" field; folders: <file>.spans.json)').choices(['spans']))
    .option('--workers <n>', 'worker threads, each with its own loaded pipeline; 1 = in this process, without per-note budgets (default: folders, the number of cores; stdin, 1)')
    .option('--note-seconds <s>', 'folders: a note running longer is stopped and failed (E058), the run goes on; 0 = no limit (default: config limits.noteSeconds, 900)')
    .option('--worker-memory <MB>', 'folders: JS heap of each worker; a note needing more is stopped and failed (E059); 0 = no limit (default: config limits.workerMemoryMb, 4096)')
    .option('--mode <octal>', 'permission bits of each output file (default 600: owner only)')
    .option('--resume', 'skip notes a killed or earlier run already finished with the same config, rules, model and key; redo the rest (not notes it stopped at a budget, E058/E059)')
    .option('--retry-failed', 'with --resume: also redo the notes an earlier run stopped at a per-note budget (E058, E059)')
    .option('--quiet', 'no progress bar and no summary (errors are still reported)')
    .option('--json', 'print the run summary (the audit report) as JSON: to stdout for folders, to stderr for stdin')
    .addOption(new Option('--on-error <mode>', 'stdin: a malformed or failed note is skipped and counted, or ends the run').choices(['skip', 'fail']).default('skip'))
    .option('--separator <marker>', 'stdin --format text: the line that separates notes', DEFAULT_SEPARATOR)
    .option('--hash-names', 'name outputs (and the manifest\'s inputs) by a keyed hash of the input name, never printing file names (needs --key-file or $PHI_REDACT_KEY)')
    .option('--known <file>', "folders: known identifiers per note (JSONL or CSV keyed by file or patient_id; see README 'Adapting to your site'): found, redacted, never written")
    .option('--audit <file>', 'stdin: also write the audit report to this file (folders always write <out>/.phi-redact/audit.json)')
    .action(async (paths: string[], options: RedactOptions) => {
      setExit(await redactCommand(paths, options, io));
    });
};

async function redactCommand(paths: readonly string[], options: RedactOptions, io: CliIO): Promise<number> {
  const fromStdin = paths.includes('-');
  if (fromStdin && paths.length > 1) throw new CliError('"-" (stdin) cannot be combined with other paths');
  if (fromStdin && options.out !== undefined) throw new CliError('--out is for files and folders; stdin is redacted to stdout');
  if (!fromStdin && options.out === undefined) throw new CliError('--out <dir> is required when redacting files and folders');
  if (options.encoding !== undefined && encodingName(options.encoding) === undefined) {
    throw new ConfigError('E140', `--encoding "${options.encoding}" is not an encoding Node can decode (e.g. utf-8, windows-1252, latin1)`);
  }
  if (fromStdin && options.resume) throw new CliError('--resume is for folder runs (--out); a stream has no manifest');
  if (options.retryFailed && !options.resume) throw new CliError('--retry-failed goes with --resume');
  if (fromStdin && (options.noteSeconds !== undefined || options.workerMemory !== undefined)) {
    throw new CliError('--note-seconds and --worker-memory are for folder runs (--out)');
  }
  if (!fromStdin && options.audit !== undefined) throw new CliError('--audit is for stdin; folder runs write <out>/.phi-redact/audit.json');
  if (fromStdin && options.mode !== undefined) throw new CliError('--mode is for folder runs (--out); stdin is redacted to stdout');
  if (fromStdin && options.hashNames) throw new CliError('--hash-names is for folder runs (--out); stdin has no file names');
  if (fromStdin && options.known !== undefined) throw new CliError('--known is for folder runs (--out); JSONL records on stdin carry their own field (config site.knownField)');
  const mode = options.mode === undefined ? undefined : parseMode(options.mode);
  const detectors = options.detectors === undefined ? undefined : parseDetectorsOption(options.detectors);
  const requestedWorkers = options.workers === undefined ? undefined : parseWorkers(options.workers);
  if (requestedWorkers === 1 && (options.noteSeconds !== undefined || options.workerMemory !== undefined)) {
    throw new CliError('--note-seconds and --worker-memory need pool workers: --workers 1 runs in this process, without budgets');
  }
  const noteSeconds = options.noteSeconds === undefined ? undefined : parseBudget('--note-seconds', options.noteSeconds, 86_400, false);
  const workerMemoryMb = options.workerMemory === undefined ? undefined : parseBudget('--worker-memory', options.workerMemory, 1_048_576, true);

  const configPath = options.config === undefined ? undefined : resolve(io.cwd, options.config);
  let config: Config = await loadConfig(configPath);
  if (options.policy !== undefined) config = { ...config, policy: { ...config.policy, DEFAULT: options.policy } };
  // How inputs are read is part of the config, so the run fingerprint (and --resume) covers it.
  config = {
    ...config,
    input: {
      format: options.format ?? config.input.format,
      encoding: options.encoding ?? config.input.encoding,
      csv: { textColumn: options.textColumn ?? config.input.csv.textColumn, idColumn: options.idColumn ?? config.input.csv.idColumn },
    },
  };
  const stdinFormat = config.input.format === 'auto' ? 'text' : config.input.format;
  if (fromStdin && (stdinFormat === 'csv' || stdinFormat === 'fhir')) throw new CliError(`--format ${stdinFormat} is for files and folders (--out); stdin reads text or jsonl`);
  if (fromStdin && encodingName(config.input.encoding)?.startsWith('utf-16') === true) {
    throw new CliError('stdin is split into records on newline bytes: --encoding must be UTF-8 or a single-byte encoding there (convert UTF-16 first, or redact the file with --out)');
  }
  if (fromStdin && stdinFormat === 'text' && options.emit === 'spans') {
    throw new CliError('--emit spans needs --format jsonl (stdin) or an --out folder');
  }
  const sidecar = options.known === undefined ? undefined : readKnownSidecar(resolve(io.cwd, options.known), options.known, config.site.knownField);
  // One key for the whole run (every worker gets the same), and the vault's lifecycle.
  const { load: loadBase, finish, nameKey } = await setUpRun({
    config,
    configPath,
    cwd: io.cwd,
    detectors,
    keyFile: options.keyFile,
    env: io.env,
    vault: options.vault,
    hashNames: options.hashNames === true,
    onWarning: (warning) => void io.stderr.write(`phi-redact: ${warning}\n`),
  });

  const load = sidecar === undefined ? loadBase : { ...loadBase, fingerprints: { 'site/known-sidecar': sidecar.fingerprint } };
  const onProblem = (where: string, message: string): void => {
    io.stderr.write(`phi-redact: ${where}: ${message}\n`);
  };

  if (fromStdin) {
    const engine = await createEngine({ load, workers: requestedWorkers ?? 1 });
    try {
      const audit = auditFor('stream', engine);
      const stop = abortOnSignals();
      const summary = await runStream({
        input: io.stdin as AsyncIterable<Uint8Array>,
        signal: stop.signal,
        output: io.stdout,
        format: stdinFormat === 'jsonl' ? 'jsonl' : 'text',
        encoding: config.input.encoding,
        separator: options.separator,
        onError: options.onError,
        emitSpans: options.emit === 'spans',
        engine,
        audit,
        onProblem,
        // JSONL records: the patient id field (surrogate.patientId.field) picks the scope.
        scopeOf: (record) => {
          const fields = (record as { fields?: unknown } | undefined)?.fields;
          return fields === undefined ? {} : noteScope(config, { record: fields });
        },
        // JSONL records: the known-identifier field (site.knownField) is read, used and dropped.
        ...(stdinFormat === 'jsonl' ? { knownOf: (record: unknown) => knownOfRecord(record, config.site.knownField), knownField: config.site.knownField } : {}),
      }).finally(() => stop.dispose());
      const report = finishAudit(audit, engine);
      if (options.audit !== undefined) await writeAuditFile(resolve(io.cwd, options.audit), report);
      if (summary.interrupted === true) {
        io.stderr.write(`phi-redact: ${STDIN_NAME}: interrupted after ${summary.done} note${summary.done === 1 ? '' : 's'}: the notes already read were finished and written, no more were read\n`);
        return EXIT.INTERRUPTED;
      }
      if (summary.outputClosed !== undefined) {
        io.stderr.write(`phi-redact: <stdout>: output closed early (${summary.outputClosed}) after ${summary.done} note${summary.done === 1 ? '' : 's'}; stopped\n`);
        return EXIT.SOME_FAILED;
      }
      if (options.json) io.stderr.write(`${JSON.stringify(report)}\n`);
      else if (!options.quiet && (summary.failed > 0 || summary.malformed > 0)) {
        io.stderr.write(
          `phi-redact: ${STDIN_NAME}: ${summary.done} note${summary.done === 1 ? '' : 's'} redacted, ` +
            `${summary.malformed} malformed skipped, ${summary.failed} failed${summary.stopped ? ' (stopped: --on-error fail)' : ''}\n`,
        );
      }
      return summary.failed > 0 || summary.malformed > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    } finally {
      await engine.close();
      await finish();
    }
  }

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

function parseMode(value: string): number {
  if (!/^0?[0-7]{3}$/.test(value)) throw new CliError(`--mode must be octal permission bits such as 600 or 640, got "${value}"`);
  return Number.parseInt(value, 8);
}

function parseBudget(flag: string, value: string, max: number, whole: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > max || (whole && !Number.isInteger(n))) {
    throw new CliError(`${flag} must be a ${whole ? 'whole ' : ''}number from 0 (no limit) to ${max}, got "${value}"`);
  }
  return n;
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new CliError(`--workers must be a whole number from 1 to 256, got "${value}"`);
  return n;
}

