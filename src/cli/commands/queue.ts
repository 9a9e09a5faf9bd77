import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Config } from '../../core/config.js';
import { collectInputs, DEFAULT_GLOB } from '../../node/files/inputs.js';
import { loadConfig } from '../../node/createPipeline.js';
import { createEngine, defaultWorkers } from '../../node/runs/pool/engine.js';
import {
  abortOnSignals,
  connectChecked,
  DEFAULT_QUEUE,
  DEFAULT_RETRY,
  readRedisPasswordFile,
  REDIS_PASSWORD_ENV,
  REDIS_URL_ENV,
  refusePasswordInArgv,
  type RedisTarget,
} from '../../node/runs/queue/jobs.js';
import { noteScope } from '../../node/surrogates.js';
import { setUpRun } from '../../node/runs/setup.js';
import { parseDetectorsOption } from '../options.js';
import { CliError, EXIT, type CliIO, type RegisterCommand } from '../io.js';

/**
 * `phi-redact queue submit|work|status`: multi-machine runs over BullMQ on the user's Redis.
 * Jobs carry note text, so the Redis must be private (see README "Running at scale").
 */

const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

interface Common {
  redis?: string;
  redisPasswordFile?: string;
  queue: string;
  json?: boolean;
}

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


export const registerQueue: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  const queue = program
    .command('queue')
    .description('Multi-machine runs on a BullMQ queue in Redis: submit notes, run workers anywhere, watch progress.');
  const common = (cmd: Command): Command =>
    cmd
      .option('--redis <url>', `Redis URL without a password (redis:// or rediss:// for TLS; default $${REDIS_URL_ENV} or ${DEFAULT_REDIS})`)
      .option('--redis-password-file <file>', `file holding the Redis password (else $${REDIS_PASSWORD_ENV}); never in --redis, where ps shows it`)
      .option('--queue <name>', 'queue name', DEFAULT_QUEUE)
      .option('--json', 'machine-readable summary on stdout');

  common(
    queue
      .command('submit')
      .description('Read notes from files and folders and enqueue them (note text travels in the jobs).')
      .argument('<paths...>', 'files and folders')
      .option('--glob <pattern>', 'which files in folders to submit', DEFAULT_GLOB)
      .option('--batch <n>', 'notes per job', '1')
      .option('--attempts <n>', 'tries per job before it goes to the dead-letter queue', String(DEFAULT_RETRY.attempts))
      .option('--backoff-ms <ms>', 'first retry delay, doubled on each retry', String(DEFAULT_RETRY.backoffMs)),
  ).action(async (paths: string[], options: Common & { glob: string; batch: string; attempts: string; backoffMs: string }) => {
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
      setExit(failed > 0 ? EXIT.SOME_FAILED : EXIT.OK);
    } finally {
      connection.disconnect();
    }
  });

  common(
    queue
      .command('work')
      .description('Redact queued notes into --out until stopped (SIGINT/SIGTERM finish the jobs in hand) or, with --until-empty, until the queue is empty.')
      .requiredOption('-o, --out <dir>', 'output folder (shared storage when workers run on several machines)')
      .option('--concurrency <n>', 'worker threads, each with its own pipeline (default: the number of cores)')
      .option('-c, --config <file>', 'YAML or JSON config file (every worker must use the same)')
      .option('--detectors <list>', 'comma-separated detectors: rules,dictionaries,ner')
      .addOption(new Option('--policy <operator>', 'operator for every label the config does not name').choices(['tag', 'mask', 'surrogate', 'keep']))
      .option('--key-file <file>', 'the shared secret for surrogates and date shifts (else $PHI_REDACT_KEY); every worker needs the same one')
      .option('--lock-ms <ms>', 'job lock; a dead worker\'s jobs are taken over after about this long', '60000')
      .option('--stale-temp-ms <ms>', 'temp files older than this are a killed worker\'s leftovers, deleted at start and stop', String(15 * 60_000))
      .option('--until-empty [ms]', 'exit once the queue has stayed empty this long (default 2000 ms)')
      .option('--quiet', 'no summary'),
  ).action(
    async (
      options: Common & {
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
      },
    ) => {
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
          setExit(summary.deadLettered > 0 ? EXIT.SOME_FAILED : EXIT.OK);
        } finally {
          await engine.close();
        }
      } finally {
        signals.dispose();
        connection.disconnect();
      }
    },
  );

  common(
    queue
      .command('reset')
      .description("Forget a finished queue (its config fingerprint, counters and jobs) so the name can be used again, e.g. with another config. Refused while jobs are waiting or running.")
      .option('--yes', 'really reset (without it nothing is changed)')
      .option('--drop-dead-letters', 'also delete the dead-letter queue (its jobs hold note text); kept by default'),
  ).action(async (options: Common & { yes?: boolean; dropDeadLetters?: boolean }) => {
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
      setExit(EXIT.OK);
    } finally {
      connection.disconnect();
    }
  });

  common(queue.command('status').description('Show how far a queue run is: notes done, waiting, retrying, dead-lettered; workers connected.')).action(
    async (options: Common) => {
      const connection = await connectChecked(redisTarget(options, io));
      try {
        const { formatStatus, queueStatus } = await import('../../node/runs/queue/status.js');
        const status = await queueStatus(connection, options.queue);
        io.stdout.write(options.json ? `${JSON.stringify(status)}\n` : formatStatus(status));
      } finally {
        connection.disconnect();
      }
    },
  );
};
