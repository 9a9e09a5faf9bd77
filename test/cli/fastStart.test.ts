import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The built CLI with and without the prebuilt word lists (dist/generated): same output; the
// from-source start says so once on stderr, naming why and no note text.
const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const NOTE = 'Seen by Dr. Quillfeather with wife Brenda Okonkwo-Reyes; lives in Springfield; call 617-555-0142.\n';

function redact(detectors: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [MAIN, 'redact', '-', '--detectors', detectors], {
    cwd: ROOT,
    input: NOTE,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
}

describe.skipIf(!existsSync(join(ROOT, 'dist', 'generated', 'lexicon.bin')))('CLI start with the prebuilt word lists', () => {
  it('prebuilt and from source redact alike; only the from-source start prints one notice', () => {
    const fast = redact('rules,dictionaries');
    const slow = redact('rules,dictionaries', { PHI_REDACT_PREBUILT: 'off' });
    expect([fast.status, slow.status]).toEqual([0, 0]);
    expect(fast.stdout).toContain('[NAME]');
    expect(slow.stdout).toBe(fast.stdout);
    expect(fast.stderr).toBe('');
    expect(slow.stderr).toBe('phi-redact: building the word lists from source (a slower start): PHI_REDACT_PREBUILT=off\n');
    for (const word of ['Quillfeather', 'Brenda', 'Springfield', '0142']) expect(slow.stderr).not.toContain(word);
  });

  it('a rules-only run reads no word lists, so it never mentions them', () => {
    const rules = redact('rules', { PHI_REDACT_PREBUILT: 'off' });
    expect(rules.status).toBe(0);
    expect(rules.stderr).toBe('');
  });
});

// Each command loads its own code when it runs (src/cli/actions, issue 19): a stdin redact loads
// neither the review page's nor the service's HTTP stack, nor the folder-run, queue and vault
// packages, in the bundle (dist/bundle) and from tsc's modules alike.
describe('what a stdin redact loads', () => {
  const loaded = (bundle: 'on' | 'off'): { builtins: string[]; files: string[] } => {
    const dir = mkdtempSync(join(tmpdir(), 'phi-redact-loaded-'));
    try {
      const out = join(dir, 'loaded.json');
      const r = redact('rules', { PHI_REDACT_BUNDLE: bundle, LOADED_MODULES_OUT: out, NODE_OPTIONS: `--require ${join(ROOT, 'test', 'fixtures', 'cli', 'loaded-modules.cjs')}` });
      expect(r.status).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8')) as { builtins: string[]; files: string[] };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it.each(['on', 'off'] as const)('PHI_REDACT_BUNDLE=%s: no HTTP server, glob matcher, progress bar, queue or vault', (bundle) => {
    const { builtins, files } = loaded(bundle);
    expect(builtins).toContain('fs');
    expect(builtins).not.toContain('http');
    const packages = files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((p) => p !== undefined);
    expect(packages).toContain('validator');
    for (const p of ['picomatch', 'cli-progress', 'fastify', 'bullmq', 'ioredis', 'better-sqlite3']) expect(packages).not.toContain(p);
  });
});
