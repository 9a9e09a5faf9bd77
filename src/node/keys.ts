import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { ConfigError } from '../core/config.js';
import { isStdioPath, readSecretFile, secretFileProblem } from './files/smallFile.js';
import { keyFingerprint, type SecretKey } from '../transform/keyed.js';

/**
 * The secret behind every surrogate, from `--key-file` or `PHI_REDACT_KEY`. The key never
 * appears in output, logs, errors or reports: callers show `fingerprint` only.
 *
 * Error codes (ConfigError → CLI exit code 2):
 *   E110 the key file cannot be read
 *   E111 the key is shorter than 16 bytes (too weak to keep pseudonyms irreversible)
 *   E118 the key file is readable by group or others (refused: chmod 600 it)
 *   E122 the key file is not a regular file: a folder, FIFO, device, or a standard stream
 *        (`--key-file /dev/stdin < note.txt` would make the note the key)
 */

const MAX_KEY_FILE_BYTES = 1024 * 1024;

export const KEY_ENV = 'PHI_REDACT_KEY';
export const MIN_KEY_BYTES = 16;

export interface LoadedKey {
  readonly key: SecretKey;
  readonly source: 'file' | 'env' | 'random';
  /** Short non-reversible identity, safe to print (see keyFingerprint). */
  readonly fingerprint: string;
  /** Set when the key is random for this run: the caller must print it to stderr. */
  readonly warning?: string;
}

export const RANDOM_KEY_WARNING =
  `warning: no --key-file and no ${KEY_ENV}: using a random key for this run; ` +
  'surrogates and date shifts will not repeat across runs';

function checked(key: Buffer, where: string): Buffer {
  if (key.length < MIN_KEY_BYTES) throw new ConfigError('E111', `${where}: key must be at least ${MIN_KEY_BYTES} bytes`);
  return key;
}

/** Before anything else: only a regular file can be a key file (never stdin, a FIFO, a device). */
function refuseNonRegular(path: string): void {
  if (isStdioPath(path)) throw new ConfigError('E122', `key file ${path} is a standard stream (stdin, stdout or stderr), not a file`);
  let regular: boolean;
  try {
    regular = statSync(path).isFile();
  } catch {
    return; // missing or unreadable: the read below says so (E110)
  }
  if (!regular) throw new ConfigError('E122', `key file ${path} is not a regular file`);
}

/** A key others can read protects nothing: refuse it rather than warn (warnings scroll away). */
function refuseShared(path: string): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return; // unreadable: the read below says so (E110)
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError('E118', `key file ${path} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 it`);
  }
}

/**
 * Key file contents are used as raw bytes, minus one trailing newline (so `openssl rand -hex
 * 32 > key` and an editor-saved file give the same key as the text itself).
 */
export function loadSecretKey(options: { keyFile?: string; env?: Readonly<Record<string, string | undefined>> } = {}): LoadedKey {
  let key: Buffer;
  let source: LoadedKey['source'];
  if (options.keyFile !== undefined) {
    let bytes: Buffer;
    // Before reading: a non-regular or shared key file is refused unread.
    refuseNonRegular(options.keyFile);
    refuseShared(options.keyFile);
    try {
      // Checked again on the open file: not a regular file, or the file that is our stdin.
      bytes = readSecretFile(options.keyFile, MAX_KEY_FILE_BYTES);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      if (code === 'ENOTREG' || code === 'ESTDIO') throw new ConfigError('E122', `key file ${options.keyFile} ${secretFileProblem(err, MAX_KEY_FILE_BYTES)}`);
      if (code === 'EFBIG') throw new ConfigError('E110', `cannot read key file ${options.keyFile} (larger than ${MAX_KEY_FILE_BYTES} bytes)`);
      throw new ConfigError('E110', `cannot read key file ${options.keyFile} (${code})`);
    }
    const end = bytes.at(-1) === 0x0a ? (bytes.at(-2) === 0x0d ? bytes.length - 2 : bytes.length - 1) : bytes.length;
    key = checked(bytes.subarray(0, end), `key file ${options.keyFile}`);
    source = 'file';
  } else if (options.env?.[KEY_ENV] !== undefined && options.env[KEY_ENV] !== '') {
    key = checked(Buffer.from(options.env[KEY_ENV]!, 'utf8'), KEY_ENV);
    source = 'env';
  } else {
    return { key: randomBytes(32), source: 'random', fingerprint: 'random', warning: RANDOM_KEY_WARNING };
  }
  return { key, source, fingerprint: keyFingerprint(key) };
}
