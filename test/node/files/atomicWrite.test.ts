import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAtomicTempName, writeFileAtomic, writeFileAtomicInPieces } from '../../../src/node/files/atomicWrite.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phi-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('creates missing folders and writes the exact bytes', async () => {
    const target = join(dir, 'a', 'b', 'note.txt');
    await writeFileAtomic(target, 'x\r\ny é');
    expect(readFileSync(target, 'utf8')).toBe('x\r\ny é');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['note.txt']);
  });

  it('replaces an existing file and leaves no temp file', async () => {
    const target = join(dir, 'note.txt');
    writeFileSync(target, 'old content that is longer');
    await writeFileAtomic(target, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['note.txt']);
  });

  it('many concurrent writes to one folder each land whole, with no temp files left', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => writeFileAtomic(join(dir, `n${i}.txt`), `note ${i}\n`.repeat(100))));
    const names = readdirSync(dir).sort();
    expect(names).toHaveLength(40);
    for (const n of names) expect(readFileSync(join(dir, n), 'utf8')).toBe(`note ${n.slice(1, -4)}\n`.repeat(100));
  });

  it('cleans up its temp file when the rename fails, and leaves the target as it was', async () => {
    const target = join(dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'k');
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['occupied']);
    expect(readdirSync(target)).toEqual(['keep.txt']);
  });

  it.each([
    ['.phi-redact-123-0123456789ab.tmp', true],
    ['note.txt', false],
    ['.phi-redact-x-0123456789ab.tmp', false],
    ['phi-redact-1-0123456789ab.tmp', false],
  ])('isAtomicTempName(%s) is %s', (name, expected) => {
    expect(isAtomicTempName(name)).toBe(expected);
  });

  it('in pieces: the pieces in order, strings and bytes mixed; a throw midway leaves nothing', async () => {
    const target = join(dir, 'long.txt');
    await writeFileAtomicInPieces(target, async (write) => {
      for (let i = 0; i < 50; i++) await write(i % 2 === 0 ? `piece ${i} é\n` : new TextEncoder().encode(`bytes ${i}\n`));
    });
    expect(readFileSync(target, 'utf8')).toBe(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? `piece ${i} é\n` : `bytes ${i}\n`)).join(''));
    const other = join(dir, 'failed.txt');
    await expect(
      writeFileAtomicInPieces(other, async (write) => {
        await write('half of a note');
        throw new Error('detector failed');
      }),
    ).rejects.toThrow('detector failed');
    expect(readdirSync(dir)).toEqual(['long.txt']);
  });
});
