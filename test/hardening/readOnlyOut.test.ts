import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeIO } from '../cli/fakeIO.js';

/**
 * A read-only --out (a read-only mount, or a folder without write permission) is a coded usage
 * error naming the folder (E049, exit 2), not `internal error (Error ENOENT)`. As root the test
 * mounts a read-only tmpfs (permission bits do not stop root); otherwise it uses chmod 555.
 */

let tmp: string;
let ro: string;
let mounted = false;
let skip: string | undefined;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'phi-ro-out-'));
  mkdirSync(join(tmp, 'in'));
  writeFileSync(join(tmp, 'in', 'a.txt'), 'Seen on 3/14/2023, phone 617-555-0142.\n');
  ro = join(tmp, 'ro');
  mkdirSync(ro);
  if (process.getuid?.() === 0) {
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro], { encoding: 'utf8' });
    if (m.status === 0) mounted = true;
    else skip = `cannot mount a read-only tmpfs here (${(m.stderr || m.error?.message || '').trim()})`;
  } else {
    chmodSync(ro, 0o555);
  }
  if (skip) console.log(`read-only --out test skipped: ${skip}`);
});
afterAll(() => {
  if (mounted) spawnSync('umount', [ro]);
  else chmodSync(ro, 0o755);
  rmSync(tmp, { recursive: true, force: true });
});

describe('a read-only --out', () => {
  it.each([
    ['ro', 'ro'],
    ['ro/sub/deeper', 'ro/sub/deeper (ro)'],
  ])('--out %s is E049 naming the folder, exit 2, nothing written', async (out, named) => {
    if (skip) return;
    const f = fakeIO({ cwd: tmp });
    const { exitCode } = await run(['redact', 'in', '--out', out, '--detectors', 'rules', '--workers', '1', '--quiet'], f.io);
    expect(exitCode).toBe(2);
    expect(f.stderr()).toMatch(new RegExp(`^phi-redact: E049 cannot write the out folder ${named.replace(/[()]/g, '\\$&')}: read-only or not permitted \\((EROFS|EACCES)\\)\\n$`));
  });
});
