import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { GOOD, put, SECRET } from './helpers.js';

/**
 * The write path under ENOSPC without needing a small disk (runs anywhere, root or not): the
 * atomic writer is made to fail for one note, as a full disk would, mid-run. That note fails
 * with E045 naming the error code only; the notes around it are written; exit 1.
 */

vi.mock('../../src/node/files/atomicWrite.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/node/files/atomicWrite.js')>();
  return {
    ...real,
    writeFileAtomic: async (path: string, data: string | Uint8Array, mode?: number): Promise<void> => {
      if (path.endsWith('b.txt')) {
        throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}' ${SECRET}`), { code: 'ENOSPC' });
      }
      return real.writeFileAtomic(path, data, mode);
    },
  };
});

const { run } = await import('../../src/cli/run.js');
const { fakeIO } = await import('../cli/fakeIO.js');

const cwd = mkdtempSync(join(tmpdir(), 'phi-hard-enospc-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('injected ENOSPC on one output', () => {
  it('that note fails with E045 (code only, nothing of the note or the error text), the others are written, exit 1', async () => {
    for (const n of ['a', 'b', 'c']) put(cwd, `in/${n}.txt`, GOOD);
    const f = fakeIO({ cwd });
    const r = await run(['redact', 'in', '--out', 'out', '--detectors', 'rules', '--workers', '1'], f.io);
    expect(r.exitCode).toBe(1);
    expect(f.stderr()).toBe('phi-redact: in/b.txt: E045 cannot write the output (Error ENOSPC)\n');
    expect(f.stdout()).toContain('2 notes redacted, 1 failed');
    expect(existsSync(join(cwd, 'out', 'a.txt'))).toBe(true);
    expect(existsSync(join(cwd, 'out', 'b.txt'))).toBe(false);
    expect(existsSync(join(cwd, 'out', 'c.txt'))).toBe(true);
  });
});
