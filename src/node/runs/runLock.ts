import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, type FileHandle, link, mkdir, open, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { PhiRedactError, UsageError } from '../../core/errors.js';
import { DIR_MODE } from '../files/atomicWrite.js';
import { MANIFEST_DIR } from './manifest.js';

/**
 * One folder run per out folder. A second run into the same folder would truncate the first's
 * manifest and delete its in-flight temp files (so its renames fail). The lock is a file holding
 * the owner's pid and a random nonce; a lock whose process is gone (SIGKILL, power loss) is
 * stale and taken over.
 *
 * Every step is atomic, so of any number of runs racing for one folder exactly one wins:
 *  - creating: the content is written to a private temp file first, then hard-linked to
 *    `run.lock` (`link` fails if the name exists), so a lock is never seen half-written;
 *    where the filesystem has no hard links, an exclusive create (`wx`) instead;
 *  - taking over a stale lock: only the run that exclusively creates the claim file named
 *    after that lock's content (`run.lock.takeover-<hash>`) may delete it, and only after
 *    reading the same content again. Two runs that both saw the dead pid can no longer both
 *    delete (the second would delete the first's fresh lock) and both win; the losers retry
 *    the exclusive create and find the winner's live lock.
 *
 *   E048 the out folder is in use by another phi-redact run
 *   E049 the out folder cannot be created or written (read-only filesystem, no permission)
 */

/** The out folder cannot be made or written: E049 (exit 2, nothing was redacted). */
export class OutDirError extends PhiRedactError {
  override name = 'OutDirError';
}

/**
 * Makes `<out>/.phi-redact/` (0700, the out folder too if missing) and checks it can be written;
 * otherwise E049 naming the out folder and, when it is another one, the folder that refused
 * (a read-only mount makes a recursive mkdir fail with a misleading ENOENT).
 */
export async function ensureOutDir(outDir: string, display: string): Promise<string> {
  const dir = join(outDir, MANIFEST_DIR);
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await access(dir, constants.W_OK);
    return dir;
  } catch (err) {
    let refusing = dir;
    let why = code(err) ?? 'EIO';
    // The nearest folder that exists says why (EROFS, EACCES) better than mkdir's ENOENT.
    for (let p = dir; ; p = dirname(p)) {
      const seen = await access(p, constants.F_OK).then(
        () => true,
        () => false,
      );
      if (seen) {
        refusing = p;
        why = await access(p, constants.W_OK).then(
          () => why,
          (e: unknown) => code(e) ?? why,
        );
        break;
      }
      if (dirname(p) === p) break;
    }
    const rel = relative(outDir, refusing);
    const where = rel === '' ? '' : rel === MANIFEST_DIR ? ` (${join(display, MANIFEST_DIR)})` : rel.startsWith('..') ? ` (${join(display, rel)})` : '';
    // ENOTDIR: the out path, or a folder on the way to it, is a file.
    const because = why === 'ENOTDIR' ? 'it, or a folder on the way to it, is a file' : 'read-only or not permitted';
    throw new OutDirError('E049', `cannot write the out folder ${display}${where}: ${because} (${why})`);
  }
}

export const LOCK_FILE = 'run.lock';
const TAKEOVER = `${LOCK_FILE}.takeover-`;
const ATTEMPTS = 200;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** The pid a lock or claim file names, or undefined while it is empty (an exclusive create mid-write). */
function ownerPid(content: string): number | undefined {
  const pid = Number(content.trim().split(/\s+/)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Creates `path` holding `content` if no file has that name; false if one does. */
async function createExclusive(dir: string, path: string, content: string): Promise<boolean> {
  const temp = join(dir, `${LOCK_FILE}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, content, { flag: 'wx', mode: 0o600 });
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(code(err) ?? '')) throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  // No hard links here: an exclusive create (readers treat the empty file as being written).
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

/** Claim and temp files left by runs that died mid-takeover (their pid is gone). */
async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const temp = new RegExp(`^${LOCK_FILE.replace('.', '\\.')}\\.(\\d+)-[0-9a-f]{12}\\.tmp$`).exec(name);
    let pid: number | undefined;
    if (temp !== null) pid = Number(temp[1]);
    else if (name.startsWith(TAKEOVER)) pid = ownerPid((await readOrUndefined(join(dir, name))) ?? '');
    else continue;
    if (pid !== undefined && pid !== process.pid && !isAlive(pid)) await unlink(join(dir, name)).catch(() => undefined);
  }
}

/** Takes the out folder's lock; returns the function that releases it. */
export async function lockOutDir(outDir: string, display: string): Promise<() => Promise<void>> {
  const dir = await ensureOutDir(outDir, display);
  const path = join(dir, LOCK_FILE);
  const shown = join(display, MANIFEST_DIR, LOCK_FILE);
  const mine = `${process.pid} ${randomBytes(12).toString('hex')}\n`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(dir, path, mine)) {
      await removeLeftovers(dir);
      return async () => {
        // Only our own lock: never one a later run took over.
        if ((await readOrUndefined(path).catch(() => undefined)) === mine) await unlink(path).catch(() => undefined);
      };
    }
    const held = await readOrUndefined(path);
    if (held === undefined) continue; // released in between: try again
    const pid = ownerPid(held);
    if (pid === undefined) {
      await sleep(5); // an exclusive create still writing its pid
      continue;
    }
    if (pid !== process.pid && isAlive(pid)) {
      throw new UsageError(
        `E048 ${display} is in use by another phi-redact run (pid ${pid}); wait for it, or remove ${shown} if that process is not phi-redact`,
      );
    }
    // Stale (its run was killed): only the holder of this lock's claim may delete it.
    const claim = join(dir, `${TAKEOVER}${createHash('sha256').update(held).digest('hex').slice(0, 16)}`);
    if (await createExclusive(dir, claim, mine)) {
      try {
        if ((await readOrUndefined(path)) === held) await unlink(path).catch((err: unknown) => (code(err) === 'ENOENT' ? undefined : Promise.reject(err)));
      } finally {
        await unlink(claim).catch(() => undefined);
      }
      continue;
    }
    const claimant = ownerPid((await readOrUndefined(claim)) ?? '');
    if (claimant !== undefined && claimant !== process.pid && !isAlive(claimant)) {
      throw new UsageError(`E048 cannot lock ${display}: a run died while taking over its stale lock; remove ${shown} and ${join(display, MANIFEST_DIR, TAKEOVER)}* and run again`);
    }
    await sleep(2 + Math.floor(Math.random() * 8)); // another run is taking it over
  }
  throw new UsageError(`E048 cannot lock ${display}: its lock ${shown} keeps changing; is another run starting?`);
}
