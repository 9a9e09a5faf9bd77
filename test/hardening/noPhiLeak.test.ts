import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, ROOT, runCli, type CliRun } from '../scale/cli.js';

/**
 * No PHI outside the output: the CLI scenarios (folder run with bad inputs, JSONL and text
 * streams with malformed records, eval, configuration errors made of note text) run over the
 * real dev gold notes, and no gold PHI string of 4+ characters may appear in stderr, stdout
 * (except a stream's redacted notes), the manifest, the audit report, span sidecars, error
 * messages or stack traces. The gold is read from ../shared/gold at run time and written only
 * to a temp folder that is removed afterwards; nothing of it is kept in the repo.
 */

const GOLD = join(ROOT, '..', 'shared', 'gold', 'physionet-deid-dev.jsonl');
const HAVE_GOLD = existsSync(GOLD);
if (!HAVE_GOLD) console.log(`noPhiLeak: skipped, ${GOLD} is absent (the dev gold is read at run time only)`);

interface GoldNote {
  id: string | number;
  text: string;
  spans: { start: number; end: number; label: string; text?: string }[];
}

let tmp: string;
let notes: GoldNote[];
let phi: string[];

/**
 * Gold PHI strings of 4+ characters. Bare digit runs ("1957", "33445") are left out: they are
 * indistinguishable from the offsets, sizes, timings and hex hashes the manifest must carry;
 * digits with separators (dates, phones) and anything with a letter are kept.
 */
function phiStrings(all: readonly GoldNote[]): string[] {
  const set = new Set<string>();
  for (const n of all) for (const s of n.spans) {
    const t = n.text.slice(s.start, s.end).trim();
    if (t.length >= 4 && !/^\d+$/u.test(t)) set.add(t);
  }
  return [...set];
}

function leaks(text: string): string[] {
  return phi.filter((p) => text.includes(p));
}

/** Every file under dir except the redacted outputs themselves (.txt under the out folder). */
function sideFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!/\.txt$/u.test(name)) out.set(relative(tmp, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

function expectClean(where: string, text: string): void {
  expect(leaks(text), `${where} quotes gold PHI`).toEqual([]);
  expect(text, `${where} has a stack trace`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/mu);
}

beforeAll(() => {
  if (!HAVE_GOLD) return;
  assertBuilt();
  notes = readFileSync(GOLD, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as GoldNote);
  phi = phiStrings(notes);
  tmp = mkdtempSync(join(tmpdir(), 'phi-hard-leak-'));
  mkdirSync(join(tmp, 'in'));
  notes.forEach((n, i) => {
    const name = `note-${String(i).padStart(4, '0')}.txt`;
    // Every 50th note is damaged the ways real exports are: a Latin-1 byte, a NUL, a PDF header.
    const bytes = Buffer.from(n.text);
    const damaged =
      i % 150 === 0 ? Buffer.concat([bytes.subarray(0, 40), Buffer.from([0xe9]), bytes.subarray(40)])
      : i % 150 === 50 ? Buffer.concat([bytes.subarray(0, 40), Buffer.from([0]), bytes.subarray(40)])
      : i % 150 === 100 ? Buffer.concat([Buffer.from('%PDF-1.4\n'), bytes])
      : bytes;
    writeFileSync(join(tmp, 'in', name), damaged);
  });
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!HAVE_GOLD)('no gold PHI outside the redacted output', () => {
  it('has PHI strings to look for', () => {
    expect(phi.length).toBeGreaterThan(200);
  });

  it('folder run (2 workers, --emit spans, bad files among good ones): stdout, stderr, manifest, audit, span sidecars', async () => {
    const r = await runCli(['redact', 'in', '--out', 'out', '--detectors', 'rules', '--emit', 'spans', '--workers', '2'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n').length).toBeGreaterThanOrEqual(Math.floor(notes.length / 50));
    expectClean('stdout', r.stdout);
    expectClean('stderr', r.stderr);
    const files = sideFiles(join(tmp, 'out'));
    expect([...files.keys()].some((k) => k.endsWith('manifest.jsonl'))).toBe(true);
    expect([...files.keys()].some((k) => k.endsWith('audit.json'))).toBe(true);
    for (const [path, text] of files) expectClean(path, text);
  }, 300_000);

  it('folder run with every detector that can load here (rules + dictionaries, + the NER model once models/phi-ner ships)', async () => {
    const model = existsSync(join(ROOT, 'models', 'phi-ner', 'config.json'));
    if (!model) console.log('noPhiLeak: models/phi-ner not shipped yet: rules + dictionaries only');
    const detectors = model ? 'rules,dictionaries,ner' : 'rules,dictionaries';
    const r = await runCli(['redact', 'in', '--out', 'out-all', '--detectors', detectors, '--workers', '2'], tmp);
    expect(r.code, r.stderr.slice(0, 300)).toBe(1);
    expectClean('stdout', r.stdout);
    expectClean('stderr', r.stderr);
    for (const [path, text] of sideFiles(join(tmp, 'out-all'))) expectClean(path, text);
  }, 600_000);

  it('JSONL stream with malformed lines cut from real notes: stderr and the --audit file (stdout is the redacted output)', async () => {
    const lines = notes.map((n, i) => {
      const line = JSON.stringify({ id: n.id, text: n.text });
      if (i % 100 === 1) return line.slice(0, Math.floor(line.length / 2)); // E050: broken JSON holding note text
      if (i % 100 === 2) return JSON.stringify({ id: n.id, body: n.text }); // E051: no text field
      return line;
    });
    const r = await runCli(['redact', '-', '--format', 'jsonl', '--detectors', 'rules', '--audit', 'stream-audit.json', '--json'], tmp, `${lines.join('\n')}\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E050 line 2 /u);
    expectClean('stderr', r.stderr);
    expectClean('stream audit', readFileSync(join(tmp, 'stream-audit.json'), 'utf8'));
  }, 300_000);

  it('text stream with a binary note and --on-error fail: stderr', async () => {
    const body = Buffer.concat([
      Buffer.from(`${notes[3]!.text}\n\f\n`),
      Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d]),
      Buffer.from(`${notes[4]!.text}\n\f\n${notes[5]!.text}\n`),
    ]);
    const r = await runCli(['redact', '-', '--detectors', 'rules', '--on-error', 'fail'], tmp, body);
    expect(r.code).toBe(1);
    expectClean('stderr', r.stderr);
  }, 120_000);

  it('eval over the gold (stdout tables, stderr), and eval with a broken gold line', async () => {
    const r = await runCli(['eval', '--gold', GOLD, '--detectors', 'rules'], tmp);
    expect(r.code).toBe(0);
    expectClean('eval stdout', r.stdout);
    expectClean('eval stderr', r.stderr);
    const broken = join(tmp, 'broken-gold.jsonl');
    writeFileSync(broken, `${JSON.stringify(notes[0])}\n${JSON.stringify(notes[1]).slice(0, 200)}\n`);
    const b = await runCli(['eval', '--gold', broken, '--detectors', 'rules'], tmp);
    expect(b.code).toBe(2);
    expectClean('eval error', b.stdout + b.stderr);
  }, 300_000);

  it('configuration errors made of note text (config file, rule pack, key file) never quote it', async () => {
    const text = notes.find((n) => n.spans.length > 3)!.text;
    writeFileSync(join(tmp, 'config.yaml'), `${text}\n: [\n`);
    writeFileSync(join(tmp, 'config.json'), `{"policy": ${JSON.stringify(text)}}`);
    mkdirSync(join(tmp, 'packs'), { recursive: true });
    writeFileSync(join(tmp, 'packs', 'notes.yaml'), `pack: x\ndescription: ${JSON.stringify(text)}\nrules:\n  - ${JSON.stringify(text)}\n`);
    writeFileSync(join(tmp, 'packs.json'), JSON.stringify({ rules: { packs: ['packs/notes.yaml'] } }));
    writeFileSync(join(tmp, 'short.key'), 'abc', { mode: 0o600 });
    const runs: CliRun[] = [
      await runCli(['redact', 'in', '--out', 'o1', '--config', 'config.yaml', '--detectors', 'rules'], tmp),
      await runCli(['redact', 'in', '--out', 'o2', '--config', 'config.json', '--detectors', 'rules'], tmp),
      await runCli(['redact', 'in', '--out', 'o3', '--config', 'packs.json', '--detectors', 'rules'], tmp),
      await runCli(['redact', 'in', '--out', 'o4', '--policy', 'surrogate', '--key-file', 'short.key', '--detectors', 'rules'], tmp),
      await runCli(['redact', 'in', '--out', 'o5', '--glob', text.slice(0, 30), '--detectors', 'rules'], tmp),
    ];
    for (const [i, r] of runs.entries()) {
      expectClean(`run ${i + 1}`, r.stdout + r.stderr);
      if (i < 4) expect(r.code, `run ${i + 1}: ${r.stderr}`).toBe(2);
    }
  }, 300_000);
});
