import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from '../scale/cli.js';
import { auditOf, GOOD, manifestOf, put, SECRET } from './helpers.js';

/**
 * Per-note budgets of folder runs (issue 17): a note that takes its worker past the memory
 * budget, or runs past the time budget, is stopped and failed alone (E059, E058); every other
 * note is written, the manifest records the culprit as failed, exit 1. `--resume` does not redo
 * it (it would cost the whole budget again); `--resume --retry-failed` does. The poisoned note is
 * dense with phone numbers (generated here, 0.5 and 8 MB); the budgets are set small (32 MB: the
 * rules pipeline itself fits in 24; 5 s: a good note takes milliseconds) so it overruns them fast. Before the budgets, a dense note killed the whole run (ERR_WORKER_OUT_OF_MEMORY, exit 2).
 */

const RULES = ['--detectors', 'rules'];
let tmp: string;

function denseNote(mb: number): string {
  const line = `Call 617-555-0142 or 508-555-0199.\n`;
  return `${SECRET} called.\n${line.repeat(Math.floor((mb * 1024 * 1024) / line.length))}`;
}

beforeAll(() => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'phi-hard-budget-'));
  for (const n of ['a', 'b', 'c']) put(tmp, `in/${n}.txt`, GOOD);
  writeFileSync(join(tmp, 'in', 'poison.txt'), denseNote(0.5));
  for (const n of ['a', 'b']) put(tmp, `slow/${n}.txt`, GOOD);
  // About 20 s of CPU for the rules on this project's VM: far past 5 s on any machine.
  writeFileSync(join(tmp, 'slow', 'poison.txt'), denseNote(8));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a poisoned note in a folder run', () => {
  it('memory: past --worker-memory it fails alone with E059, the others are written, exit 1; --resume leaves it, --retry-failed redoes it', async () => {
    const args = ['redact', 'in', '--out', 'out-mem', ...RULES, '--worker-memory', '32', '--quiet'];
    const r = await runCli(args, tmp);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('phi-redact: in/poison.txt: E059 stopped at the worker memory budget (32 MB, limits.workerMemoryMb / --worker-memory)\n');
    const entries = manifestOf(join(tmp, 'out-mem'));
    expect(entries.map((e) => [e.output, e.status])).toEqual([
      ['a.txt', 'done'],
      ['b.txt', 'done'],
      ['c.txt', 'done'],
      ['poison.txt', 'failed'],
    ]);
    expect(entries[3]!.error).toMatch(/^E059 /u);
    expect(entries[3]!.sha256).toMatch(/^[0-9a-f]{64}$/u);
    expect(auditOf(join(tmp, 'out-mem')).notes).toMatchObject({ done: 3, failed: 1 });

    const resumed = await runCli([...args, '--resume'], tmp);
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stderr).toBe(
      'phi-redact: in/poison.txt: E059 stopped at the worker memory budget (32 MB, limits.workerMemoryMb / --worker-memory); not retried (--retry-failed redoes it)\n',
    );
    expect(manifestOf(join(tmp, 'out-mem')).map((e) => e.status)).toEqual(['done', 'done', 'done', 'failed']);
    expect(auditOf(join(tmp, 'out-mem')).notes).toMatchObject({ skipped: 3, failed: 1 });

    const retried = await runCli([...args, '--resume', '--retry-failed'], tmp);
    expect(retried.code, retried.stderr).toBe(1);
    // Redone (and, the budget being the same, stopped again): no "not retried".
    expect(retried.stderr).toBe('phi-redact: in/poison.txt: E059 stopped at the worker memory budget (32 MB, limits.workerMemoryMb / --worker-memory)\n');
  }, 300_000);

  it('time: past --note-seconds it fails alone with E058, the others are written, exit 1', async () => {
    const r = await runCli(['redact', 'slow', '--out', 'out-time', ...RULES, '--note-seconds', '5', '--worker-memory', '0', '--quiet'], tmp);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('phi-redact: slow/poison.txt: E058 stopped after the per-note time budget (5 s, limits.noteSeconds / --note-seconds)\n');
    expect(manifestOf(join(tmp, 'out-time')).map((e) => [e.output, e.status, e.error?.slice(0, 4)])).toEqual([
      ['a.txt', 'done', undefined],
      ['b.txt', 'done', undefined],
      ['poison.txt', 'failed', 'E058'],
    ]);
  }, 300_000);

  it('--retry-failed without --resume, a bad budget, and a budget with --workers 1 are usage errors', async () => {
    const a = await runCli(['redact', 'in', '--out', 'out-x', ...RULES, '--retry-failed'], tmp);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--retry-failed goes with --resume');
    const b = await runCli(['redact', 'in', '--out', 'out-x', ...RULES, '--note-seconds', 'soon'], tmp);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--note-seconds must be a number from 0 (no limit)');
    const c = await runCli(['redact', 'in', '--out', 'out-x', ...RULES, '--workers', '1', '--worker-memory', '64'], tmp);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--workers 1 runs in this process, without budgets');
  }, 60_000);
});
