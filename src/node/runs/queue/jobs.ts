import { Redis, type RedisOptions } from 'ioredis';
import { PhiRedactError } from '../../../core/errors.js';

/**
 * The shape of the multi-machine run on BullMQ, shared by `queue submit`, `queue work` and
 * `queue status`.
 *
 * Jobs carry the NOTE TEXT (plus its output path and input facts), so workers need no access
 * to the inputs: they share only Redis, the config and the key. The Redis therefore holds PHI
 * while jobs wait: it must be private to the project (no public bind, AUTH/ACL, `rediss://` TLS
 * across machines). Completed jobs are removed at once (`removeOnComplete`), so the text lives
 * in Redis only until its note is written; notes that keep failing are kept, text included, in
 * the dead-letter queue `<queue>-dead` until an operator re-submits or deletes them.
 */

export const QUEUE_PREFIX = 'phi-redact';
export const DEFAULT_QUEUE = 'notes';

export function deadLetterName(queue: string): string {
  return `${queue}-dead`;
}

/** Redis keys we own beside BullMQ's: run counters and the fingerprint every worker must match. */
export function statsKey(queue: string): string {
  return `${QUEUE_PREFIX}:${queue}:stats`;
}
export function fingerprintKey(queue: string): string {
  return `${QUEUE_PREFIX}:${queue}:fingerprint`;
}

export interface QueuedNote {
  /** Output path relative to the worker's --out folder, "/"-separated (as the folder run's). */
  readonly output: string;
  /** The input path on the submitting machine (for the manifest; never opened by workers). */
  readonly input: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
  readonly text: string;
}

export interface NoteJobData {
  readonly notes: readonly QueuedNote[];
}

export interface DeadLetterData {
  /** The original job id (dead-letter jobs reuse it, so recording twice is harmless). */
  readonly jobId: string;
  readonly error: string;
  readonly attempts: number;
  readonly outputs: readonly string[];
  readonly notes: readonly QueuedNote[];
}

export interface RetryOptions {
  /** Tries per job before it is dead-lettered (BullMQ `attempts`). */
  readonly attempts: number;
  /** First retry delay; doubles each time (BullMQ exponential backoff). */
  readonly backoffMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, backoffMs: 1000 };

/** A connection BullMQ accepts for blocking commands (it requires `maxRetriesPerRequest: null`). */
export function connect(url: string): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false };
  return new Redis(url, options);
}

/** True for an output path that stays inside the out folder (jobs come from the network). */
export function isSafeOutput(output: string): boolean {
  if (output === '' || output.startsWith('/') || output.includes('\\') || output.includes('\0')) return false;
  return output.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** The URL without credentials, for messages (a Redis password must never be printed). */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid Redis URL)';
  }
}

/** Connects and checks Redis answers within `timeoutMs`; E080 (usage error) otherwise. */
export async function connectChecked(url: string, timeoutMs = 5000): Promise<Redis> {
  let connection: Redis;
  try {
    connection = connect(url);
  } catch {
    throw new QueueSetupError('E080', `invalid Redis URL ${safeRedisUrl(url)}`);
  }
  const unreachable = (why: string): QueueSetupError => new QueueSetupError('E080', `cannot reach Redis at ${safeRedisUrl(url)} (${why})`);
  // The first connection error fails the check at once (ioredis would retry forever); later
  // errors are left to ioredis's reconnects and BullMQ.
  let onFirstError: (err: NodeJS.ErrnoException) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onFirstError = (err) => reject(unreachable(err.code ?? 'connection error'));
    connection.once('error', onFirstError);
  });
  failed.catch(() => undefined);
  connection.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([connection.ping(), failed, timeout]);
    connection.off('error', onFirstError);
    clearTimeout(timer);
  } catch (err) {
    clearTimeout(timer);
    connection.disconnect();
    throw err instanceof QueueSetupError ? err : unreachable('connection error');
  }
  return connection;
}

/** Redis or the queue cannot be used: E080. */
export class QueueSetupError extends PhiRedactError {
  override name = 'QueueSetupError';
}

export { abortOnSignals } from '../signals.js';
