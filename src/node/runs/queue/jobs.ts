import { lstat, realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import type { Redis, RedisOptions } from 'ioredis';
import { z } from 'zod';
import { describeSchemaIssue, PhiRedactError } from '../../../core/errors.js';
import { isAtomicTempName } from '../../files/atomicWrite.js';
import { readSecretFile, secretFileProblem } from '../../files/smallFile.js';
import { MANIFEST_DIR } from '../manifest.js';
import { REDIS_PASSWORD_ENV, REDIS_URL_ENV } from './settings.js';

export { DEFAULT_QUEUE, DEFAULT_RETRY, REDIS_PASSWORD_ENV, REDIS_URL_ENV, type RetryOptions } from './settings.js';

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
/** Dead-lettered jobs by the code of their reason (E082, E084, E046, ...), for `queue status`. */
export function deadReasonsKey(queue: string): string {
  return `${QUEUE_PREFIX}:${queue}:dead-reasons`;
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

/**
 * What a worker accepts from Redis (jobs come from the network): anything else is dead-lettered
 * at once with E084 and the schema's first complaint (a path and a type, never a value).
 */
export const noteJobSchema = z.object({
  notes: z
    .array(
      z.object({
        output: z.string().min(1).max(4096),
        input: z.string().max(4096),
        size: z.number().int().nonnegative(),
        mtimeMs: z.number().nonnegative(),
        sha256: z.string().max(128),
        text: z.string(),
      }),
    )
    .min(1),
});

/** The job's notes, or E084's reason when the job is not a note job. */
export function parseNoteJob(data: unknown): { ok: true; notes: readonly QueuedNote[] } | { ok: false; reason: string } {
  const parsed = noteJobSchema.safeParse(data);
  return parsed.success ? { ok: true, notes: parsed.data.notes } : { ok: false, reason: `E084 malformed job (${describeSchemaIssue(parsed.error)})` };
}

export interface DeadLetterData {
  /** The original job id (dead-letter jobs reuse it, so recording twice is harmless). */
  readonly jobId: string;
  readonly error: string;
  readonly attempts: number;
  readonly outputs: readonly string[];
  readonly notes: readonly QueuedNote[];
}

/**
 * Where Redis is and how to log in. The password never comes from the command line (argv is
 * visible to every user in `ps`): from `--redis-password-file`, `PHI_REDACT_REDIS_PASSWORD`, or
 * inside the URL only when the URL itself comes from the environment (`PHI_REDACT_REDIS`).
 */
export interface RedisTarget {
  readonly url: string;
  readonly password?: string;
}

/** ioredis, required by the first connection: a command that never reaches Redis (every `redact`) skips its ~90 ms import. */
function redisClient(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
}

/** A connection BullMQ accepts for blocking commands (it requires `maxRetriesPerRequest: null`). */
export function connect(target: RedisTarget | string): Redis {
  const Redis = redisClient();
  const { url, password } = typeof target === 'string' ? { url: target, password: undefined } : target;
  const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false };
  if (password === undefined) return new Redis(url, options);
  // ioredis lets the URL's credentials win over the options': move them into the options.
  let bare = url;
  let username: string | undefined;
  if (/^rediss?:\/\//i.test(url)) {
    const u = new URL(url);
    if (u.username !== '') username = decodeURIComponent(u.username);
    u.username = '';
    u.password = '';
    bare = u.toString();
  }
  return new Redis(bare, { ...options, password, ...(username !== undefined ? { username } : {}) });
}

/** True when a Redis URL carries a password (in its user part, or as ioredis's `?password=`). */
export function redisUrlHasPassword(url: string): boolean {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `redis://${url}`);
    return u.password !== '' || u.searchParams.has('password');
  } catch {
    return /:[^@/]*@|[?&]password=/i.test(url);
  }
}

/** A Redis password or its file cannot be used: E085 (usage error). */
export class RedisCredentialsError extends PhiRedactError {
  override name = 'RedisCredentialsError';
}

/** Refuses a password given in a --redis URL on the command line (E085). */
export function refusePasswordInArgv(url: string): void {
  if (redisUrlHasPassword(url)) {
    throw new RedisCredentialsError(
      'E085',
      `--redis ${safeRedisUrl(url)}: a password on the command line is visible to every user in ps; give it with --redis-password-file FILE or ${REDIS_PASSWORD_ENV} (or the whole URL in ${REDIS_URL_ENV})`,
    );
  }
}

/**
 * The password in `path`: a regular file (a Docker or Kubernetes secret, possibly through a
 * symlink) of at most 4 KB, never a standard stream, minus one trailing newline. Anything else
 * is E085, named by path.
 */
export function readRedisPasswordFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readSecretFile(path, 4096);
  } catch (err) {
    throw new RedisCredentialsError('E085', `the Redis password file ${path} ${secretFileProblem(err, 4096)}`);
  }
  const text = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new RedisCredentialsError('E085', `the Redis password file ${path} is empty`);
  return text;
}

/**
 * True for an output path that stays inside the out folder (jobs come from the network): relative,
 * no `.`/`..`/empty parts, and not under `.phi-redact/` (the run's lock, manifests and audits;
 * any letter case, for case-insensitive filesystems) nor named like our temp files.
 */
export function isSafeOutput(output: string): boolean {
  if (output === '' || output.startsWith('/') || output.includes('\\') || output.includes('\0')) return false;
  const parts = output.split('/');
  if (parts[0]!.toLowerCase() === MANIFEST_DIR || isAtomicTempName(parts.at(-1)!)) return false;
  return parts.every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * Where `output` may be written under `outDir`, or null if it may not: `isSafeOutput`, and no
 * part of it that exists already is a symbolic link leading out of the out folder (or nowhere):
 * a job must not write through a link the out folder happens to hold.
 */
export async function confinedOutput(outDir: string, output: string): Promise<string | null> {
  if (!isSafeOutput(output)) return null;
  const root = await realpath(outDir);
  const reserved = join(root, MANIFEST_DIR);
  const inside = (p: string): boolean => (p === root || p.startsWith(root + sep)) && p !== reserved && !p.startsWith(reserved + sep);
  let path = root;
  for (const part of output.split('/')) {
    path = join(path, part);
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined) break; // the rest is made by mkdir, inside the folder
    if (info.isSymbolicLink()) {
      const target = await realpath(path).catch(() => undefined);
      if (target === undefined || !inside(target)) return null;
    }
  }
  return join(root, ...output.split('/'));
}

/** The URL without credentials, for messages (a Redis password must never be printed). */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.searchParams.delete('password');
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid Redis URL)';
  }
}

/** Connects and checks Redis answers within `timeoutMs`; E080 (usage error) otherwise. */
export async function connectChecked(target: RedisTarget | string, timeoutMs = 5000): Promise<Redis> {
  const url = typeof target === 'string' ? target : target.url;
  let connection: Redis;
  try {
    connection = connect(target);
  } catch {
    throw new QueueSetupError('E080', `invalid Redis URL ${safeRedisUrl(url)}`);
  }
  const unreachable = (why: string): QueueSetupError => new QueueSetupError('E080', `cannot reach Redis at ${safeRedisUrl(url)} (${why})`);
  // Reached, but the credentials were refused: say so (it is not a network problem).
  const refusedOr = (err: unknown, otherwise: QueueSetupError): QueueSetupError => {
    const kind = authRefusal(err);
    return kind === undefined
      ? otherwise
      : new QueueSetupError('E080', `Redis at ${safeRedisUrl(url)} refused the login (${kind}): check --redis-password-file, PHI_REDACT_REDIS_PASSWORD or PHI_REDACT_REDIS`);
  };
  // The first connection error fails the check at once (ioredis would retry forever); later
  // errors are left to ioredis's reconnects and BullMQ.
  let onFirstError: (err: NodeJS.ErrnoException) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onFirstError = (err) => reject(refusedOr(err, unreachable(err.code ?? 'connection error')));
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
    throw err instanceof QueueSetupError ? err : refusedOr(err, unreachable('connection error'));
  }
  return connection;
}

/** The Redis reply word when a login was refused (NOAUTH: a password is needed; WRONGPASS: it is wrong); never the password. */
function authRefusal(err: unknown): 'NOAUTH' | 'WRONGPASS' | undefined {
  const message = err instanceof Error ? err.message : '';
  if (/^NOAUTH\b/.test(message)) return 'NOAUTH';
  if (/^(?:WRONGPASS\b|ERR invalid password|ERR AUTH\b)/.test(message)) return 'WRONGPASS';
  return undefined;
}

/** Redis or the queue cannot be used: E080. */
export class QueueSetupError extends PhiRedactError {
  override name = 'QueueSetupError';
}

export { abortOnSignals } from '../signals.js';
