import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { readGold } from '../../src/node/goldFiles.js';
import { startReviewServer } from '../../src/review/server.js';
import { loadReviewSet } from '../../src/review/store.js';
import { fakeIO } from '../cli/fakeIO.js';
import { writeRun, type FixtureNote } from './fixtures.js';

// Invented notes: names, dates and numbers are made up for these tests.
const NOTES: FixtureNote[] = [
  { name: 'a.txt', text: 'Seen by Dr. Vance Oduya on 04/02/2024.\n', spans: [{ find: 'Vance Oduya', label: 'NAME' }, { find: '04/02/2024', label: 'DATE' }] },
  { name: 'b.txt', text: 'Call back at 555-201-7733 re: labs.\n', spans: [{ find: '555-201-7733', label: 'CONTACT', source: 'rules/phone' }] },
  { name: 'c.txt', text: 'No identifiers in this one.\n', spans: [] },
  { name: 'sub/d.txt', text: 'Admitted 2023-11-30, discharged 2023-12-02.\n', spans: [{ find: '2023-11-30', label: 'DATE' }, { find: '2023-12-02', label: 'DATE' }] },
  { name: 'e.txt', text: 'Could not be read.\n', spans: [], failed: true },
];

let dir: string;

async function cli(...argv: string[]) {
  const f = fakeIO({ cwd: dir });
  const { exitCode } = await run(argv, f.io);
  return { exitCode, stdout: f.stdout(), stderr: f.stderr() };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'phi-review-cli-'));
  writeRun(dir, NOTES);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('review sample', () => {
  it('writes a 0600 set of the finished notes, with ids relative to the input folder', async () => {
    const r = await cli('review', 'sample', 'run', '--n', '3', '--seed', '7', '--stratify', 'label', '--out', 'set1');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Sampled 3 of 4 notes (1 failed notes not sampled)');
    for (const f of ['set.json', 'items.jsonl', 'verdicts.jsonl']) expect(statSync(join(dir, 'set1', f)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'set1')).mode & 0o077).toBe(0);
    const set = await loadReviewSet(join(dir, 'set1'));
    expect(set.info).toMatchObject({ seed: 7, n: 3, stratify: 'label', population: 4, failed: 1 });
    expect(set.info.strata.map((s) => [s.key, s.population, s.sampled])).toEqual([
      ['(no spans)', 1, 1],
      ['CONTACT', 1, 1],
      ['DATE', 2, 1],
    ]);
    for (const item of set.items) {
      const source = NOTES.find((n) => n.name === item.id)!;
      expect(item.text).toBe(source.text);
      expect(item.spans.map((s) => item.text.slice(s.start, s.end))).toEqual(source.spans.map((s) => s.find).sort((x, y) => source.text.indexOf(x) - source.text.indexOf(y)));
      for (const s of item.spans) expect(item.redacted.slice(s.outStart, s.outEnd)).toBe(`[${s.label}]`);
    }
    expect(set.items.find((i) => i.stratum === 'DATE')!.weight).toBe(2);
  });

  it('leaves files of several notes (a JSONL/CSV/FHIR line in the manifest) out of the sample and says how many', async () => {
    const r2 = mkdtempSync(join(tmpdir(), 'phi-review-records-'));
    try {
      writeRun(r2, NOTES.slice(0, 2));
      const manifest = join(r2, 'run', '.phi-redact', 'manifest.jsonl');
      const first = JSON.parse(readFileSync(manifest, 'utf8').split('\n')[0]!) as Record<string, unknown>;
      appendFileSync(manifest, `${JSON.stringify({ ...first, input: join(r2, 'notes', 'rows.csv'), output: 'rows.csv', spans: [], outSpans: [], format: 'csv' })}\n`);
      const f = fakeIO({ cwd: r2 });
      const { exitCode } = await run(['review', 'sample', 'run', '--n', '5', '--seed', '1', '--out', 'set'], f.io);
      expect(exitCode).toBe(0);
      expect(f.stdout()).toContain('Sampled 2 of 2 notes (0 failed notes not sampled, 1 JSONL/CSV/FHIR files not sampled)');
      expect((await loadReviewSet(join(r2, 'set'))).items.map((i) => i.id).sort()).toEqual(['a.txt', 'b.txt']);
    } finally {
      rmSync(r2, { recursive: true, force: true });
    }
  });

  it('draws the same set again for the same seed', async () => {
    expect((await cli('review', 'sample', 'run', '--n', '3', '--seed', '7', '--stratify', 'label', '--out', 'set2')).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'set2', 'items.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'set1', 'items.jsonl'), 'utf8'));
  });

  it.each([
    [['review', 'sample', 'run', '--out', 'set1'], /E096 .*set1 is not empty/],
    [['review', 'sample', 'nowhere', '--out', 'x1'], /E090 no run manifest/],
    [['review', 'sample', 'run', '--n', '0', '--out', 'x2'], /--n must be a positive integer/],
    [['review', 'sample', 'run', '--stratify', 'colour', '--out', 'x3'], /argument 'colour' is invalid/],
    [['review', 'report', 'nowhere'], /E097 .* is missing or not JSON/],
  ])('refuses %j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('skips an input that changed since the run, without quoting it; with nothing left to sample, E092', async () => {
    const other = mkdtempSync(join(tmpdir(), 'phi-review-cli-'));
    try {
      const { run: r, input } = writeRun(other, NOTES.slice(0, 1));
      writeFileSync(join(input, 'a.txt'), 'Seen by Dr. Someone Else.\n');
      const out = await cli('review', 'sample', r, '--out', join(other, 'set'));
      expect(out.exitCode).toBe(2);
      expect(out.stderr).toMatch(/^phi-redact: skipped: E094 input .*a\.txt changed since the run.*\nphi-redact: E092 none of the sampled notes/);
      expect(out.stderr).not.toContain('Someone');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('review sample: queue runs and moved inputs', () => {
  const SIX: FixtureNote[] = ['p', 'q', 'r', 's', 't', 'u'].map((k, i) => ({
    name: `${k}.txt`,
    text: `Seen on 0${i + 1}/0${i + 2}/2024 by Dr. Fenwick${k}.\n`,
    spans: [{ find: `0${i + 1}/0${i + 2}/2024`, label: 'DATE' as const }],
  }));

  it('reads a queue run\'s per-worker manifests (no manifest.jsonl) as one run', async () => {
    const other = mkdtempSync(join(tmpdir(), 'phi-review-queue-'));
    try {
      const { run: r } = writeRun(other, SIX);
      const lines = readFileSync(join(r, '.phi-redact', 'manifest.jsonl'), 'utf8').trim().split('\n');
      rmSync(join(r, '.phi-redact', 'manifest.jsonl'));
      writeFileSync(join(r, '.phi-redact', 'manifest.hostA-101.jsonl'), `${lines.slice(0, 4).join('\n')}\n`);
      // Worker B redid a note worker A had finished (a stalled job) and left a torn last line.
      writeFileSync(join(r, '.phi-redact', 'manifest.hostB-202.jsonl'), `${lines.slice(3).join('\n')}\n{"input":"/x`);
      writeFileSync(join(r, '.phi-redact', 'audit.hostA-101.json'), '{}');
      const out = await cli('review', 'sample', r, '--n', '6', '--out', join(other, 'set'));
      expect(out.stderr).toBe('');
      expect(out.exitCode).toBe(0);
      expect(out.stdout).toContain('Sampled 6 of 6 notes (0 failed notes not sampled)');
      const set = await loadReviewSet(join(other, 'set'));
      expect(set.items.map((i) => i.id).sort()).toEqual(SIX.map((n) => n.name));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('skips and reports a drawn note whose input has moved, and draws another from its stratum; the rest of the draw is unchanged', async () => {
    const other = mkdtempSync(join(tmpdir(), 'phi-review-moved-'));
    try {
      const { run: r, input } = writeRun(other, SIX);
      expect((await cli('review', 'sample', r, '--n', '3', '--seed', '4', '--out', join(other, 'before'))).exitCode).toBe(0);
      const before = (await loadReviewSet(join(other, 'before'))).items.map((i) => i.id);
      renameSync(join(input, before[1]!), join(other, 'moved-away.txt'));
      const out = await cli('review', 'sample', r, '--n', '3', '--seed', '4', '--out', join(other, 'after'));
      expect(out.exitCode).toBe(0);
      expect(out.stderr).toBe(`phi-redact: skipped: E093 cannot read input ${join(input, before[1]!)} listed in the run manifest\n`);
      expect(out.stdout).toContain('Sampled 3 of 6 notes');
      expect(out.stdout).toContain('Skipped 1 drawn notes that could not be read');
      const after = await loadReviewSet(join(other, 'after'));
      const ids = after.items.map((i) => i.id);
      expect([ids[0], ids[2]]).toEqual([before[0], before[2]]);
      expect(before).not.toContain(ids[1]);
      expect(after.info.skipped).toEqual([{ id: before[1], reason: expect.stringMatching(/^E093 /) }]);
      expect(after.info.strata).toEqual([{ key: 'all', population: 6, sampled: 3, weight: 2 }]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('a stratum that runs out of readable notes is sampled less, and its weight says so', async () => {
    const other = mkdtempSync(join(tmpdir(), 'phi-review-short-'));
    try {
      const { run: r, input } = writeRun(other, SIX);
      for (const n of SIX.slice(0, 4)) rmSync(join(input, n.name));
      const out = await cli('review', 'sample', r, '--n', '4', '--out', join(other, 'set'));
      expect(out.exitCode).toBe(0);
      expect(out.stderr.trim().split('\n')).toHaveLength(4);
      const set = await loadReviewSet(join(other, 'set'));
      expect(set.items.map((i) => i.id).sort()).toEqual(['t.txt', 'u.txt']);
      expect(set.info.strata).toEqual([{ key: 'all', population: 6, sampled: 2, weight: 3 }]);
      expect(set.items.every((i) => i.weight === 3)).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('review report and export-gold', () => {
  it('report on an unreviewed set has no estimates yet', async () => {
    const r = await cli('review', 'report', 'set1', '--json');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.set.reviewedNotes).toBe(0);
    expect(report.precision.value).toBeNull();
    expect(report.residual.per1000).toBeNull();
  });

  it('exports what eval reads, skipping a torn verdict line', async () => {
    const set = join(dir, 'set1');
    const loaded = await loadReviewSet(set);
    const withSpans = loaded.items.find((i) => i.spans.length > 0)!;
    const line = (v: object) => appendFileSync(join(set, 'verdicts.jsonl'), `${JSON.stringify({ ...v, reviewer: 'r', ts: 't' })}\n`);
    line({ kind: 'span', item: withSpans.id, span: 0, verdict: 'confirm' });
    line({ kind: 'done', item: withSpans.id });
    appendFileSync(join(set, 'verdicts.jsonl'), '{"kind":"span","item":"a.t'); // a crash mid-append
    // The server ends the torn line before appending, so later verdicts stay readable.
    const server = await startReviewServer({ setDir: set, reviewer: 'r' });
    await server.close();
    line({ kind: 'comment', item: withSpans.id, text: 'fine' });
    expect((await loadReviewSet(set)).events).toHaveLength(3);

    const r = await cli('review', 'export-gold', 'set1');
    expect(r.exitCode).toBe(0);
    writeFileSync(join(dir, 'gold.jsonl'), r.stdout);
    const gold = await readGold(join(dir, 'gold.jsonl'));
    expect(gold).toHaveLength(1);
    expect(gold[0]!.id).toBe(withSpans.id);
    expect(gold[0]!.spans).toHaveLength(1);
    expect(gold[0]!.spans[0]!.label).toBe(withSpans.spans[0]!.label);

    const html = join(dir, 'report.html');
    const rep = await cli('review', 'report', 'set1', '--html', html);
    expect(rep.stdout).toContain('Review of 1 of 3 sampled notes');
    expect(readFileSync(html, 'utf8')).toContain('<h1>phi-redact review report</h1>');
  });
});

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

describe.skipIf(!existsSync(MAIN))('review serve from the built CLI (dist; built by pretest)', () => {
  it('prints the URL once, serves the page from dist, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [MAIN, 'review', 'serve', join(dir, 'set2'), '--reviewer', 'cli'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no URL printed')), 15_000);
        child.stdout.on('data', () => {
          if (stdout.includes('\n')) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      const url = stdout.trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="original"');
      expect((await fetch(url.replace(/\?token=.*/, ''))).status).toBe(403);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });
});
