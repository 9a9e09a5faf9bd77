import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/**
 * Reads a small file (config, rule pack, key, password): a FIFO would block the run forever,
 * /dev/zero never ends, and /dev/stdin would be the notes themselves, so only a regular file of
 * at most `maxBytes` is read (opened non-blocking, checked on the open descriptor, so a swap in
 * between cannot fool it); otherwise it throws an errno-style error (`ENOTREG`, `EFBIG`, or the
 * open's own code) for the caller to code.
 */
export function readSmallFile(path: string, maxBytes = 8 * 1024 * 1024): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    if (info.size > maxBytes) throw Object.assign(new Error('file too large'), { code: 'EFBIG' });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `readSmallFile` as UTF-8. */
export function readSmallTextFile(path: string, maxBytes = 8 * 1024 * 1024): string {
  return readSmallFile(path, maxBytes).toString('utf8');
}

/** Paths that name a process's own standard streams rather than a file. */
const STDIO_PATH = /^\/(?:dev\/(?:std(?:in|out|err)|fd\/\d+)|proc\/[^/]+\/fd\/\d+)$/;

/** True for `/dev/stdin`, `/dev/fd/N`, `/proc/<pid>/fd/N` and the like. */
export function isStdioPath(path: string): boolean {
  return STDIO_PATH.test(path);
}

/**
 * Reads a secret (key, password) file: `readSmallFile`, and never a standard stream. With
 * `--key-file /dev/stdin < note.txt` the path is a regular file — the note — so beside the
 * regular-file check it refuses `/dev/stdin`, `/dev/fd/N`, `/proc/.../fd/N`, and any file that
 * is this process's stdin, stdout or stderr (same device and inode), with code `ESTDIO`.
 */
export function readSecretFile(path: string, maxBytes: number): Buffer {
  const stdio = (): Error => Object.assign(new Error('a standard stream'), { code: 'ESTDIO' });
  if (isStdioPath(path)) throw stdio();
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    for (const stream of [0, 1, 2]) {
      let other: ReturnType<typeof fstatSync> | undefined;
      try {
        other = fstatSync(stream);
      } catch {
        continue; // that stream is closed
      }
      if (other.dev === info.dev && other.ino === info.ino) throw stdio();
    }
    if (info.size > maxBytes) throw Object.assign(new Error('file too large'), { code: 'EFBIG' });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The reason a `readSecretFile` error gives, for coded messages (`is not a regular file`, ...). */
export function secretFileProblem(err: unknown, maxBytes: number): string {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'ENOTREG') return 'is not a regular file';
  if (code === 'ESTDIO') return 'is a standard stream (stdin, stdout or stderr), not a file';
  if (code === 'EFBIG') return `is larger than ${maxBytes} bytes`;
  return `cannot be read (${code})`;
}
