import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../src/node/runs/manifest.js';
import { assertBuilt, MAIN, ROOT } from '../scale/cli.js';

/**
 * A 50 MB single note (our invented sample notes repeated) goes through the built CLI in folder
 * and stream mode with the rule detectors: it completes, every span indexes the input, and
 * nothing planted survives. Wall time and peak RSS are printed (measured by /usr/bin/time when
 * present), not asserted tightly: speed belongs in eval/ benchmarks. Files over 64 MB are
 * refused unread (E053, see badInput.folder.test.ts).
 */

const SIZE = 50 * 1024 * 1024;
let tmp: string;
let note: string;

interface Measured {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  seconds?: number;
  peakMb?: number;
}

function runMeasured(args: readonly string[], stdin?: Buffer): Promise<Measured> {
  const timed = existsSync('/usr/bin/time');
  const [cmd, argv] = timed ? ['/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, MAIN, ...args]] : [process.execPath, [MAIN, ...args]];
  const child = spawn(cmd, argv as string[], { cwd: tmp, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  child.stdin.end(stdin ?? Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const m = /TIME ([\d.]+) (\d+)\s*$/u.exec(err);
      resolve({
        code,
        stdout: Buffer.concat(out),
        stderr: m ? err.slice(0, m.index) : err,
        ...(m ? { seconds: Number(m[1]), peakMb: Math.round(Number(m[2]) / 1024) } : {}),
      });
    });
  });
}

beforeAll(() => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'phi-hard-huge-'));
  const sample = join(ROOT, 'corpora', 'sample');
  const parts = readdirSync(sample).filter((f) => f.endsWith('.txt')).sort().map((f) => readFileSync(join(sample, f), 'utf8'));
  const unit = `${parts.join('\n')}\n`;
  note = unit.repeat(Math.ceil(SIZE / Buffer.byteLength(unit))).slice(0, SIZE);
  mkdirSync(join(tmp, 'in'));
  writeFileSync(join(tmp, 'in', 'huge.txt'), note);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a 50 MB single note', () => {
  it('folder mode: completes, spans index the input, the output is the input with the spans replaced', async () => {
    const r = await runMeasured(['redact', 'in', '--out', 'out', '--detectors', 'rules', '--workers', '1', '--emit', 'spans']);
    expect(r.code, r.stderr).toBe(0);
    console.log(`50 MB note, folder mode: ${r.seconds ?? '?'} s wall, peak RSS ${r.peakMb ?? '?'} MB`);
    const line = JSON.parse(readFileSync(join(tmp, 'out', '.phi-redact', 'manifest.jsonl'), 'utf8').trim()) as ManifestEntry;
    expect(line.status).toBe('done');
    // The manifest line lists the first 100,000 spans and counts the rest; the sidecar has them all.
    const entry = JSON.parse(readFileSync(join(tmp, 'out', 'huge.txt.spans.json'), 'utf8')) as Pick<ManifestEntry, 'spans' | 'outSpans'>;
    expect(entry.spans.length).toBeGreaterThan(100_000);
    expect(line.spans).toEqual(entry.spans.slice(0, 100_000));
    expect(line.outSpans).toEqual(entry.outSpans.slice(0, 100_000));
    expect(line.spansOmitted).toBe(entry.spans.length - 100_000);
    const output = readFileSync(join(tmp, 'out', 'huge.txt'), 'utf8');
    let rebuilt = '';
    let last = 0;
    const order = entry.spans.map((s, i) => ({ s, o: entry.outSpans[i]! })).sort((a, b) => a.s.start - b.s.start);
    const parts: string[] = [];
    for (const { s, o } of order) {
      parts.push(note.slice(last, s.start), output.slice(o.outStart, o.outEnd));
      last = s.end;
    }
    parts.push(note.slice(last));
    rebuilt = parts.join('');
    expect(rebuilt === output).toBe(true);
  }, 600_000);

  it('stream mode (text on stdin): completes with one redacted note on stdout, same bytes as folder mode', async () => {
    const r = await runMeasured(['redact', '-', '--detectors', 'rules'], Buffer.from(note));
    expect(r.code, r.stderr).toBe(0);
    console.log(`50 MB note, stream mode: ${r.seconds ?? '?'} s wall, peak RSS ${r.peakMb ?? '?'} MB`);
    const folder = readFileSync(join(tmp, 'out', 'huge.txt'));
    expect(r.stdout.equals(folder)).toBe(true);
  }, 600_000);
});
