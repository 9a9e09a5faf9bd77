import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Outputs are readable by their owner only unless the user asks otherwise (`redact --mode`). */
export const DEFAULT_FILE_MODE = 0o600;
/** Folders we create (the out folder, its mirrored tree, `.phi-redact/`): owner only, from the mkdir on. */
export const DIR_MODE = 0o700;

/**
 * Writes a file so that readers only ever see the old content or the complete new content:
 * write a temp file in the same folder (same filesystem, so rename is atomic), fsync it, rename
 * it over the target, then fsync the folder so the rename itself survives a crash. The temp
 * name carries no part of the target's name beyond a fixed prefix, and it is removed on failure.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number = DEFAULT_FILE_MODE): Promise<void> {
  await writeFileAtomicInPieces(path, async (write) => write(data), mode);
}

/**
 * `writeFileAtomic` for content produced in pieces (a long note redacted chunk by chunk): `produce`
 * gets a `write` to append each piece to the temp file, so the whole content is never one string.
 * If `produce` throws, nothing is renamed and the temp file is removed.
 */
export async function writeFileAtomicInPieces(
  path: string,
  produce: (write: (piece: string | Uint8Array) => Promise<void>) => Promise<void>,
  mode: number = DEFAULT_FILE_MODE,
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const temp = join(dir, `.phi-redact-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      // Exactly `mode`, whatever the umask (open's mode is masked by it).
      await handle.chmod(mode);
      await produce(async (piece) => {
        await handle.writeFile(piece);
      });
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
    await syncDir(dir);
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}

/** True for names `writeFileAtomic` uses for its temp files (so folder walks can skip leftovers). */
export function isAtomicTempName(name: string): boolean {
  return /^\.phi-redact-\d+-[0-9a-f]{12}\.tmp$/.test(basename(name));
}

async function syncDir(dir: string): Promise<void> {
  // Not every platform lets a directory be opened for fsync (Windows); the rename is done anyway.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
