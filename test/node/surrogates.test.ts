import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { run } from '../../src/cli/run.js';
import type { CliIO } from '../../src/cli/io.js';
import { loadPipeline } from '../../src/node/createPipeline.js';
import { keyFingerprint } from '../../src/transform/keyed.js';

const KEY = Buffer.from('wiring test key, 32 bytes long..');
const NOTE = 'Seen 3/4/2021; call 410-555-1234; SSN 412-56-7890.';

describe('loadPipeline with the surrogate operator', () => {
  it('replaces with keyed surrogates and reports the key fingerprint only', async () => {
    const p = await loadPipeline({ config: parseConfig({ policy: { DEFAULT: 'surrogate' } }), detectors: ['rules'], key: KEY });
    const a = await p.redact(NOTE, { scope: 'p1' });
    const b = await p.redact(NOTE, { scope: 'p1' });
    expect(a.text).toBe(b.text);
    expect(a.text).not.toMatch(/3\/4\/2021|410-555-1234|412-56-7890/u);
    expect(a.spans.length).toBeGreaterThan(0);
    for (const s of a.spans) expect(s.operator).toBe('surrogate');
    expect(p.keyFingerprint()).toBe(keyFingerprint(KEY));
  });

  it('applies the safe-harbor preset', async () => {
    const p = await loadPipeline({ config: parseConfig({ preset: 'safe-harbor' }), detectors: ['rules'], key: KEY });
    expect(p.config.policy.DEFAULT).toBe('surrogate');
    expect((await p.redact('Seen March 4, 2021.', { scope: 'p1' })).text).toMatch(/^Seen (2021|\[DATE\])\.$/u);
  });

  it('fails closed without a key when the policy needs one; no key needed otherwise', async () => {
    await expect(loadPipeline({ config: parseConfig({ policy: { DEFAULT: 'surrogate' } }), detectors: ['rules'] })).rejects.toThrow(/^E113 /u);
    const p = await loadPipeline({ config: parseConfig({}), detectors: ['rules'] });
    expect(p.keyFingerprint()).toBe('none');
  });
});

function memoryIO(stdin: string, env: Record<string, string> = {}): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk, _enc, cb) {
        append(String(chunk));
        cb();
      },
    });
  const io: CliIO = {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    stdin: Readable.from([Buffer.from(stdin)]),
    env,
    cwd: process.cwd(),
    isTTY: false,
  };
  return { io, out: () => out, err: () => err };
}

describe('phi-redact redact --policy surrogate', () => {
  const args = ['redact', '-', '--policy', 'surrogate', '--detectors', 'rules', '--quiet'];

  it('with PHI_REDACT_KEY: same output on every run, no warning, key never printed', async () => {
    const secret = 'an environment secret of 32 bytes';
    const a = memoryIO(NOTE, { PHI_REDACT_KEY: secret });
    const b = memoryIO(NOTE, { PHI_REDACT_KEY: secret });
    expect((await run(args, a.io)).exitCode).toBe(0);
    expect((await run(args, b.io)).exitCode).toBe(0);
    expect(a.out()).toBe(b.out());
    expect(a.out()).not.toContain('412-56-7890');
    expect(a.err()).toBe('');
    expect(a.out() + a.err()).not.toContain(secret);
  });

  it('without a key: a random key and a warning on stderr', async () => {
    const a = memoryIO(NOTE);
    expect((await run(args, a.io)).exitCode).toBe(0);
    expect(a.err()).toMatch(/random key .* will not repeat across runs/u);
    expect(a.out()).not.toContain('412-56-7890');
  });

  it('a missing key file is a usage error naming the file only', async () => {
    const a = memoryIO(NOTE);
    expect((await run([...args, '--key-file', 'no/such/key'], a.io)).exitCode).toBe(2);
    expect(a.err()).toMatch(/E110 cannot read key file .*no\/such\/key \(ENOENT\)/u);
  });
});

describe('patient scope from the input', () => {
  const secret = 'an environment secret of 32 bytes';
  const args = ['redact', '-', '--policy', 'surrogate', '--detectors', 'rules', '--quiet', '--format', 'jsonl'];
  const line = (id: string, patient: string): string => JSON.stringify({ id, patient_id: patient, text: 'Seen 3/4/2021.' });

  it('JSONL: notes of one patient share a date offset, other patients get their own', async () => {
    const input = [line('a', 'P1'), line('b', 'P1'), ...Array.from({ length: 8 }, (_, i) => line(`c${i}`, `P${i + 2}`))].join('\n');
    const m = memoryIO(`${input}\n`, { PHI_REDACT_KEY: secret });
    expect((await run(args, m.io)).exitCode).toBe(0);
    const texts = m.out().trim().split('\n').map((l) => (JSON.parse(l) as { text: string }).text);
    expect(texts).toHaveLength(10);
    expect(texts[1]).toBe(texts[0]);
    expect(new Set(texts.slice(1)).size).toBeGreaterThan(3);
    for (const t of texts) expect(t).not.toContain('3/4/2021');
  });

  it('noteScope reads the configured source', async () => {
    const { noteScope } = await import('../../src/node/surrogates.js');
    expect(noteScope(parseConfig({}), { record: { patient_id: 'P9' } })).toEqual({ scope: 'P9' });
    expect(noteScope(parseConfig({ surrogate: { scope: 'corpus' } }), { record: { patient_id: 'P9' } })).toEqual({});
    expect(noteScope(parseConfig({ surrogate: { patientId: { from: 'folder' } } }), { path: '/n/p7/a.txt' })).toEqual({ scope: 'p7' });
    expect(noteScope(parseConfig({ surrogate: { patientId: { from: 'filename', pattern: '^pt(\\d+)' } } }), { path: '/n/pt12_a.txt' })).toEqual({ scope: '12' });
    expect(noteScope(parseConfig({ surrogate: { patientId: { from: 'filename' } } }), { path: '/n/p3_visit2.txt' })).toEqual({ scope: 'p3' });
    expect(() => parseConfig({ surrogate: { patientId: { from: 'filename', pattern: '([' } } })).toThrow(/E010 .*pattern/u);
  });
});

describe('patient scope in folder runs', () => {
  it('the parent folder picks the scope when configured', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'phi-scope-'));
    const patients = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
    for (const p of patients) {
      mkdirSync(join(root, 'in', p), { recursive: true });
      for (const n of ['a', 'b']) writeFileSync(join(root, 'in', p, `${n}.txt`), 'Seen 3/4/2021.\n');
    }
    writeFileSync(join(root, 'config.yaml'), 'surrogate:\n  patientId:\n    from: folder\n');
    const m = memoryIO('', { PHI_REDACT_KEY: 'an environment secret of 32 bytes' });
    const code = (await run(['redact', join(root, 'in'), '--out', join(root, 'out'), '-c', join(root, 'config.yaml'), '--policy', 'surrogate', '--detectors', 'rules', '--quiet', '--workers', '1'], m.io)).exitCode;
    expect(code).toBe(0);
    const read = (p: string, n: string): string => readFileSync(join(root, 'out', p, `${n}.txt`), 'utf8');
    for (const p of patients) expect(read(p, 'b')).toBe(read(p, 'a'));
    expect(new Set(patients.map((p) => read(p, 'a'))).size).toBeGreaterThan(2);
  });
});

describe('surrogates in worker threads', () => {
  it('a 2-worker folder run writes the same bytes as an in-process run', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'phi-workers-'));
    for (let p = 0; p < 6; p++) {
      mkdirSync(join(root, 'in', `p${p}`), { recursive: true });
      for (let n = 0; n < 6; n++) writeFileSync(join(root, 'in', `p${p}`, `n${n}.txt`), `Seen ${n + 1}/4/2021; call 410-328-77${p}${n}; MRN 4417${p}${n}21.\n`);
    }
    writeFileSync(join(root, 'config.yaml'), 'surrogate:\n  patientId:\n    from: folder\n');
    const env = { PHI_REDACT_KEY: 'an environment secret of 32 bytes' };
    for (const workers of ['1', '2']) {
      const m = memoryIO('', env);
      const args = ['redact', join(root, 'in'), '--out', join(root, `out${workers}`), '-c', join(root, 'config.yaml'), '--policy', 'surrogate', '--detectors', 'rules', '--quiet'];
      expect((await run([...args, '--workers', workers], m.io)).exitCode).toBe(0);
    }
    for (let p = 0; p < 6; p++) {
      for (const f of readdirSync(join(root, 'in', `p${p}`))) {
        const one = readFileSync(join(root, 'out1', `p${p}`, f), 'utf8');
        expect(readFileSync(join(root, 'out2', `p${p}`, f), 'utf8')).toBe(one);
        expect(one).not.toContain('410-328-77');
      }
    }
  });
});
