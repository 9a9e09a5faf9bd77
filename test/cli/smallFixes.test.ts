import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeIO } from './fakeIO.js';

// Small things a new user met (issue 19), each through the CLI's own entry point.
const ROOT = join(import.meta.dirname, '..', '..');
const NOTE = 'Pt seen by Dr. Quillfeather on 3/14/2023, phone 617-555-0142.\n';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-small-'));
  mkdirSync(join(cwd, 'in'));
  writeFileSync(join(cwd, 'in', 'a.txt'), NOTE);
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe('CLI small fixes', () => {
  it('--version prints the package version and exits 0', async () => {
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['--version'], f.io);
    expect(exitCode).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(f.stdout().trim()).toBe(version);
  });

  it('--out naming an existing file: E049 saying it is a file, exit 2, the file untouched', async () => {
    writeFileSync(join(cwd, 'taken'), 'x');
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['redact', 'in', '--out', 'taken', '--detectors', 'rules'], f.io);
    expect(exitCode).toBe(2);
    expect(f.stderr()).toBe('phi-redact: E049 cannot write the out folder taken: it, or a folder on the way to it, is a file (ENOTDIR)\n');
    expect(readFileSync(join(cwd, 'taken'), 'utf8')).toBe('x');
  });

  it('only missing inputs: the E040 line, exit 1, and no out folder is created', async () => {
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['redact', 'nowhere.txt', '--out', 'out', '--detectors', 'rules'], f.io);
    expect(exitCode).toBe(1);
    expect(f.stderr()).toBe('phi-redact: nowhere.txt: E040 no such file or folder\n');
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('--policy keep (as the config allows): every note written unchanged', async () => {
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['redact', 'in', '--out', 'out', '--detectors', 'rules', '--policy', 'keep', '--workers', '1'], f.io);
    expect(exitCode).toBe(0);
    expect(readFileSync(join(cwd, 'out', 'a.txt'), 'utf8')).toBe(NOTE);
  });
});

describe('eval --pred reads a finished run\'s manifest', () => {
  it('scores the run without running it again; gold ids may omit the extension; gold may be a sample of the run', async () => {
    writeFileSync(join(cwd, 'in', 'b.txt'), 'Nothing to see here.\n');
    const r = fakeIO({ cwd });
    expect((await run(['redact', 'in', '--out', 'out', '--detectors', 'rules', '--workers', '1'], r.io)).exitCode).toBe(0);
    const start = NOTE.indexOf('617-555-0142');
    const gold = { id: 'a', text: NOTE, spans: [{ start, end: start + 12, label: 'CONTACT', text: '617-555-0142' }] };
    writeFileSync(join(cwd, 'gold.jsonl'), `${JSON.stringify(gold)}\n`);
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['eval', '--gold', 'gold.jsonl', '--pred', 'out/.phi-redact/manifest.jsonl', '--json'], f.io);
    expect(f.stderr()).toBe('');
    expect(exitCode).toBe(0);
    const report = JSON.parse(f.stdout()) as { token: { overall: { gold: number; goldHit: number; recall: number } } };
    expect(report.token.overall.recall).toBe(1);
    expect(report.token.overall.gold).toBeGreaterThan(0);
  });
});
