import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The bundled CLI (scripts/bundle-cli.mjs, run by `npm run build` and `pretest`) in a package
// copy that holds no tsc modules besides dist/cli/main.js: whatever it runs, it runs from
// dist/bundle/, pool workers included, and it redacts as tsc's modules do.
const ROOT = join(import.meta.dirname, '..', '..');
const NOTE = 'Seen by Dr. Quillfeather; lives in Springfield; call 617-555-0142 on 3/4/2021.\n';

let pkg: string;

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), 'phi-redact-bundle-'));
  mkdirSync(join(pkg, 'dist', 'cli'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  copyFileSync(join(ROOT, 'dist', 'cli', 'main.js'), join(pkg, 'dist', 'cli', 'main.js'));
  cpSync(join(ROOT, 'dist', 'bundle'), join(pkg, 'dist', 'bundle'), { recursive: true });
  for (const shared of ['node_modules', 'assets', 'models', join('dist', 'generated')]) symlinkSync(join(ROOT, shared), join(pkg, shared));
});

afterAll(() => rmSync(pkg, { recursive: true, force: true }));

function cli(main: string, args: readonly string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [main, ...args], { cwd: pkg, input: NOTE, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
}

describe('bundled CLI', () => {
  it('prints the package version', () => {
    const r = cli(join(pkg, 'dist', 'cli', 'main.js'), ['--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('redacts stdin with the default detectors as tsc modules do', () => {
    const bundled = cli(join(pkg, 'dist', 'cli', 'main.js'), ['redact', '-']);
    const unbundled = cli(join(ROOT, 'dist', 'cli', 'main.js'), ['redact', '-'], { PHI_REDACT_BUNDLE: 'off' });
    expect([bundled.status, unbundled.status]).toEqual([0, 0]);
    expect(bundled.stderr).toBe('');
    expect(bundled.stdout).toContain('[NAME]');
    expect(bundled.stdout).toBe(unbundled.stdout);
  });

  it('runs a folder through pool workers loaded from the bundle', () => {
    const notes = join(pkg, 'notes');
    mkdirSync(notes);
    for (const name of ['a.txt', 'b.txt']) copyFileSync(join(ROOT, 'corpora', 'sample', 'nursing-note.txt'), join(notes, name));
    const r = cli(join(pkg, 'dist', 'cli', 'main.js'), ['redact', notes, '--out', join(pkg, 'out'), '--workers', '2', '--detectors', 'rules', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(join(pkg, 'out')).filter((f) => f.endsWith('.txt')).sort()).toEqual(['a.txt', 'b.txt']);
  });
});
