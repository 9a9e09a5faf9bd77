import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { Vault } from '../../src/node/vault/vault.js';

const dir = mkdtempSync(join(tmpdir(), 'phi-vault-'));
const KEY = Buffer.from('vault test key: 32 bytes long...');
const OTHER = Buffer.from('not the vault key, 32 bytes long');

describe('Vault', () => {
  it('records pairs encrypted and finds them by surrogate, case-insensitively; the file shows neither', () => {
    const path = join(dir, 'a.db');
    const v = Vault.open(path, KEY, { create: true });
    v.record({ label: 'NAME', scope: 'p1', original: 'Johnathan Smithers', surrogate: 'Declan Hauck' });
    v.record({ label: 'NAME', scope: 'p1', original: 'Johnathan Smithers', surrogate: 'Declan Hauck' });
    v.record({ label: 'DATE', scope: 'p1', original: '3/4/2021', surrogate: '9/19/2020' });
    expect(v.count()).toBe(2);
    expect(v.lookup('DECLAN  hauck')).toEqual([{ label: 'NAME', scope: 'p1', original: 'Johnathan Smithers', surrogate: 'Declan Hauck' }]);
    expect(v.lookup('Nobody')).toEqual([]);
    v.close();
    const bytes = readFileSync(path).toString('latin1');
    for (const s of ['Johnathan', 'Smithers', 'Declan', 'Hauck', '3/4/2021', '9/19/2020', 'p1']) expect(bytes).not.toContain(s);
    const again = Vault.open(path, KEY);
    expect([...again.all()].map((e) => e.original).sort()).toEqual(['3/4/2021', 'Johnathan Smithers']);
    again.close();
  });

  it('refuses a wrong key, a missing file, and other files (without touching them)', () => {
    const path = join(dir, 'b.db');
    Vault.open(path, KEY, { create: true }).close();
    expect(() => Vault.open(path, OTHER)).toThrow(/^E115 /u);
    expect(() => Vault.open(join(dir, 'missing.db'), KEY)).toThrow(/^E114 .*does not exist/u);
    const foreign = join(dir, 'foreign.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => Vault.open(foreign, KEY)).toThrow(/^E114 .*not a phi-redact vault/u);
    const tables = new Database(foreign).prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables).toEqual([{ name: 't' }]);
    const text = join(dir, 'text.db');
    writeFileSync(text, 'just some text, not a database at all, long enough to have a header');
    expect(() => Vault.open(text, KEY)).toThrow(/^E114 /u);
  });

  it('two connections (as two worker threads) write to one vault', () => {
    const path = join(dir, 'c.db');
    const a = Vault.open(path, KEY, { create: true });
    const b = Vault.open(path, KEY, { create: true });
    for (let i = 0; i < 50; i++) {
      a.record({ label: 'ID', scope: '', original: `A${i}`, surrogate: `X${i}` });
      b.record({ label: 'ID', scope: '', original: `B${i}`, surrogate: `Y${i}` });
    }
    a.close();
    b.close();
    const v = Vault.open(path, KEY);
    expect(v.count()).toBe(100);
    expect(v.lookup('y7')[0]?.original).toBe('B7');
    v.close();
  });
});

function memoryIO(stdin: string, env: Record<string, string>): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk, _enc, cb) {
        append(String(chunk));
        cb();
      },
    });
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), stdin: Readable.from([Buffer.from(stdin)]), env, cwd: dir, isTTY: false },
    out: () => out,
    err: () => err,
  };
}

describe('redact --vault, then reidentify', () => {
  const env = { PHI_REDACT_KEY: 'a vault round-trip secret, 32 by' };
  const note = 'Seen 3/4/2021, again 3/18/2021. Call 410-328-7755. SSN: 412-56-7890. MRN 44170921.\n';

  it('restores the original note from the surrogate note', async () => {
    const redact = memoryIO(note, env);
    expect((await run(['redact', '-', '--policy', 'surrogate', '--detectors', 'rules', '--vault', 'rt.db'], redact.io)).exitCode).toBe(0);
    const pseudo = redact.out();
    expect(pseudo).not.toContain('410-328-7755');
    expect(pseudo).not.toContain('3/4/2021');

    const back = memoryIO(pseudo, env);
    expect((await run(['reidentify', '-', '--vault', 'rt.db'], back.io)).exitCode).toBe(0);
    expect(back.out()).toBe(note);

    const look = memoryIO('', env);
    const surrogateDate = /Seen (\S+),/u.exec(pseudo)![1]!;
    expect((await run(['reidentify', surrogateDate, 'not-a-surrogate', '--vault', 'rt.db'], look.io)).exitCode).toBe(1);
    expect(look.out()).toBe(`${surrogateDate}\tDATE\t3/4/2021\n`);
  });

  it('refuses a random key and the wrong key', async () => {
    const noKey = memoryIO(note, {});
    expect((await run(['redact', '-', '--policy', 'surrogate', '--detectors', 'rules', '--vault', 'x.db'], noKey.io)).exitCode).toBe(2);
    expect(noKey.err()).toMatch(/E116 /u);
    const wrong = memoryIO('x', { PHI_REDACT_KEY: 'some other secret, also 32 bytes' });
    expect((await run(['reidentify', '-', '--vault', 'rt.db'], wrong.io)).exitCode).toBe(2);
    expect(wrong.err()).toMatch(/E115 the key does not open vault/u);
  });
});
