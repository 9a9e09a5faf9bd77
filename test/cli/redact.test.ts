import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { ManifestEntry } from '../../src/node/runs/manifest.js';
import { fakeIO } from './fakeIO.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SAMPLE = join(ROOT, 'corpora', 'sample');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const SECRET = 'Quillfeather';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-cli-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function put(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(cwd, path)), { recursive: true });
  writeFileSync(join(cwd, path), content);
}

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

function manifest(out: string): ManifestEntry[] {
  return readFileSync(join(cwd, out, '.phi-redact', 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ManifestEntry);
}

/** Writes one file of each refused kind plus one good note, all holding the same fake surname. */
function errorMatrix(): void {
  put('in/good.txt', `${SECRET} was seen on 3/14/2023, phone 617-555-0142.\n`);
  put('in/empty.txt', '');
  put('in/binary.txt', Buffer.concat([Buffer.from(`${SECRET} `), Buffer.from([0, 1, 2, 3])]));
  put('in/scan.txt', Buffer.from(`%PDF-1.4\n${SECRET}\n`));
  put('in/latin1.txt', Buffer.concat([Buffer.from(`${SECRET} caf`), Buffer.from([0xe9]), Buffer.from(' 617-555-0142\n')]));
}

describe('redact <folder> with the bundled rules', () => {
  it('the error matrix: one PHI-free line per bad input naming the file, the rest processed, exit 1', async () => {
    errorMatrix();
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['redact', 'in', 'missing.txt', '--out', 'out', '--detectors', 'rules'], f.io);
    expect(exitCode).toBe(1);
    const lines = f.stderr().trimEnd().split('\n');
    expect(lines).toEqual([
      'phi-redact: missing.txt: E040 no such file or folder',
      'phi-redact: in/binary.txt: E042 binary file (NUL byte at byte 13), not a text note',
      'phi-redact: in/empty.txt: E041 empty file',
      expect.stringMatching(/^phi-redact: in\/latin1\.txt: E043 invalid UTF-8 at byte 16$/),
      'phi-redact: in/scan.txt: E042 binary file (PDF), not a text note',
    ]);
    for (const text of [f.stderr(), f.stdout(), readFileSync(join(cwd, 'out/.phi-redact/manifest.jsonl'), 'utf8'), readFileSync(join(cwd, 'out/.phi-redact/audit.json'), 'utf8')]) {
      expect(text).not.toContain(SECRET);
    }
    expect(Object.keys(tree(join(cwd, 'out'))).sort()).toEqual([join('.phi-redact', 'audit.json'), join('.phi-redact', 'manifest.jsonl'), join('in', 'good.txt')]);
    const redacted = readFileSync(join(cwd, 'out/in/good.txt'), 'utf8');
    expect(redacted).not.toContain('617-555-0142');
    expect(manifest('out').map((e) => [e.output, e.status])).toEqual([
      ['in/binary.txt', 'failed'],
      ['in/empty.txt', 'failed'],
      ['in/good.txt', 'done'],
      ['in/latin1.txt', 'failed'],
      ['in/scan.txt', 'failed'],
    ]);
  });

  it('never modifies inputs, leaves no temp files, and a second run into the same folder gives the same bytes', async () => {
    cpSync(SAMPLE, join(cwd, 'sample'), { recursive: true });
    const before = tree(join(cwd, 'sample'));
    const first = fakeIO({ cwd });
    expect((await run(['redact', 'sample', '--out', 'out', '--detectors', 'rules'], first.io)).exitCode).toBe(0);
    const once = tree(join(cwd, 'out'));
    const second = fakeIO({ cwd });
    expect((await run(['redact', 'sample', '--out', 'out', '--detectors', 'rules'], second.io)).exitCode).toBe(0);
    expect(tree(join(cwd, 'sample'))).toEqual(before);
    const twice = tree(join(cwd, 'out'));
    // The audit report differs by its clock and timings only; everything else is byte-identical.
    const withoutAudit = (t: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(t).filter(([f]) => !f.endsWith('audit.json')));
    expect(withoutAudit(twice)).toEqual(withoutAudit(once));
    expect(Object.keys(twice).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(Object.keys(twice).filter((f) => f.endsWith('.txt'))).toHaveLength(6);
  });

  it('every manifest span is consistent with the input and output texts (sample corpus)', async () => {
    const f = fakeIO({ cwd });
    expect((await run(['redact', SAMPLE, '--out', 'out', '--detectors', 'rules'], f.io)).exitCode).toBe(0);
    const entries = manifest('out');
    expect(entries).toHaveLength(6);
    let spanCount = 0;
    for (const e of entries) {
      expect(e.status).toBe('done');
      const input = readFileSync(e.input, 'utf8');
      const output = readFileSync(join(cwd, 'out', e.output), 'utf8');
      expect(e.sha256).toBe(createHash('sha256').update(readFileSync(e.input)).digest('hex'));
      expect(e.outSpans).toHaveLength(e.spans.length);
      let inAt = 0;
      let outAt = 0;
      e.spans.forEach((s, i) => {
        const o = e.outSpans[i]!;
        // Text between spans is copied verbatim; each span became its tag.
        expect(output.slice(outAt, o.outStart)).toBe(input.slice(inAt, s.start));
        expect(output.slice(o.outStart, o.outEnd)).toBe(`[${s.label}]`);
        expect(o.label).toBe(s.label);
        inAt = s.end;
        outAt = o.outEnd;
        spanCount += 1;
      });
      expect(output.slice(outAt)).toBe(input.slice(inAt));
    }
    expect(spanCount).toBeGreaterThan(0);
  });

  it('--emit spans writes a sidecar per note that matches the manifest', async () => {
    put('in/a.txt', 'Call 617-555-0142 on 3/14/2023.\n');
    const f = fakeIO({ cwd });
    expect((await run(['redact', 'in', '--out', 'out', '--detectors', 'rules', '--emit', 'spans'], f.io)).exitCode).toBe(0);
    const sidecar = JSON.parse(readFileSync(join(cwd, 'out/a.txt.spans.json'), 'utf8')) as Pick<ManifestEntry, 'spans' | 'outSpans'>;
    const [entry] = manifest('out');
    expect(sidecar.spans).toEqual(entry!.spans);
    expect(sidecar.outSpans).toEqual(entry!.outSpans);
    expect(sidecar.spans.length).toBeGreaterThan(0);
  });

  it('asks for the NER model by default and fails closed without it', async () => {
    put('in/a.txt', 'x\n');
    put('c.yaml', 'ner:\n  modelDir: missing-model\n');
    const f = fakeIO({ cwd });
    expect((await run(['redact', 'in', '--out', 'out', '--config', 'c.yaml'], f.io)).exitCode).toBe(2);
    expect(f.stderr()).toBe(`phi-redact: E030 NER model not available at ${join(cwd, 'missing-model')}; use --detectors rules to run rules only\n`);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });
});

describe('redact - (stdin) with the bundled rules', () => {
  it('text: one note in, one note out, CRLF kept', async () => {
    const f = fakeIO({ cwd, stdin: 'Phone 617-555-0142\r\nSeen 3/14/2023\r\n' });
    expect((await run(['redact', '-', '--detectors', 'rules'], f.io)).exitCode).toBe(0);
    expect(f.stdout()).not.toContain('617-555-0142');
    expect(f.stdout()).toMatch(/^Phone \[CONTACT\]\r\nSeen \[DATE\]\r\n$/);
  });

  it('jsonl: a malformed line is named by number and skipped; the others come out in order', async () => {
    const stdin = [
      '{"id":"a","text":"call 617-555-0142"}',
      `{"id":"b","text":"${SECRET}`,
      '{"id":"c","text":"nothing here"}',
    ].join('\n');
    const f = fakeIO({ cwd, stdin });
    expect((await run(['redact', '-', '--format', 'jsonl', '--detectors', 'rules'], f.io)).exitCode).toBe(1);
    expect(f.stderr()).toBe('phi-redact: <stdin>: E050 line 2 is not valid JSON\nphi-redact: <stdin>: 2 notes redacted, 1 malformed skipped, 0 failed\n');
    const out = f.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; text: string });
    expect(out.map((o) => o.id)).toEqual(['a', 'c']);
    expect(out[0]!.text).toBe('call [CONTACT]');
  });

  it('jsonl keeps order across batches', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i, text: `note ${i} call 617-555-01${String(i).padStart(2, '0')}` }));
    const f = fakeIO({ cwd, stdin: `${lines.join('\n')}\n` });
    expect((await run(['redact', '-', '--format', 'jsonl', '--detectors', 'rules', '--emit', 'spans'], f.io)).exitCode).toBe(0);
    const out = f.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number; text: string; spans: unknown[] });
    expect(out.map((o) => o.id)).toEqual(lines.map((_, i) => i));
    for (const o of out) {
      expect(o.text).toBe(`note ${o.id} call [CONTACT]`);
      expect(o.spans).toHaveLength(1);
    }
  });
});

describe.skipIf(!existsSync(MAIN))('the built CLI (node dist/cli/main.js; built by pretest)', () => {
  const cli = (args: string[], input?: string | Buffer) =>
    spawnSync(process.execPath, [MAIN, ...args], { cwd, input: input ?? '', encoding: 'utf8', timeout: 60_000 });

  it('--help exits 0 and lists redact', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('redact');
  });

  it('stdin text → stdout', () => {
    const r = cli(['redact', '-', '--detectors', 'rules'], 'call 617-555-0142 now\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('call [CONTACT] now\n');
    expect(r.stderr).toBe('');
  });

  it('the error matrix through a real process: exit 1, PHI-free stderr, good notes written', () => {
    errorMatrix();
    const r = cli(['redact', 'in', 'nope', '--out', 'out', '--detectors', 'rules']);
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(5);
    expect(r.stderr).not.toContain(SECRET);
    expect(existsSync(join(cwd, 'out/in/good.txt'))).toBe(true);
  });

  it('usage errors exit 2', () => {
    expect(cli(['redact', 'in']).status).toBe(2);
    expect(cli(['redact', '-', '--format', 'xml']).status).toBe(2);
    expect(cli(['no-such-command']).status).toBe(2);
  });
});
