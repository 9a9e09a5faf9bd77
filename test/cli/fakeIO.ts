import { PassThrough, Readable } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';

export interface FakeIO {
  readonly io: CliIO;
  stdout(): string;
  stderr(): string;
}

/** An in-memory CliIO: stdin from bytes, stdout/stderr collected as UTF-8. */
export function fakeIO(options: { cwd: string; stdin?: string | Uint8Array; env?: Record<string, string> }): FakeIO {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const input = options.stdin === undefined ? [] : [typeof options.stdin === 'string' ? Buffer.from(options.stdin) : Buffer.from(options.stdin)];
  return {
    io: {
      stdout,
      stderr,
      stdin: Readable.from(input),
      env: options.env ?? {},
      cwd: options.cwd,
      isTTY: false,
    },
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
  };
}
