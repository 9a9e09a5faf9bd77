import { createHash, timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { PhiRedactError } from '../core/errors.js';
import { readSecretFile, secretFileProblem } from '../node/files/smallFile.js';

/**
 * The service's bearer token: from a file (`--token-file`) or `PHI_REDACT_SERVE_TOKEN`, never
 * from argv (every user of the machine can read a command line). Without one the service does
 * not start (E130): an open PHI redaction endpoint is one anybody on the host can use.
 */

export const TOKEN_ENV = 'PHI_REDACT_SERVE_TOKEN';
const MIN_TOKEN_BYTES = 16;
const MAX_TOKEN_FILE_BYTES = 4096;

export function loadServeToken(options: { tokenFile?: string; env: Readonly<Record<string, string | undefined>> }): Buffer {
  let token: Buffer;
  let where: string;
  if (options.tokenFile !== undefined) {
    where = `token file ${options.tokenFile}`;
    // Like a key file: a token others can read protects nothing, so it is refused unread.
    const mode = modeOf(options.tokenFile);
    if (process.platform !== 'win32' && mode !== undefined && (mode & 0o077) !== 0) {
      throw new PhiRedactError('E130', `${where} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 it`);
    }
    try {
      token = readSecretFile(options.tokenFile, MAX_TOKEN_FILE_BYTES);
    } catch (err) {
      throw new PhiRedactError('E130', `${where} ${secretFileProblem(err, MAX_TOKEN_FILE_BYTES)}`);
    }
    token = Buffer.from(token.toString('utf8').replace(/\r?\n$/, ''), 'utf8');
  } else if (options.env[TOKEN_ENV] !== undefined && options.env[TOKEN_ENV] !== '') {
    where = TOKEN_ENV;
    token = Buffer.from(options.env[TOKEN_ENV]!, 'utf8');
  } else {
    throw new PhiRedactError('E130', `no bearer token: give --token-file FILE or set ${TOKEN_ENV} (e.g. openssl rand -hex 32)`);
  }
  if (token.length < MIN_TOKEN_BYTES) throw new PhiRedactError('E130', `${where}: the token must be at least ${MIN_TOKEN_BYTES} bytes`);
  return token;
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined; // missing or unreadable: the read says so
  }
}

/**
 * A checker for `Authorization: Bearer <token>`. Both sides are hashed first, so the comparison
 * takes the same time whatever the given token's length or how much of it is right.
 */
export function bearerChecker(token: Uint8Array): (header: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (header) => {
    const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
    const given = createHash('sha256')
      .update(match?.[1] ?? '')
      .digest();
    return timingSafeEqual(given, expected) && match !== null;
  };
}
