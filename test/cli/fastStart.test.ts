import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
