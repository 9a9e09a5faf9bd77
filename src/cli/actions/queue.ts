import { resolve } from 'node:path';
import type { Config } from '../../core/config.js';
import { collectInputs } from '../../node/files/inputs.js';
import { loadConfig } from '../../node/createPipeline.js';
import { createEngine, defaultWorkers } from '../../node/runs/pool/engine.js';
import {
  abortOnSignals,
  connectChecked,
  DEFAULT_RETRY,
  readRedisPasswordFile,
  REDIS_PASSWORD_ENV,
  REDIS_URL_ENV,
  refusePasswordInArgv,
  type RedisTarget,
} from '../../node/runs/queue/jobs.js';
import { DEFAULT_REDIS } from '../../node/runs/queue/settings.js';
import { noteScope } from '../../node/surrogates.js';
import { setUpRun } from '../../node/runs/setup.js';
import { parseDetectorsOption } from '../options.js';
import { CliError, EXIT, type CliIO } from '../io.js';

export interface Common {
  redis?: string;
  redisPasswordFile?: string;
  queue: string;
  json?: boolean;
}

export type SubmitOptions = Common & { glob: string; batch: string; attempts: string; backoffMs: string };

export type WorkOptions = Common & {
  out: string;
  concurrency?: string;
  config?: string;
  detectors?: string;
  policy?: 'tag' | 'mask' | 'surrogate';
  keyFile?: string;
  lockMs: string;
  staleTempMs: string;
  untilEmpty?: string | boolean;
  quiet?: boolean;
};

export type ResetOptions = Common & { yes?: boolean; dropDeadLetters?: boolean };

/** What `phi-redact queue` does: src/cli/commands/queue.ts declares it and loads this when it runs (issue 19: other commands stay off a command's start). */

/**
 * Redis's URL and password, never a password from argv (E085): `--redis` without one, the
 * password from `--redis-password-file` or $PHI_REDACT_REDIS_PASSWORD, or a URL with one in
 * $PHI_REDACT_REDIS.
 */
function redisTarget(options: Common, io: CliIO): RedisTarget {
  if (options.redis !== undefined) refusePasswordInArgv(options.redis);
  const url = options.redis ?? io.env[REDIS_URL_ENV] ?? DEFAULT_REDIS;
  const envPassword = io.env[REDIS_PASSWORD_ENV];
  const password =
    options.redisPasswordFile !== undefined
      ? readRedisPasswordFile(resolve(io.cwd, options.redisPasswordFile))
      : envPassword !== undefined && envPassword !== ''
        ? envPassword
        : undefined;
  return password === undefined ? { url } : { url, password };
}

function positiveInt(name: string, value: string | undefined, fallback: number, max = 1_000_000): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${name} must be a whole number from 1 to ${max}, got "${value}"`);
  return n;
}

export async function queueSubmit(paths: readonly string[], options: SubmitOptions, io: CliIO): Promise<number> {
  const batch = positiveInt('--batch', options.batch, 1, 1000);
  const attempts = positiveInt('--attempts', options.attempts, DEFAULT_RETRY.attempts, 100);
  const backoffMs = positiveInt('--backoff-ms', options.backoffMs, DEFAULT_RETRY.backoffMs, 3_600_000);
  // Output paths are computed exactly as a folder run would (outDir only guards against overlap).
  const { files, problems } = await collectInputs(paths, { cwd: io.cwd, outDir: resolve(io.cwd, '.phi-redact-queue-none'), glob: options.glob });
  const onProblem = (where: string, message: string): void => void io.stderr.write(`phi-redact: ${where}: ${message}\n`);
  for (const p of problems) onProblem(p.display, p.error.message);
  const connection = await connectChecked(redisTarget(options, io));
  try {
    // Imported here, not at the top: bullmq costs every other command ~0.1 s of start.
    const { submitNotes } = await import('../../node/runs/queue/submit.js');
    const summary = await submitNotes({ connection, queue: options.queue, files, batch, retry: { attempts, backoffMs }, onProblem });
    const failed = summary.failed + problems.length;
    if (options.json) io.stdout.write(`${JSON.stringify({ queue: options.queue, ...summary, failed })}\n`);
    else io.stdout.write(`phi-redact: ${summary.notes} notes submitted in ${summary.jobs} jobs to queue ${options.queue}, ${failed} failed\n`);
    return failed > 0 ? EXIT.SOME_FAILED : EXIT.OK;
  } finally {
    connection.disconnect();
  }
}

export async function queueWork(options: WorkOptions, io: CliIO): Promise<number> {
  const threads = positiveInt('--concurrency', options.concurrency, defaultWorkers(), 256);
  const lockMs = positiveInt('--lock-ms', options.lockMs, 60_000, 3_600_000);
  const staleTempMs = positiveInt('--stale-temp-ms', options.staleTempMs, 15 * 60_000, 7 * 24 * 3_600_000);
  const untilEmptyMs =
    typeof options.untilEmpty === 'string' ? positiveInt('--until-empty', options.untilEmpty, 2000, 3_600_000) : options.untilEmpty === true ? 2000 : undefined;
  const detectors = options.detectors === undefined ? undefined : parseDetectorsOption(options.detectors);
  const configPath = options.config === undefined ? undefined : resolve(io.cwd, options.config);
  let config: Config = await loadConfig(configPath);
  if (options.policy !== undefined) config = { ...config, policy: { ...config.policy, DEFAULT: options.policy } };
  const { load } = await setUpRun({ config, configPath, cwd: io.cwd, detectors, keyFile: options.keyFile, env: io.env, sharedKey: true });
  const connection = await connectChecked(redisTarget(options, io));
  const signals = abortOnSignals();
  try {
    const engine = await createEngine({ load, workers: threads });
    try {
      const { runQueueWorker } = await import('../../node/runs/queue/queueWorker.js');
      const summary = await runQueueWorker({
          connection,
          queue: options.queue,
          outDir: resolve(io.cwd, options.out),
          engine,
          lockMs,
          staleTempMs,
          untilEmptyMs,
          signal: signals.signal,
          // Same patient scope as a folder run would give (file-name pattern or parent folder).
          scopeOf: (note) => noteScope(config, { path: note.input }),
          onProblem: (where, message) => void io.stderr.write(`phi-redact: ${where}: ${message}\n`),
        });
      if (options.json) io.stdout.write(`${JSON.stringify({ queue: options.queue, ...summary })}\n`);
      else if (!options.quiet) io.stdout.write(`phi-redact: worker wrote ${summary.done} notes, ${summary.deadLettered} dead-lettered (audit: ${summary.auditPath})\n`);
      return summary.deadLettered > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    } finally {
      await engine.close();
    }
  } finally {
    signals.dispose();
    connection.disconnect();
  }
}

export async function queueReset(options: ResetOptions, io: CliIO): Promise<number> {
  // Loaded here, not at start: it imports bullmq (instant start, issue 19).
  const { QueueResetError, resetQueue } = await import('../../node/runs/queue/reset.js');
  if (!options.yes) {
    throw new QueueResetError('E154', `queue reset forgets queue ${options.queue}'s fingerprint, counters and jobs: add --yes to do it`);
  }
  const connection = await connectChecked(redisTarget(options, io));
  try {
    const summary = await resetQueue(connection, options.queue, { dropDeadLetters: options.dropDeadLetters === true });
    if (options.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      const dead = summary.deadLettersDropped > 0 ? `; ${summary.deadLettersDropped} dead-lettered job(s) deleted` : summary.deadLettersKept > 0 ? `; ${summary.deadLettersKept} dead-lettered job(s) kept in ${options.queue}-dead (--drop-dead-letters deletes them)` : '';
      io.stdout.write(`phi-redact: queue ${options.queue} reset (fingerprint ${summary.fingerprint ?? 'none'} forgotten)${dead}\n`);
    }
    return EXIT.OK;
  } finally {
    connection.disconnect();
  }
}

export async function queueStatus(options: Common, io: CliIO): Promise<number> {
    const connection = await connectChecked(redisTarget(options, io));
    try {
      const { formatStatus, queueStatus } = await import('../../node/runs/queue/status.js');
      const status = await queueStatus(connection, options.queue);
      io.stdout.write(options.json ? `${JSON.stringify(status)}\n` : formatStatus(status));
    } finally {
      connection.disconnect();
    }
  return EXIT.OK;
}
