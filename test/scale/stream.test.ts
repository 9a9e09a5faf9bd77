import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { AuditReport } from '../../src/node/runs/audit.js';
import { fakeIO } from '../cli/fakeIO.js';
import { assertBuilt, runCli, startCli } from './cli.js';
import { makeNote, noteLine } from './notes.js';

/** `redact -` as a stream: framing, order, error policy, workers, and notes handled as they arrive. */

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-scale-stream-'));
});
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

async function redactIn(stdin: string, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const f = fakeIO({ cwd, stdin });
  const { exitCode } = await run(['redact', '-', '--detectors', 'rules', ...args], f.io);
  return { code: exitCode, out: f.stdout(), err: f.stderr() };
}

describe('text notes separated by a marker line', () => {
  it('redacts each note and keeps the separators and line ends byte for byte', async () => {
    const input = 'Call 617-555-0142 today.\n\f\nSeen 3/14/2023.\r\nBP 120/80.\r\n\f\r\nNo PHI here.';
    const r = await redactIn(input, []);
    expect(r).toEqual({ code: 0, out: 'Call [CONTACT] today.\n\f\nSeen [DATE].\r\nBP 120/80.\r\n\f\r\nNo PHI here.', err: '' });
  });

  it('takes another separator with --separator', async () => {
    const r = await redactIn('a 617-555-0142\n=====\nb 3/14/2023\n', ['--separator', '=====']);
    expect(r.out).toBe('a [CONTACT]\n=====\nb [DATE]\n');
  });

  it('drops a binary note with its separator, names its first line, and goes on (--on-error skip)', async () => {
    const r = await redactIn('ok 617-555-0142\n\f\nbad\u0000note\n\f\nlast 3/14/2023\n', []);
    expect(r.code).toBe(1);
    expect(r.out).toBe('ok [CONTACT]\n\f\nlast [DATE]\n');
    expect(r.err).toBe(
      'phi-redact: <stdin>: E042 note at line 3: binary file (NUL byte at byte 3), not a text note\n' +
        'phi-redact: <stdin>: 2 notes redacted, 1 malformed skipped, 0 failed\n',
    );
  });
});

describe('JSONL error policy', () => {
  const lines = ['{"id":1,"text":"call 617-555-0142"}', '{"id":2,"text":"seen 3/14/2023"}', '{"id":3,"text":"Jane Roe', '{"id":4,"text":"fine"}'];

  it('--on-error skip (default): the bad line is skipped and counted, the rest written in order', async () => {
    const r = await redactIn(`${lines.join('\n')}\n`, ['--format', 'jsonl']);
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id)).toEqual([1, 2, 4]);
    expect(r.err).toBe('phi-redact: <stdin>: E050 line 3 is not valid JSON\nphi-redact: <stdin>: 3 notes redacted, 1 malformed skipped, 0 failed\n');
    expect(r.err).not.toContain('Jane');
  });

  it('--on-error fail: the run stops at the bad line; everything before it is written', async () => {
    const r = await redactIn(`${lines.join('\n')}\n`, ['--format', 'jsonl', '--on-error', 'fail']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('{"id":1,"text":"call [CONTACT]"}\n{"id":2,"text":"seen [DATE]"}\n');
    expect(r.err).toBe(
      'phi-redact: <stdin>: E050 line 3 is not valid JSON\nphi-redact: <stdin>: 2 notes redacted, 1 malformed skipped, 0 failed (stopped: --on-error fail)\n',
    );
  });

  it('--json and --audit report the counts (and nothing of the notes)', async () => {
    const r = await redactIn(`${lines.join('\n')}\n`, ['--format', 'jsonl', '--json', '--audit', 'stream-audit.json']);
    const report = JSON.parse(r.err.trim().split('\n').at(-1)!) as AuditReport;
    expect(report.mode).toBe('stream');
    expect(report.notes).toMatchObject({ done: 3, malformed: 1, failed: 0 });
    expect(report.errors).toEqual({ E050: 1 });
    expect(report.spans.byLabel).toMatchObject({ CONTACT: 1, DATE: 1 });
    const file = readFileSync(join(cwd, 'stream-audit.json'), 'utf8');
    expect(JSON.parse(file)).toMatchObject({ notes: report.notes, spans: report.spans });
    expect(file).not.toContain('Jane');
    expect(file).not.toContain('617-555-0142');
  });
});

describe('streams through the built CLI', () => {
  beforeAll(() => assertBuilt());

  it('2,000 JSONL notes: --workers 2 writes exactly what one process writes, in input order', async () => {
    const input = Array.from({ length: 2000 }, (_, i) => noteLine(i)).join('');
    const one = await runCli(['redact', '-', '--format', 'jsonl', '--detectors', 'rules', '--emit', 'spans'], cwd, input);
    const two = await runCli(['redact', '-', '--format', 'jsonl', '--detectors', 'rules', '--emit', 'spans', '--workers', '2'], cwd, input);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(two.stdout).toBe(one.stdout);
    const ids = one.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual(Array.from({ length: 2000 }, (_, i) => `n${i}`));
  });

  it('stops cleanly when the reader goes away (EPIPE, as with `| head`): one line on stderr, no stack trace', async () => {
    const { child, done } = startCli(['redact', '-', '--format', 'jsonl', '--detectors', 'rules'], cwd);
    child.stdout!.once('data', () => child.stdout!.destroy());
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(Array.from({ length: 20_000 }, (_, i) => noteLine(i % 50, 3, 'small')).join(''));
    const r = await done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^phi-redact: <stdout>: output closed early \(EPIPE\) after \d+ notes?; stopped\n$/);
  });

  it('handles each note as it arrives: the answer to a line comes before the next line is sent', async () => {
    const { child, done } = startCli(['redact', '-', '--format', 'jsonl', '--detectors', 'rules'], cwd);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    for (let i = 0; i < 5; i++) {
      child.stdin!.write(noteLine(i, 7, 'small'));
      const deadline = Date.now() + 20_000;
      while (out.split('\n').length - 1 < i + 1) {
        if (Date.now() > deadline) throw new Error(`no output for line ${i + 1} while the stream stayed open`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    child.stdin!.end();
    expect((await done).code).toBe(0);
    const texts = out.trim().split('\n').map((l) => (JSON.parse(l) as { text: string }).text);
    expect(texts).toHaveLength(5);
    for (const [i, t] of texts.entries()) expect(t).not.toBe(makeNote(i, 7, 'small'));
  });
});
