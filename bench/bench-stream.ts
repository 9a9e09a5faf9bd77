/**
 * Streaming a big JSONL file through `phi-redact redact - --format jsonl` in bounded memory.
 * Build first (`npx tsc -p .`). The input is generated into a temp file from test/scale/notes.ts
 * (deterministic fake notes; nothing from ../shared/gold) and deleted afterwards.
 *
 *   npx tsx bench/bench-stream.ts [--gb 1] [--workers 2] [--note-kb 4] [--keep FILE [--generate-only]] [--json]
 *
 * `--keep FILE` generates the input into FILE (or reuses FILE when it exists) and leaves it.
 *
 * The CLI runs as a child process with stdin from the file and stdout to /dev/null; its peak
 * RSS comes from `/usr/bin/time -v` ("Maximum resident set size"; all threads of the process),
 * or, without GNU time, from polling /proc/<pid>/status VmHWM. notes/s and MB/s are the child's
 * own (its audit report: notes done ÷ wall time after the pipelines loaded).
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditReport } from '../src/node/runs/audit.js';
import { MAIN } from '../test/scale/cli.js';
import { makeNote } from '../test/scale/notes.js';
import { options } from './args.js';

const opts = options({ gb: '1', workers: '2', 'note-kb': '4', keep: '', 'generate-only': false, json: false });
const targetBytes = Math.round(Number(opts.gb) * 1024 ** 3);
const workers = Math.max(1, Number(opts.workers));
const noteKb = Math.max(1, Number(opts['note-kb']));
const keep = opts.keep;
const asJson = opts.json;

if (!existsSync(MAIN)) {
  console.error(`bench-stream: ${MAIN} is missing; build first (npx tsc -p .)`);
  process.exit(2);
}

/** ~`noteKb` KB notes made of consecutive small notes; 2,000 distinct ones, cycled with unique ids. */
function distinctNotes(): string[] {
  const perNote = Math.max(1, Math.round((noteKb * 1024) / 520));
  return Array.from({ length: 2000 }, (_, k) => Array.from({ length: perNote }, (_, j) => makeNote(k * perNote + j)).join('\n'));
}

async function generate(path: string): Promise<{ bytes: number; notes: number }> {
  const texts = distinctNotes().map((t) => JSON.stringify(t));
  const out = createWriteStream(path);
  let bytes = 0;
  let notes = 0;
  while (bytes < targetBytes) {
    const line = `{"id":"n${notes}","text":${texts[notes % texts.length]}}\n`;
    bytes += Buffer.byteLength(line);
    notes += 1;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { bytes, notes };
}

const hasGnuTime = existsSync('/usr/bin/time');

async function stream(input: string, dir: string): Promise<{ code: number | null; peakRssMb: number; wallMs: number; audit: AuditReport }> {
  const timeFile = join(dir, 'time.txt');
  const auditFile = join(dir, 'audit.json');
  const cli = [MAIN, 'redact', '-', '--format', 'jsonl', '--detectors', 'rules', '--workers', String(workers), '--audit', auditFile, '--quiet'];
  const [cmd, argv] = hasGnuTime ? ['/usr/bin/time', ['-v', '-o', timeFile, process.execPath, ...cli]] : [process.execPath, cli];
  const started = performance.now();
  const child = spawn(cmd, argv as string[], { stdio: [openSync(input, 'r'), openSync('/dev/null', 'w'), 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let polledKb = 0;
  const poll = hasGnuTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {
          /* exited */
        }
      }, 100);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (poll) clearInterval(poll);
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`bench-stream: the CLI exited ${code}: ${stderr.slice(0, 400)}`);
  const kb = hasGnuTime ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'))?.[1] ?? 0) : polledKb;
  return { code, peakRssMb: Math.round(kb / 1024), wallMs, audit: JSON.parse(readFileSync(auditFile, 'utf8')) as AuditReport };
}

const dir = mkdtempSync(join(tmpdir(), 'phi-bench-stream-'));
try {
  const input = keep !== '' ? keep : join(dir, 'notes.jsonl');
  let facts: { bytes: number; notes: number };
  if (keep !== '' && existsSync(keep)) {
    let notes = 0;
    for await (const chunk of createReadStream(keep)) for (const b of chunk as Buffer) if (b === 0x0a) notes += 1;
    facts = { bytes: statSync(keep).size, notes };
  } else {
    const g0 = performance.now();
    facts = await generate(input);
    if (!asJson) console.log(`bench-stream: generated ${(facts.bytes / 1024 ** 3).toFixed(2)} GiB, ${facts.notes} notes of ~${noteKb} KB in ${((performance.now() - g0) / 1000).toFixed(0)} s`);
  }
  if (opts['generate-only']) {
    if (!asJson) console.log(`bench-stream: input kept at ${input}`);
  } else await measure(input, facts);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function measure(input: string, facts: { bytes: number; notes: number }): Promise<void> {
  const r = await stream(input, dir);
  if (r.audit.notes.done !== facts.notes) throw new Error(`bench-stream: ${r.audit.notes.done} of ${facts.notes} notes came out`);
  const row = {
    inputGiB: Number((facts.bytes / 1024 ** 3).toFixed(2)),
    notes: facts.notes,
    workers,
    wallSeconds: Math.round(r.wallMs / 1000),
    notesPerSecond: r.audit.timings.notesPerSecond,
    mbPerSecond: Number((facts.bytes / 1024 ** 2 / (r.audit.timings.wallMs / 1000)).toFixed(2)),
    peakRssMb: r.peakRssMb,
    rssFrom: hasGnuTime ? '/usr/bin/time -v' : '/proc VmHWM polling',
    spans: r.audit.spans.total,
  };
  if (asJson) console.log(JSON.stringify(row, null, 2));
  else {
    console.log(
      `stdin JSONL ${row.inputGiB} GiB, ${row.notes} notes, --workers ${workers}: ${row.notesPerSecond} notes/s, ${row.mbPerSecond} MB/s, ` +
        `peak RSS ${row.peakRssMb} MB (${row.rssFrom}), ${row.wallSeconds} s wall, ${row.spans} spans`,
    );
  }
}
