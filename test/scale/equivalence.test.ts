import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/node/runs/audit.js';
import { redisUnavailableReason, startRedis, type TestRedis } from '../setup/redis.js';
import { assertBuilt, countLines, hashTree, notOurs, runCli, startCli } from './cli.js';
import { makeNote, writeNoteTree } from './notes.js';

/**
 * The same 1,000 synthetic notes through (a) one process, (b) the worker pool and (c) the
 * queue with two worker processes must give byte-identical outputs: parallelism and
 * distribution change where the work happens, never what is written. The policy is keyed
 * surrogates, so this also shows that every process, given the same key, picks the same
 * pseudonyms and date shifts.
 */

const NOTES = 1000;
const POLICY = ['--detectors', 'rules', '--policy', 'surrogate', '--key-file', 'key'];
let tmp: string;
let reference: Record<string, string>;

function audit(out: string): AuditReport {
  return JSON.parse(readFileSync(join(tmp, out, '.phi-redact', 'audit.json'), 'utf8')) as AuditReport;
}

beforeAll(async () => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'phi-scale-eq-'));
  writeNoteTree(join(tmp, 'notes'), NOTES);
  writeFileSync(join(tmp, 'key'), 'scale-test-key-0123456789abcdef\n', { mode: 0o600 });
  const single = await runCli(['redact', 'notes', '--out', 'single', ...POLICY, '--workers', '1'], tmp);
  expect(single.stderr).toBe('');
  expect(single.code).toBe(0);
  reference = hashTree(join(tmp, 'single'), notOurs);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('one process, worker pool and queue give the same bytes', () => {
  it('(a) one process redacts every note, and really changes them', () => {
    expect(Object.keys(reference)).toHaveLength(NOTES);
    const first = readFileSync(join(tmp, 'single', 'b0000', 'note-000000.txt'), 'utf8');
    const original = makeNote(0);
    expect(first).not.toBe(original);
    // The phone numbers and the admission date were replaced by surrogates.
    for (const value of [...original.matchAll(/\(\d{3}\) \d{3}-\d{4}|\d{1,2}\/\d{1,2}\/\d{4}/g)].map((m) => m[0])) expect(first).not.toContain(value);
    expect(first).not.toMatch(/\[(DATE|CONTACT)\]/);
    const report = audit('single');
    expect(report.notes).toMatchObject({ total: NOTES, done: NOTES, failed: 0 });
    expect(report.workers).toEqual({ count: 1, pipelineLoads: 1 });
  });

  it('(b) the worker pool writes byte-identical outputs and an identical manifest, loading the pipeline once per worker', async () => {
    const pool = await runCli(['redact', 'notes', '--out', 'pool', ...POLICY, '--workers', '2'], tmp);
    expect(pool.code).toBe(0);
    expect(hashTree(join(tmp, 'pool'), notOurs)).toEqual(reference);
    expect(readFileSync(join(tmp, 'pool', '.phi-redact', 'manifest.jsonl'), 'utf8')).toBe(
      readFileSync(join(tmp, 'single', '.phi-redact', 'manifest.jsonl'), 'utf8'),
    );
    const report = audit('pool');
    expect(report.workers).toEqual({ count: 2, pipelineLoads: 2 });
    expect(report.spans).toEqual(audit('single').spans);
    expect(report.fingerprints).toEqual(audit('single').fingerprints);
  });

  const noRedis = redisUnavailableReason();
  if (noRedis) console.warn(noRedis);

  describe.skipIf(noRedis !== undefined)('(c) queue with two worker processes', () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('writes byte-identical outputs, each note exactly once', async () => {
      const common = ['--redis', redis.url, '--queue', 'eq'];
      const submit = await runCli(['queue', 'submit', 'notes', ...common, '--batch', '4'], tmp);
      expect(submit.stderr).toBe('');
      expect(submit.stdout).toContain(`${NOTES} notes submitted in ${NOTES / 4} jobs`);
      const work = ['queue', 'work', ...common, '--out', 'queue', ...POLICY, '--concurrency', '1', '--until-empty', '1000', '--json'];
      // The second worker joins once the first is writing (a joining worker must not disturb
      // files in flight: each note is written, and counted, exactly once).
      const first = startCli(work, tmp);
      first.child.stdin!.end();
      const firstManifest = join(tmp, 'queue', '.phi-redact', `manifest.${hostname()}-${first.child.pid}.jsonl`);
      for (let waited = 0; waited < 60_000 && countLines(firstManifest) === 0; waited += 10) await new Promise((r) => setTimeout(r, 10));
      const [w1, w2] = await Promise.all([first.done, runCli(work, tmp)]);
      expect([w1.code, w2.code]).toEqual([0, 0]);
      const summaries = [w1, w2].map((w) => JSON.parse(w.stdout) as { done: number; deadLettered: number });
      expect(summaries[0]!.done + summaries[1]!.done).toBe(NOTES);
      expect(summaries.every((s) => s.deadLettered === 0)).toBe(true);
      expect(hashTree(join(tmp, 'queue'), notOurs)).toEqual(reference);

      // The two workers' manifests together hold one line per note, with the folder run's spans.
      const lines = Object.keys(hashTree(join(tmp, 'queue', '.phi-redact')))
        .filter((f) => f.startsWith('manifest.'))
        .flatMap((f) => readFileSync(join(tmp, 'queue', '.phi-redact', f), 'utf8').trim().split('\n'))
        .map((l) => JSON.parse(l) as { output: string; spans: unknown });
      expect(lines).toHaveLength(NOTES);
      const single = readFileSync(join(tmp, 'single', '.phi-redact', 'manifest.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { output: string; spans: unknown });
      const byOutput = new Map(lines.map((l) => [l.output, l.spans]));
      for (const s of single) expect(byOutput.get(s.output)).toEqual(s.spans);

      const status = await runCli(['queue', 'status', ...common, '--json'], tmp);
      expect(JSON.parse(status.stdout)).toMatchObject({ submitted: NOTES, done: NOTES, dead: 0, waiting: 0, active: 0 });
    });
  });
});
