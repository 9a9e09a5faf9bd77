import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { collectInputs } from '../../../src/node/files/inputs.js';

let cwd: string;
const touch = (...paths: string[]): void => {
  for (const p of paths) {
    mkdirSync(dirname(join(cwd, p)), { recursive: true });
    writeFileSync(join(cwd, p), 'x\n');
  }
};
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-inputs-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

const collect = async (paths: string[], out = 'out', glob?: string) => {
  const r = await collectInputs(paths, { cwd, outDir: join(cwd, out), ...(glob ? { glob } : {}) });
  return {
    files: r.files.map((f) => [f.display, f.output]),
    problems: r.problems.map((p) => `${p.display}: ${p.error.code}`),
  };
};

describe('collectInputs', () => {
  it('mirrors one folder at the top of out, recursively, .txt only, in name order', async () => {
    touch('notes/b.txt', 'notes/a.txt', 'notes/sub/deeper/c.txt', 'notes/x.md', 'notes/.hidden/d.txt', 'notes/.e.txt', 'notes/F.TXT');
    expect(await collect(['notes'])).toEqual({
      files: [
        ['notes/F.TXT', 'F.TXT'],
        ['notes/a.txt', 'a.txt'],
        ['notes/b.txt', 'b.txt'],
        ['notes/sub/deeper/c.txt', 'sub/deeper/c.txt'],
      ],
      problems: [],
    });
  });

  it('puts a single file at the top of out, whatever its name', async () => {
    touch('deep/er/note.md');
    expect(await collect(['deep/er/note.md'])).toEqual({ files: [['deep/er/note.md', 'note.md']], problems: [] });
  });

  it('mirrors several inputs each under its basename', async () => {
    touch('ward/a.txt', 'ward/s/b.txt', 'letters/c.txt', 'single.txt');
    expect((await collect(['ward', 'letters', 'single.txt'])).files).toEqual([
      ['ward/a.txt', 'ward/a.txt'],
      ['ward/s/b.txt', 'ward/s/b.txt'],
      ['letters/c.txt', 'letters/c.txt'],
      ['single.txt', 'single.txt'],
    ]);
  });

  it.each([
    ['*.note', ['a.note', 'sub/b.note']],
    ['sub/*', ['sub/b.note', 'sub/c.txt']],
    ['**/*.{txt,note}', ['a.note', 'd.txt', 'sub/b.note', 'sub/c.txt']],
    ['nothing-matches', []],
  ])('--glob %s', async (glob, expected) => {
    touch('in/a.note', 'in/sub/b.note', 'in/sub/c.txt', 'in/d.txt');
    expect((await collect(['in'], 'out', glob)).files.map((f) => f[1])).toEqual(expected);
  });

  it('reports missing paths as problems and keeps the rest', async () => {
    touch('ok/a.txt');
    expect(await collect(['missing', 'ok', 'ok/nope.txt'])).toEqual({
      files: [['ok/a.txt', 'ok/a.txt']],
      problems: ['missing: E040', 'ok/nope.txt: E040'],
    });
  });

  it('never reads the out folder, our manifest folder or our temp files', async () => {
    touch('in/a.txt', 'in/out/old.txt', 'in/.phi-redact/x.txt', 'in/.phi-redact-1-0123456789ab.tmp');
    expect((await collect(['in'], 'in/out')).files).toEqual([['in/a.txt', 'a.txt']]);
  });

  it('follows symlinked files, not symlinked folders', async () => {
    touch('data/real.txt', 'elsewhere/linked.txt');
    symlinkSync(join(cwd, 'elsewhere/linked.txt'), join(cwd, 'data/link.txt'));
    symlinkSync(join(cwd, 'data'), join(cwd, 'data/loop'));
    expect((await collect(['data'])).files.map((f) => f[1])).toEqual(['link.txt', 'real.txt']);
  });

  it('refuses two inputs that would write the same output', async () => {
    touch('a/notes/n.txt', 'b/notes/n.txt');
    await expect(collect(['a/notes', 'b/notes'])).rejects.toThrow(UsageError);
  });

  it('refuses an out folder where outputs would replace inputs', async () => {
    touch('in/a.txt');
    await expect(collect(['in'], 'in')).rejects.toThrow(/would replace the input in\/a\.txt/);
  });

  it('redacts a file named twice only once', async () => {
    touch('a.txt');
    expect((await collect(['a.txt', 'a.txt'])).files).toEqual([['a.txt', 'a.txt']]);
  });
});
