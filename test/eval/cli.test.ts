import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeIO } from '../cli/fakeIO.js';

/**
 * Golden outputs of `phi-redact eval` on small hand-written fixtures (test/fixtures/eval/).
 * Predictions come from fixture files, so the tables change only when the scorer or its
 * formatting changes. `UPDATE_GOLDEN=1 npx vitest run test/eval/cli.test.ts` rewrites them.
 */
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'eval');
const EXPECTED = join(FIXTURES, 'expected');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const tmp = mkdtempSync(join(tmpdir(), 'phi-eval-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function evalCli(args: string[], cwd = FIXTURES): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const fake = fakeIO({ cwd });
  const { exitCode } = await run(['eval', ...args], fake.io);
  return { exitCode, stdout: fake.stdout(), stderr: fake.stderr() };
}

function golden(name: string, actual: string): void {
  const file = join(EXPECTED, name);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) throw new Error(`golden file ${name} is missing; run with UPDATE_GOLDEN=1`);
    mkdirSync(EXPECTED, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('phi-redact eval golden outputs', () => {
  it('gold JSONL + predictions JSONL: the text tables', async () => {
    const r = await evalCli(['--gold', 'gold.jsonl', '--pred', 'pred.jsonl']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    golden('jsonl.txt', r.stdout);
  });

  it('BRAT folder + predictions', async () => {
    const r = await evalCli(['--gold', 'brat', '--pred', 'brat-pred.jsonl']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    golden('brat.txt', r.stdout);
  });

  it('--report writes misses and false alarms with context to the named file only', async () => {
    const report = join(tmp, 'errors.md');
    const r = await evalCli(['--gold', 'gold.jsonl', '--pred', 'pred.jsonl', '--report', report]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(`phi-redact: 6 errors listed in ${report}\n`);
    // The note text is in the report, never on stdout or stderr.
    expect(r.stdout).not.toContain('Lakeside');
    expect(r.stderr).not.toContain('Lakeside');
    golden('report.md', readFileSync(report, 'utf8'));
  });

  it('--json gives the same figures for machines', async () => {
    const text = await evalCli(['--gold', 'gold.jsonl', '--pred', 'pred.jsonl']);
    const r = await evalCli(['--gold', 'gold.jsonl', '--pred', 'pred.jsonl', '--json']);
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout) as {
      docs: number;
      token: { overall: { gold: number; goldHit: number; recall: number } };
      entity: { strict: { f1: number } };
      attribution: { basis: string; families: { detector: string }[] };
      errorCounts: Record<string, number>;
      errors?: unknown;
    };
    expect(json.docs).toBe(4);
    expect(json.errors).toBeUndefined();
    expect(json.attribution.families.map((f) => f.detector)).toEqual(['ner', 'rules']);
    const allRow = text.stdout.split('\n').find((l) => l.startsWith('ALL'))!;
    expect(allRow.split(/\s+/)).toEqual(['ALL', String(json.token.overall.gold), String(json.token.overall.goldHit), expect.any(String), expect.any(String), expect.any(String), expect.any(String), json.token.overall.recall.toFixed(3), expect.any(String)]);
    expect(json.errorCounts).toEqual({ miss: 2, "partial-miss": 1, "false-alarm": 2, "wrong-label": 0, overreach: 1 });
  });

  it('scores `redact --format jsonl --emit spans` output exactly as a pipeline run', async () => {
    const redact = fakeIO({ cwd: FIXTURES, stdin: readFileSync(join(FIXTURES, 'gold.jsonl')) });
    expect((await run(['redact', '-', '--format', 'jsonl', '--emit', 'spans', '--detectors', 'rules'], redact.io)).exitCode).toBe(0);
    const predFile = join(tmp, 'redacted.jsonl');
    writeFileSync(predFile, redact.stdout());
    const fromFile = JSON.parse((await evalCli(['--gold', 'gold.jsonl', '--pred', predFile, '--json'])).stdout) as Record<string, unknown>;
    const fromRun = JSON.parse((await evalCli(['--gold', 'gold.jsonl', '--detectors', 'rules', '--json'])).stdout) as Record<string, unknown>;
    expect(fromFile.token).toEqual(fromRun.token);
    expect(fromFile.entity).toEqual(fromRun.entity);
    expect((fromRun.token as { overall: { pred: number } }).overall.pred).toBeGreaterThan(0);
  });

  it('runs the pipeline on the gold texts when --pred is absent', async () => {
    const r = await evalCli(['--gold', 'gold.jsonl', '--detectors', 'rules']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Evaluated 4 notes: 8 gold spans');
    expect(r.stdout).toContain("basis: each detector's raw spans before merging");
  });
});

describe('phi-redact eval usage errors (exit 2, file and line named, no note text)', () => {
  const bad = join(tmp, 'bad');
  mkdirSync(bad, { recursive: true });
  writeFileSync(join(bad, 'gold.jsonl'), `${readFileSync(join(FIXTURES, 'gold.jsonl'), 'utf8')}{"id": "x", "text": "Lakeside`);
  writeFileSync(join(bad, 'pred.jsonl'), readFileSync(join(FIXTURES, 'pred.jsonl'), 'utf8').replace('"start":27,"end":37', '"start":"Lakeside","end":37'));
  writeFileSync(join(bad, 'short.jsonl'), readFileSync(join(FIXTURES, 'pred.jsonl'), 'utf8').split('\n').slice(0, 2).join('\n'));
  mkdirSync(join(bad, 'brat'));
  writeFileSync(join(bad, 'brat', 'a.txt'), 'Lakeside Clinic');
  writeFileSync(join(bad, 'brat', 'a.ann'), 'T1\tHOSPITAL 0 8\tLakeside\nT2 HOSPITAL 0 8 Lakeside\n');

  it.each([
    ['no --gold', [], /required option '--gold <path>'/],
    ['gold does not exist', ['--gold', 'missing.jsonl'], /^phi-redact: E070 .*missing\.jsonl: cannot read \(ENOENT\)\n$/],
    ['malformed gold line', ['--gold', 'gold.jsonl', '--pred', 'pred.jsonl'], /^phi-redact: E072 .*gold\.jsonl:5: not valid JSON\n$/],
    ['malformed BRAT line', ['--gold', 'brat', '--pred', 'pred.jsonl'], /^phi-redact: E078 .*a\.ann:2: malformed annotation line/],
    ['--pred with --detectors', ['--gold', join(FIXTURES, 'gold.jsonl'), '--pred', 'x.jsonl', '--detectors', 'rules'], /cannot be used with --pred/],
    ['unknown detector', ['--gold', join(FIXTURES, 'gold.jsonl'), '--detectors', 'magic'], /E012 unknown detector "magic"/],
  ])('%s', async (_name, args, message) => {
    const r = await evalCli(args as string[], bad);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('Lakeside');
    expect(r.stdout).toBe('');
  });

  it.each([
    ['bad prediction line', 'pred.jsonl', /^phi-redact: E073 pred\.jsonl:1: spans\.0\.start: expected number\n$/],
    ['predictions missing notes', 'short.jsonl', /^phi-redact: E079 short\.jsonl: no prediction for gold note "n3" \(and 1 more\)\n$/],
  ])('%s', async (_name, pred, message) => {
    const r = await evalCli(['--gold', join(FIXTURES, 'gold.jsonl'), '--pred', pred], bad);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('Lakeside');
  });
});
