import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
