import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeIO } from '../cli/fakeIO.js';

/**
 * Everything a run creates is its owner's only: 0600 files, 0700 folders, from the first write
 * (the mode is given at creation, so there is no moment when a note's output, the manifest or
 * the vault is world-readable). Run under the usual umask 022, which would otherwise give
 * 0644/0755.
 */

let cwd: string;
let umask: number;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-perm-'));
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  rmSync(cwd, { recursive: true, force: true });
});

/** Every path under `root` (root included) with its permission bits, octal. */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string): void => {
    const info = statSync(p);
    out[relative(cwd, p) || '.'] = (info.mode & 0o777).toString(8);
    if (info.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(root);
  return out;
}

describe('permissions of what a run writes', () => {
  it('a fresh folder run with a vault: out folder, mirrored folders, .phi-redact/, outputs, manifest, audit, vault: 0700/0600', async () => {
    mkdirSync(join(cwd, 'in', 'ward'), { recursive: true });
    writeFileSync(join(cwd, 'in', 'ward', 'a.txt'), 'Seen on 3/14/2023, phone 617-555-0142.\n');
    writeFileSync(join(cwd, 'key'), 'k'.repeat(32), { mode: 0o600 });
    const f = fakeIO({ cwd });
    const { exitCode } = await run(
      ['redact', 'in', '--out', 'out/run1', '--detectors', 'rules', '--policy', 'surrogate', '--key-file', 'key', '--vault', 'vault.db', '--workers', '1', '--quiet'],
      f.io,
    );
    expect(exitCode, f.stderr()).toBe(0);
    const got = modes(join(cwd, 'out'));
    expect(Object.keys(got)).toEqual(
      expect.arrayContaining(['out', 'out/run1', 'out/run1/ward', 'out/run1/ward/a.txt', 'out/run1/.phi-redact', 'out/run1/.phi-redact/manifest.jsonl', 'out/run1/.phi-redact/audit.json']),
    );
    for (const [path, mode] of Object.entries(got)) expect(`${path} ${mode}`).toBe(`${path} ${statSync(join(cwd, path)).isDirectory() ? '700' : '600'}`);
    const vault = Object.entries(modes(cwd)).filter(([p]) => p.startsWith('vault.db'));
    expect(vault.length).toBeGreaterThan(0);
    for (const [path, mode] of vault) expect(`${path} ${mode}`).toBe(`${path} 600`);
  });
});
