import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { MANIFEST_DIR } from './manifest.js';

/**
 * One folder run per out folder. A second run into the same folder would truncate the first's
 * manifest and delete its in-flight temp files (so its renames fail). The lock is a file holding
 * the owner's pid, created exclusively; a lock whose process is gone (SIGKILL, power loss) is
 * stale and taken over.
 *
 *   E048 the out folder is in use by another phi-redact run
 */

export const LOCK_FILE = 'run.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the out folder's lock; returns the function that releases it. */
export async function lockOutDir(outDir: string, display: string): Promise<() => Promise<void>> {
  const dir = join(outDir, MANIFEST_DIR);
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return async () => {
        await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new UsageError(
        `E048 ${display} is in use by another phi-redact run (pid ${pid}); wait for it, or remove ${join(display, MANIFEST_DIR, LOCK_FILE)} if that process is not phi-redact`,
      );
    }
    await unlink(path).catch(() => undefined); // stale: its run was killed
  }
  throw new UsageError(`E048 cannot lock ${display}`);
}
