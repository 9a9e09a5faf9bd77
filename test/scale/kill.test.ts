import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/node/runs/audit.js';
import { assertBuilt, countLines, hashTree, notOurs, runCli, startCli, tempFiles } from './cli.js';
import { writeNoteTree } from './notes.js';

/**
 * Crash safety of folder runs: SIGKILL a run of 2,000 notes mid-way (more than once, resumed
 * runs included), then resume to the end. Every note must have exactly one complete output,
 * byte-identical to an uninterrupted run's, and no temp file may be left anywhere.
 */

const NOTES = 2000;
let tmp: string;
let reference: Record<string, string>;

const MANIFEST = (out: string): string => join(tmp, out, '.phi-redact', 'manifest.jsonl');

beforeAll(async () => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'phi-scale-kill-'));
  writeNoteTree(join(tmp, 'notes'), NOTES);
  const ref = await runCli(['redact', 'notes', '--out', 'reference', '--detectors', 'rules', '--workers', '2'], tmp);
  expect(ref.code).toBe(0);
  reference = hashTree(join(tmp, 'reference'), notOurs);
  expect(Object.keys(reference)).toHaveLength(NOTES);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Starts a run and SIGKILLs it once the manifest holds at least `after` lines; returns the count at the kill. */
async function killAfter(args: readonly string[], out: string, after: number): Promise<number> {
  const { child, done } = startCli(args, tmp);
  child.stdin!.end();
  let seen = 0;
  while (child.exitCode === null && child.signalCode === null) {
    seen = countLines(MANIFEST(out));
    if (seen >= after) {
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const result = await done;
  expect(result.signal).toBe('SIGKILL');
  return seen;
}

describe('SIGKILL mid-run, then --resume', () => {
  it('ends with exactly one complete output per note, identical to an uninterrupted run, and no temp files', async () => {
    const args = ['redact', 'notes', '--out', 'out', '--detectors', 'rules', '--workers', '2'];
    const first = await killAfter(args, 'out', 300);
    expect(first).toBeGreaterThanOrEqual(300);
    expect(first).toBeLessThan(NOTES);

    // A resumed run killed again, later on.
    const second = await killAfter([...args, '--resume'], 'out', first + 400);
    expect(second).toBeLessThan(NOTES + first);

    const final = await runCli([...args, '--resume', '--json'], tmp);
    expect(final.stderr).toBe('');
    expect(final.code).toBe(0);
    const report = JSON.parse(final.stdout) as AuditReport;
    expect(report.resumed).toBe(true);
    expect(report.notes.skipped).toBeGreaterThan(0);
    expect(report.notes.done + report.notes.skipped).toBe(NOTES);
    expect(report.notes.failed).toBe(0);

    expect(hashTree(join(tmp, 'out'), notOurs)).toEqual(reference);
    expect(tempFiles(join(tmp, 'out'))).toEqual([]);
    // After the resumed run the manifest holds one done line per note, in input order.
    const lines = readFileSync(MANIFEST('out'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { output: string; status: string });
    expect(lines).toHaveLength(NOTES);
    expect(new Set(lines.map((l) => l.output)).size).toBe(NOTES);
    expect(lines.every((l) => l.status === 'done')).toBe(true);
    expect(lines.map((l) => l.output)).toEqual(Object.keys(reference));
  });

  it('cleans temp files and a torn manifest line left by a crash, and redoes notes whose output went missing', async () => {
    const args = ['redact', 'notes', '--out', 'torn', '--detectors', 'rules', '--workers', '1'];
    const base = await runCli(args, tmp);
    expect(base.code).toBe(0);
    // Simulate a crash: a stray temp file, a half-written manifest line, a lost output.
    mkdirSync(join(tmp, 'torn', 'b0003'), { recursive: true });
    writeFileSync(join(tmp, 'torn', 'b0003', '.phi-redact-12345-0123456789ab.tmp'), 'partial');
    writeFileSync(MANIFEST('torn'), `${readFileSync(MANIFEST('torn'), 'utf8')}{"input":"/x","output":"b0000/no`);
    rmSync(join(tmp, 'torn', 'b0007', 'note-000702.txt'));

    const resumed = await runCli([...args, '--resume', '--json'], tmp);
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout) as AuditReport;
    expect(report.notes).toMatchObject({ done: 1, skipped: NOTES - 1, failed: 0 });
    expect(tempFiles(join(tmp, 'torn'))).toEqual([]);
    expect(hashTree(join(tmp, 'torn'), notOurs)).toEqual(reference);
    const lines = readFileSync(MANIFEST('torn'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(NOTES);
    for (const l of lines) JSON.parse(l);
  });

  it('redoes everything when the fingerprint changes (another policy), and a changed input', async () => {
    const args = ['redact', 'notes', '--out', 'fp', '--detectors', 'rules', '--workers', '1'];
    expect((await runCli(args, tmp)).code).toBe(0);
    const masked = JSON.parse((await runCli([...args, '--resume', '--policy', 'mask', '--json'], tmp)).stdout) as AuditReport;
    expect(masked.notes).toMatchObject({ done: NOTES, skipped: 0 });
    const note = join(tmp, 'notes', 'b0001', 'note-000100.txt');
    writeFileSync(note, `${readFileSync(note, 'utf8')}Seen again 4/4/2024.\n`);
    const again = JSON.parse((await runCli([...args, '--resume', '--policy', 'mask', '--json'], tmp)).stdout) as AuditReport;
    expect(again.notes).toMatchObject({ done: 1, skipped: NOTES - 1 });
    expect(readFileSync(join(tmp, 'fp', 'b0001', 'note-000100.txt'), 'utf8')).toMatch(/Seen again \*+\.\n$/);
    expect(existsSync(join(tmp, 'fp', '.phi-redact', 'audit.json'))).toBe(true);
  });
});
