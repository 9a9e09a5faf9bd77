import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockOutDir } from '../../../src/node/runs/runLock.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'lockRace.child.ts');
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

/** `n` processes race for one out folder whose lock names a dead pid; returns their results. */
async function race(n: number): Promise<string[]> {
  tmp = mkdtempSync(join(tmpdir(), 'phi-lock-race-'));
  const out = join(tmp, 'out');
  const signals = join(tmp, 'signals');
  mkdirSync(join(out, '.phi-redact'), { recursive: true });
  mkdirSync(signals);
  writeFileSync(join(out, '.phi-redact', LOCK_FILE), `${deadPid()}\n`);
  const children = Array.from({ length: n }, (_, i) =>
    spawn(process.execPath, ['--import', 'tsx', CHILD, out, signals, String(i)], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const exited = children.map((c) => new Promise<void>((r) => c.once('exit', () => r())));
  const count = (prefix: string): number => readdirSync(signals).filter((f) => f.startsWith(prefix)).length;
  const until = async (cond: () => boolean): Promise<void> => {
    for (let waited = 0; !cond(); waited += 5) {
      if (waited > 60_000) throw new Error('contenders did not answer');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until(() => count('ready-') === n);
  writeFileSync(join(signals, 'go'), '');
  await until(() => count('result-') === n);
  writeFileSync(join(signals, 'done'), '');
  await Promise.all(exited);
  return Array.from({ length: n }, (_, i) => readFileSync(join(signals, `result-${i}`), 'utf8'));
}

describe('the out-folder lock', () => {
  it('lets exactly one of many concurrent runs take over a stale lock (dead pid); the others get E048', async () => {
    for (let round = 0; round < 3; round++) {
      const results = await race(10);
      expect(results.filter((r) => r === 'won'), `round ${round}: ${results.join(', ')}`).toHaveLength(1);
      expect(results.filter((r) => r !== 'won').every((r) => r === 'lost E048')).toBe(true);
      // No claim or temp file is left behind.
      expect(readdirSync(join(tmp!, 'out', '.phi-redact')).filter((f) => f !== LOCK_FILE)).toEqual([]);
      rmSync(tmp!, { recursive: true, force: true });
    }
  }, 180_000);

  it('is refused while its owner lives, taken over when it is dead, and released only by its owner', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'phi-lock-'));
    const out = join(tmp, 'out');
    const release = await lockOutDir(out, 'out');
    const path = join(out, '.phi-redact', LOCK_FILE);
    expect(readFileSync(path, 'utf8')).toMatch(new RegExp(`^${process.pid} [0-9a-f]{24}\\n$`));
    // A lock another (dead) run wrote in between is not ours to remove.
    writeFileSync(path, `${deadPid()}\n`);
    await release();
    expect(existsSync(path)).toBe(true);
    const again = await lockOutDir(out, 'out');
    await again();
    expect(existsSync(path)).toBe(false);
    // A live owner (the parent of this test process, certainly alive) refuses.
    writeFileSync(path, `${process.ppid}\n`);
    await expect(lockOutDir(out, 'out')).rejects.toThrow(/^E048 out is in use by another phi-redact run/);
  });

  it('names the leftover files when a run died while holding a takeover claim', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'phi-lock-'));
    const out = join(tmp, 'out');
    const dir = join(out, '.phi-redact');
    mkdirSync(dir, { recursive: true });
    const stale = `${deadPid()}\n`;
    writeFileSync(join(dir, LOCK_FILE), stale);
    const { createHash } = await import('node:crypto');
    writeFileSync(join(dir, `${LOCK_FILE}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`), `${deadPid()} x\n`);
    await expect(lockOutDir(out, 'out')).rejects.toThrow(/^E048 cannot lock out: a run died while taking over/);
  });
});
