import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KEY_ENV, loadSecretKey } from '../../src/node/keys.js';
import { keyFingerprint } from '../../src/transform/keyed.js';

const dir = mkdtempSync(join(tmpdir(), 'phi-keys-'));
const SECRET = 'correct horse battery staple 42';

describe('loadSecretKey', () => {
  it('reads a key file (one trailing newline ignored) and never echoes it', () => {
    const path = join(dir, 'key');
    writeFileSync(path, `${SECRET}\n`, { mode: 0o600 });
    const k = loadSecretKey({ keyFile: path });
    expect(k.source).toBe('file');
    expect(Buffer.from(k.key).toString()).toBe(SECRET);
    expect(k.fingerprint).toBe(keyFingerprint(Buffer.from(SECRET)));
    expect(k.fingerprint).not.toContain(SECRET);
    expect(k.warning).toBeUndefined();
  });

  it('the env variable gives the same key as the same file contents; the file wins', () => {
    const path = join(dir, 'key2');
    writeFileSync(path, SECRET, { mode: 0o600 });
    expect(loadSecretKey({ env: { [KEY_ENV]: SECRET } }).fingerprint).toBe(loadSecretKey({ keyFile: path }).fingerprint);
    expect(loadSecretKey({ keyFile: path, env: { [KEY_ENV]: 'something else entirely!!' } }).source).toBe('file');
  });

  it('without a key: random for the run, with a warning', () => {
    const a = loadSecretKey({ env: {} });
    const b = loadSecretKey({ env: { [KEY_ENV]: '' } });
    expect(a.source).toBe('random');
    expect(a.warning).toMatch(/will not repeat across runs/u);
    expect(Buffer.compare(Buffer.from(a.key), Buffer.from(b.key))).not.toBe(0);
  });

  it('fails with coded errors that do not quote the key', () => {
    expect(() => loadSecretKey({ keyFile: join(dir, 'missing') })).toThrow(/^E110 cannot read key file .*missing \(ENOENT\)$/u);
    try {
      loadSecretKey({ env: { [KEY_ENV]: 'short' } });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^E111 /u);
      expect((err as Error).message).not.toContain('short');
    }
  });
});

describe('--key-file refuses anything but a regular file (E122)', () => {
  const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'main.js');
  const NOTE = 'Pt Zbigniewska seen 3/14/2023, phone 617-555-0142.\n';

  it.each([['/dev/stdin'], ['/dev/fd/0'], ['/proc/self/fd/0'], ['/dev/zero'], [dir]])('refuses %s unread', (path) => {
    expect(() => loadSecretKey({ keyFile: path })).toThrow(/^E122 key file .* (is not a regular file|is a standard stream \(stdin, stdout or stderr\), not a file)$/u);
  });

  it.each([['/dev/stdin'], ['a link to /dev/stdin']])('redact - --key-file %s with a note (mode 600) on stdin: E122, exit 2, the note is not used as the key', (which) => {
    const cwd = mkdtempSync(join(tmpdir(), 'phi-key-stdin-'));
    writeFileSync(join(cwd, 'note.txt'), NOTE, { mode: 0o600 });
    symlinkSync('/dev/stdin', join(cwd, 'stdin-link'));
    const keyFile = which === '/dev/stdin' ? '/dev/stdin' : 'stdin-link';
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${MAIN}" redact - --policy surrogate --detectors rules --key-file ${keyFile} < note.txt`], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^phi-redact: E122 key file \S+ is (a standard stream \(stdin, stdout or stderr\), not a file|not a regular file)\n$/u);
    expect(r.stderr).not.toContain('Zbigniewska');
  });
});
