import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeIO } from './fakeIO.js';

/** `redact --hash-names`: no input name (PHI in file and folder names) reaches output names, the manifest or stderr. */

const NAMES = ['Kowalczyk', 'Brzeczyszczykiewicz', '1957-03-02'];
let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-hash-names-'));
  const put = (path: string, content: string | Uint8Array): void => {
    mkdirSync(dirname(join(cwd, path)), { recursive: true });
    writeFileSync(join(cwd, path), content);
  };
  put('in/Kowalczyk_Jan/Kowalczyk Jan 1957-03-02.txt', 'Seen on 3/14/2023, phone 617-555-0142.\n');
  put('in/Kowalczyk_Jan/Brzeczyszczykiewicz.txt', Buffer.from([0x41, 0x00, 0x42]));
  writeFileSync(join(cwd, 'key'), 'k'.repeat(32), { mode: 0o600 });
  writeFileSync(join(cwd, 'other-key'), 'o'.repeat(32), { mode: 0o600 });
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      out.push(relative(root, p));
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

async function redact(out: string, extra: string[] = []): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const f = fakeIO({ cwd });
  const { exitCode } = await run(['redact', 'in', 'in/Brzeczyszczykiewicz_1957-03-02.txt', '--out', out, '--detectors', 'rules', '--workers', '1', '--hash-names', ...extra], f.io);
  return { exitCode, stdout: f.stdout(), stderr: f.stderr() };
}

describe('redact --hash-names', () => {
  it('hashes output names and manifest inputs with the key, keeps the tree and .txt, and never prints a file name', async () => {
    const r = await redact('out', ['--key-file', 'key']);
    expect(r.exitCode).toBe(1); // the binary note and the missing path failed
    const written = tree(join(cwd, 'out')).filter((p) => !p.startsWith('.phi-redact'));
    // in/ (several paths: each under its own name), the patient folder, the note: all hashed.
    expect(written).toHaveLength(3);
    expect(written[2]).toMatch(/^[0-9a-f]{24}\/[0-9a-f]{24}\/[0-9a-f]{24}\.txt$/);
    expect(readFileSync(join(cwd, 'out', written[2]!), 'utf8')).toBe('Seen on [DATE], phone [CONTACT].\n');
    const manifest = readFileSync(join(cwd, 'out', '.phi-redact', 'manifest.jsonl'), 'utf8');
    const audit = readFileSync(join(cwd, 'out', '.phi-redact', 'audit.json'), 'utf8');
    for (const text of [written.join('\n'), manifest, audit, r.stdout, r.stderr]) {
      for (const name of NAMES) expect(text).not.toContain(name);
    }
    const entries = manifest.trim().split('\n').map((l) => JSON.parse(l) as { input: string; output: string; status: string });
    expect(entries.map((e) => e.status).sort()).toEqual(['done', 'failed']);
    for (const e of entries) expect(e.input).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
    // stderr names the failed note by its hashed output path, and the missing path by a hash.
    expect(r.stderr).toMatch(/^phi-redact: [0-9a-f]{24}\/[0-9a-f]{24}\/[0-9a-f]{24}\.txt: E042 /m);
    expect(r.stderr).toMatch(/^phi-redact: \(name hidden: [0-9a-f]{12}\): E040 /m);

    // Stable with the same key (and --resume skips the done note), different with another key.
    const again = await redact('out', ['--key-file', 'key', '--resume']);
    expect(again.stdout).toContain('1 skipped (already done)');
    expect((await redact('out2', ['--key-file', 'key'])).exitCode).toBe(1);
    expect(tree(join(cwd, 'out2')).filter((p) => !p.startsWith('.phi-redact'))).toEqual(written);
    const other = await redact('out3', ['--key-file', 'other-key']);
    expect(other.exitCode).toBe(1);
    const otherNames = tree(join(cwd, 'out3')).filter((p) => !p.startsWith('.phi-redact'));
    expect(otherNames).toHaveLength(3);
    expect(otherNames).not.toEqual(written);
  });

  it('needs a fixed key (E123, exit 2, nothing written) and is refused for stdin', async () => {
    const r = await redact('out');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('phi-redact: E123 --hash-names needs a fixed key (--key-file or PHI_REDACT_KEY), so that names are the same in every run\n');
    const f = fakeIO({ cwd, stdin: 'x' });
    expect((await run(['redact', '-', '--hash-names', '--detectors', 'rules'], f.io)).exitCode).toBe(2);
    expect(f.stderr()).toContain('--hash-names is for folder runs');
  });
});
