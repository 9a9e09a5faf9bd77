import { resolve } from 'node:path';
import type { Config } from '../../core/config.js';
import type { RedactOptions } from './redactOptions.js';
import { ConfigError } from '../../core/errors.js';
import { encodingName } from '../../node/files/decodeNote.js';
import { writeAuditFile } from '../../node/runs/audit.js';
import { auditFor, createEngine, finishAudit } from '../../node/runs/pool/engine.js';
import { setUpRun } from '../../node/runs/setup.js';
import { loadConfig } from '../../node/createPipeline.js';
import { noteScope } from '../../node/surrogates.js';
import { knownOfRecord, readKnownSidecar } from '../../node/runs/knownIdentifiers.js';
import { runStream, STDIN_NAME } from '../../node/runs/stream/streamRun.js';
import { parseDetectorsOption } from '../options.js';
import { CliError, EXIT, type CliIO } from '../io.js';
import { abortOnSignals } from '../../node/runs/signals.js';

/** What `phi-redact redact` does: src/cli/commands/redact.ts declares it and loads this when it runs (issue 19: other commands stay off a command's start); folder runs are in redactFolder.ts, loaded only for them. */

export async function redactCommand(paths: readonly string[], options: RedactOptions, io: CliIO): Promise<number> {
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

  const { redactFolder } = await import('./redactFolder.js');
  return redactFolder(paths, options, io, { config, mode, noteSeconds, workerMemoryMb, requestedWorkers, sidecar, load, finish, nameKey, onProblem });
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

