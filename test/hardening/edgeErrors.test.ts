import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { GOOD, put, SECRET } from './helpers.js';

/**
 * Unexpected exceptions are caught at the edge (src/cli/run.ts) and printed as their class and
 * errno code only: an error whose message quotes a note (as a library's parse error might) never
 * reaches stderr. Here the engine is made to throw such an error, in folder and stream mode.
 */

const NOTE_SECRET = `${SECRET} Zanzibar, MRN 00123456`;
const ROOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let mode: 'type' | 'errno' | 'coded' = 'type';

vi.mock('../../src/node/runs/pool/engine.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/node/runs/pool/engine.js')>();
  return {
    ...real,
    createEngine: async (): Promise<never> => {
      if (mode === 'errno') throw Object.assign(new Error(`EACCES: permission denied, open '${NOTE_SECRET}'`), { code: 'EACCES' });
      if (mode === 'coded') throw new Error(`E099 something named by code\n${NOTE_SECRET}`);
      throw new TypeError(`Cannot read properties of undefined (reading '${NOTE_SECRET}')`);
    },
  };
});

const { run, safeErrorSummary } = await import('../../src/cli/run.js');
const { fakeIO } = await import('../cli/fakeIO.js');

const cwd = mkdtempSync(join(tmpdir(), 'phi-hard-edge-'));
put(cwd, 'in/a.txt', GOOD);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('safeErrorSummary', () => {
  it.each([
    ['a TypeError quoting a note', new TypeError(`bad ${NOTE_SECRET}`), 'TypeError'],
    ['an errno error quoting a path made of note text', Object.assign(new Error(`ENOENT: ${NOTE_SECRET}`), { code: 'ENOENT' }), 'Error ENOENT'],
    ['a SyntaxError from JSON.parse of a note', (() => { try { JSON.parse(`{"text": "${NOTE_SECRET}`); } catch (e) { return e; } })(), 'SyntaxError'],
    ['a thrown string', NOTE_SECRET, 'unknown error'],
    ['a thrown object', { message: NOTE_SECRET }, 'unknown error'],
  ])('%s', (_name, err, expected) => {
    expect(safeErrorSummary(err)).toBe(expected);
  });

  it('keeps our own coded first line (E0xx ...), which is PHI-free by construction', () => {
    expect(safeErrorSummary(new Error('E045 cannot write the output (Error ENOSPC)'))).toBe('E045 cannot write the output (Error ENOSPC)');
    expect(safeErrorSummary(new Error(`E099 named by code\n${NOTE_SECRET}`))).toBe('E099 named by code');
  });
});

describe('an unexpected exception inside a run', () => {
  it.each([
    ['type', 'folder', 'phi-redact: internal error (TypeError)\n'],
    ['errno', 'folder', 'phi-redact: internal error (Error EACCES)\n'],
    ['type', 'stream', 'phi-redact: internal error (TypeError)\n'],
  ] as const)('%s error, %s mode: one line with the class and code, exit 2, nothing of the note', async (which, where, line) => {
    mode = which;
    const f = fakeIO({ cwd, stdin: `${JSON.stringify({ text: GOOD })}\n` });
    const args = where === 'folder' ? ['redact', 'in', '--out', 'out', '--detectors', 'rules'] : ['redact', '-', '--format', 'jsonl', '--detectors', 'rules'];
    const r = await run(args, f.io);
    expect(r.exitCode).toBe(2);
    expect(f.stderr()).toBe(line);
    expect(f.stdout()).toBe('');
  });

  it('a coded error from deeper down shows its first line only', async () => {
    mode = 'coded';
    const f = fakeIO({ cwd });
    const r = await run(['redact', 'in', '--out', 'out', '--detectors', 'rules'], f.io);
    expect(r.exitCode).toBe(2);
    expect(f.stderr()).not.toContain(SECRET);
    expect(f.stderr()).toMatch(/E099 something named by code\n$/u);
  });
});

describe('errors that escape run() (uncaught exceptions, unhandled rejections)', () => {
  it.each([
    ['a late throw', `setTimeout(() => { throw new RangeError('${NOTE_SECRET}'); }, 10);`, 'RangeError'],
    ['an unhandled rejection', `Promise.reject(new TypeError('${NOTE_SECRET}'));`, 'TypeError'],
    ['an error event nobody listens to', `new (await import('node:events')).EventEmitter().emit('error', Object.assign(new Error('${NOTE_SECRET}'), { code: 'EPIPE' }));`, 'Error EPIPE'],
  ])('%s: the built CLI guard prints the class and code only, exit 2', (_name, body, summary) => {
    const runJs = join(ROOT_DIR, 'dist', 'cli', 'run.js');
    const script = `import { installCrashGuards } from ${JSON.stringify(runJs)};\ninstallCrashGuards(process.stderr);\n${body}\n`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`phi-redact: internal error (${summary})\n`);
  });
});
