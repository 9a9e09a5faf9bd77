import { Option, type Command } from 'commander';
import { DEFAULT_GLOB } from '../../node/files/globs.js';
import {
  DEFAULT_QUEUE,
  DEFAULT_RETRY,
  REDIS_PASSWORD_ENV,
  REDIS_URL_ENV,
  DEFAULT_REDIS,
} from '../../node/runs/queue/settings.js';
import type { CliIO, RegisterCommand } from '../io.js';
import type { Common, SubmitOptions, WorkOptions, ResetOptions } from '../actions/queue.js';

/**
 * `phi-redact queue submit|work|status`: multi-machine runs over BullMQ on the user's Redis.
 * Jobs carry note text, so the Redis must be private (see README "Running at scale").
 */

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
  ).action(async (paths: string[], options: SubmitOptions) => {
      setExit(await (await import('../actions/index.js')).queueSubmit(paths, options, io));
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
    async (options: WorkOptions) => {
      setExit(await (await import('../actions/index.js')).queueWork(options, io));
    },
  );

  common(
    queue
      .command('reset')
      .description("Forget a finished queue (its config fingerprint, counters and jobs) so the name can be used again, e.g. with another config. Refused while jobs are waiting or running.")
      .option('--yes', 'really reset (without it nothing is changed)')
      .option('--drop-dead-letters', 'also delete the dead-letter queue (its jobs hold note text); kept by default'),
  ).action(async (options: ResetOptions) => {
      setExit(await (await import('../actions/index.js')).queueReset(options, io));
    });

  common(queue.command('status').description('Show how far a queue run is: notes done, waiting, retrying, dead-lettered; workers connected.')).action(
    async (options: Common) => {
      setExit(await (await import('../actions/index.js')).queueStatus(options, io));
    },
  );
};
