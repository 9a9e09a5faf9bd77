import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/**
 * Reads a small configuration file (config, rule pack) as UTF-8. A FIFO would block the run
 * forever and /dev/zero never ends, so only a regular file of at most `maxBytes` is read;
 * otherwise it throws an errno-style error (`ENOTREG`, `EFBIG`) for the caller to code.
 */
export function readSmallTextFile(path: string, maxBytes = 8 * 1024 * 1024): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    if (info.size > maxBytes) throw Object.assign(new Error('file too large'), { code: 'EFBIG' });
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
