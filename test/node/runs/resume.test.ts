import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { compactManifest, planResume, readDoneRecords, removeStaleTempFiles, repairManifestTail } from '../../../src/node/runs/resume.js';
import type { InputFile } from '../../../src/node/files/inputs.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'phi-resume-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (o: Record<string, unknown>): string => `${JSON.stringify(o)}\n`;

describe('repairManifestTail', () => {
  it.each<[string, string, string, number]>([
    ['complete lines', '{"a":1}\n{"b":2}\n', '{"a":1}\n{"b":2}\n', 0],
    ['a torn last line', '{"a":1}\n{"b":', '{"a":1}\n', 5],
    ['only a torn line', '{"inp', '', 5],
    ['empty', '', '', 0],
  ])('%s', async (_name, before, after, dropped) => {
    const path = join(dir, `m-${dropped}-${before.length}.jsonl`);
    writeFileSync(path, before);
    expect(await repairManifestTail(path)).toBe(dropped);
    expect(readFileSync(path, 'utf8')).toBe(after);
  });

  it('finds the last newline across read blocks (a 200 KB torn line)', async () => {
    const path = join(dir, 'big.jsonl');
    writeFileSync(path, `{"ok":1}\n${'x'.repeat(200_000)}`);
    expect(await repairManifestTail(path)).toBe(200_000);
    expect(readFileSync(path, 'utf8')).toBe('{"ok":1}\n');
  });

  it('does nothing when there is no manifest yet', async () => {
    expect(await repairManifestTail(join(dir, 'absent.jsonl'))).toBe(0);
  });
});

describe('readDoneRecords and compactManifest', () => {
  it('keeps the last line per input, skips torn and foreign lines, and compacts in input order', async () => {
    const path = join(dir, 'manifest.jsonl');
    writeFileSync(
      path,
      line({ input: '/b', output: 'b', status: 'failed', size: 1, mtimeMs: 1, sha256: 'x' }) +
        line({ input: '/a', output: 'a', status: 'done', size: 1, mtimeMs: 1, sha256: 'x', fingerprint: 'f' }) +
        'garbage\n' +
        line({ input: '/b', output: 'b', status: 'done', size: 1, mtimeMs: 1, sha256: 'y', fingerprint: 'f' }) +
        '{"input":"/c","outp',
    );
    const records = await readDoneRecords(path);
    expect([...records.keys()].sort()).toEqual(['/a', '/b']);
    expect(records.get('/b')).toMatchObject({ status: 'done', sha256: 'y' });
    await compactManifest(path, ['/b', '/a']);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { input: string; status: string });
    expect(lines.map((l) => [l.input, l.status])).toEqual([
      ['/b', 'done'],
      ['/a', 'done'],
    ]);
  });
});

describe('planResume', () => {
  it('skips only unchanged done notes under the same fingerprint whose output exists', async () => {
    const inputs = join(dir, 'in');
    const out = join(dir, 'out');
    mkdirSync(inputs, { recursive: true });
    mkdirSync(out, { recursive: true });
    const files: InputFile[] = ['same', 'changed', 'other-fp', 'failed', 'no-output', 'new', 'touched'].map((n) => ({
      path: join(inputs, `${n}.txt`),
      display: `${n}.txt`,
      output: `${n}.txt`,
    }));
    const records = new Map();
    for (const f of files) {
      writeFileSync(f.path, `note ${f.display}`);
      utimesSync(f.path, 1_700_000_000, 1_700_000_000);
      if (f.display !== 'no-output.txt') writeFileSync(join(out, f.output), 'redacted');
      const sha256 = createHash('sha256').update(`note ${f.display}`).digest('hex');
      records.set(f.path, { output: f.output, size: `note ${f.display}`.length, mtimeMs: 1_700_000_000_000, sha256, status: 'done', fingerprint: 'fp1' });
    }
    records.set(files[2]!.path, { ...records.get(files[2]!.path), fingerprint: 'fp0' });
    records.set(files[3]!.path, { ...records.get(files[3]!.path), status: 'failed' });
    records.delete(files[5]!.path);
    // Same size and mtime, other bytes: only the hash can tell.
    writeFileSync(files[1]!.path, `NOTE ${files[1]!.display}`);
    utimesSync(files[1]!.path, 1_700_000_000, 1_700_000_000);
    utimesSync(files[6]!.path, 1_700_000_100, 1_700_000_100);
    const plan = await planResume(files, records, out, 'fp1');
    expect(plan.skip.map((f) => f.display)).toEqual(['same.txt']);
    expect(plan.todo.map((f) => f.display)).toEqual(['changed.txt', 'other-fp.txt', 'failed.txt', 'no-output.txt', 'new.txt', 'touched.txt']);
  });
});

describe('removeStaleTempFiles', () => {
  it('removes our temp files at any depth and nothing else; with an age limit, only old ones', async () => {
    const out = join(dir, 'tmpclean');
    mkdirSync(join(out, 'a', 'b'), { recursive: true });
    writeFileSync(join(out, '.phi-redact-1-0123456789ab.tmp'), 'x');
    writeFileSync(join(out, 'a', 'b', '.phi-redact-22-abcdefabcdef.tmp'), 'x');
    writeFileSync(join(out, 'a', 'keep.tmp'), 'x');
    writeFileSync(join(out, 'a', 'note.txt'), 'x');
    writeFileSync(join(out, 'a', '.phi-redact-3-aaaaaaaaaaaa.tmp'), 'fresh');
    utimesSync(join(out, '.phi-redact-1-0123456789ab.tmp'), 1_600_000_000, 1_600_000_000);
    expect(await removeStaleTempFiles(out, 60_000)).toBe(1);
    expect(await removeStaleTempFiles(out)).toBe(2);
    expect(readFileSync(join(out, 'a', 'keep.tmp'), 'utf8')).toBe('x');
    expect(readFileSync(join(out, 'a', 'note.txt'), 'utf8')).toBe('x');
  });
});
