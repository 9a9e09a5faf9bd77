/**
 * Folder-run and queue throughput, end to end through the built CLI (`dist/cli/main.js`,
 * build first: `npx tsc -p .`), with synthetic notes from test/scale/notes.ts (deterministic,
 * all values fake; nothing from ../shared/gold).
 *
 *   npx tsx bench/bench-scale.ts [--part workers|curve|queue|all] [--runs 5] [--notes 2000] [--sizes 1000,10000,100000] [--json]
 *
 *   workers  notes/s for --workers 1 and 2 over `--notes` normal notes (~0.5 KB each)
 *   curve    notes/s over 1k, 10k and 100k small notes (~0.1 KB) with 2 workers: should be flat
 *            (1k and 10k: median of `--runs`; 100k: `--runs-100k`, default 1, to stay under ~10 min)
 *   queue    `--notes` notes through 2 local `queue work` processes (1 thread each) vs the
 *            local pool (--workers 2); needs redis-server (skipped with a message otherwise)
 *
 * notes/s is the run's own figure from its audit report (notes done ÷ wall time after the
 * pipelines loaded), so process start-up and model load are reported apart (`load ms`).
 * Figures are medians with min–max of the runs. Rules only (`--detectors rules`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditReport } from '../src/node/runs/audit.js';
import { redisUnavailableReason, startRedis } from '../test/setup/redis.js';
import { MAIN } from '../test/scale/cli.js';
import { writeNoteTree, type NoteSize } from '../test/scale/notes.js';
import { options } from './args.js';
import { median } from './stats.js';

const opts = options({ part: 'all', runs: '5', 'runs-100k': '1', notes: '2000', sizes: '1000,10000,100000', json: false });
const part = opts.part;
const runs = Math.max(1, Number(opts.runs));
const runs100k = Math.max(1, Number(opts['runs-100k']));
const notes = Math.max(100, Number(opts.notes));
const asJson = opts.json;
const sizes = opts.sizes.split(',').map(Number).filter((n) => n > 0);

if (!existsSync(MAIN)) {
  console.error(`bench-scale: ${MAIN} is missing; build first (npx tsc -p .)`);
  process.exit(2);
}

interface Run {
  readonly wallMs: number;
  readonly notesPerSecond: number;
  readonly loadMs: number;
}

function exec(argv: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [MAIN, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - started }));
  });
}

function summary(label: string, rs: readonly Run[]): Record<string, unknown> {
  const nps = rs.map((r) => r.notesPerSecond);
  return {
    label,
    runs: rs.length,
    notesPerSecond: Math.round(median(nps)),
    min: Math.round(Math.min(...nps)),
    max: Math.round(Math.max(...nps)),
    wallMs: Math.round(median(rs.map((r) => r.wallMs))),
    loadMs: Math.round(median(rs.map((r) => r.loadMs))),
  };
}

const results: Record<string, unknown>[] = [];
function report(row: Record<string, unknown>): void {
  results.push(row);
  if (!asJson) {
    console.log(
      `${String(row.label).padEnd(44)} ${String(row.notesPerSecond).padStart(6)} notes/s  (min ${row.min}, max ${row.max}, ${row.runs} run${row.runs === 1 ? '' : 's'}; wall ${row.wallMs} ms, load ${row.loadMs} ms)`,
    );
  }
}

async function folderRun(dir: string, workers: number): Promise<Run> {
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  const r = await exec(['redact', 'notes', '--out', 'out', '--detectors', 'rules', '--workers', String(workers), '--json'], dir);
  if (r.code !== 0) throw new Error(`bench-scale: redact exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  const audit = JSON.parse(r.stdout) as AuditReport;
  if (audit.notes.done !== audit.notes.total) throw new Error('bench-scale: not every note was done');
  return { wallMs: r.wallMs, notesPerSecond: audit.timings.notesPerSecond, loadMs: audit.timings.pipelineLoadMs ?? 0 };
}

async function corpus(count: number, size: NoteSize): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `phi-bench-${count}-`));
  writeNoteTree(join(dir, 'notes'), count, 42, size);
  return dir;
}

const dirs: string[] = [];
try {
  if (part === 'workers' || part === 'all') {
    const dir = await corpus(notes, 'normal');
    dirs.push(dir);
    await folderRun(dir, 1); // warm the page cache
    for (const workers of [1, 2]) {
      const rs: Run[] = [];
      for (let i = 0; i < runs; i++) rs.push(await folderRun(dir, workers));
      report(summary(`folder, ${notes} normal notes, --workers ${workers}`, rs));
    }
  }

  if (part === 'curve' || part === 'all') {
    for (const count of sizes) {
      const dir = await corpus(count, 'small');
      dirs.push(dir);
      const n = count === 100_000 ? runs100k : runs;
      const rs: Run[] = [];
      for (let i = 0; i < n; i++) rs.push(await folderRun(dir, 2));
      report(summary(`folder, ${count} small notes, --workers 2`, rs));
      rmSync(dir, { recursive: true, force: true });
    }
  }

  if (part === 'queue' || part === 'all') {
    const why = redisUnavailableReason();
    if (why) console.log(`bench-scale: queue part skipped: ${why}`);
    else {
      const dir = await corpus(notes, 'normal');
      dirs.push(dir);
      const redis = await startRedis();
      try {
        const pool: Run[] = [];
        const queue: Run[] = [];
        const submitMs: number[] = [];
        for (let i = 0; i < runs; i++) {
          pool.push(await folderRun(dir, 2));
          const name = `bench${i}`;
          const common = ['--redis', redis.url, '--queue', name];
          const submit = await exec(['queue', 'submit', 'notes', ...common, '--batch', '8'], dir);
          if (submit.code !== 0) throw new Error(`bench-scale: submit exited ${submit.code}`);
          submitMs.push(submit.wallMs);
          rmSync(join(dir, 'qout'), { recursive: true, force: true });
          const work = ['queue', 'work', ...common, '--out', 'qout', '--detectors', 'rules', '--concurrency', '1', '--until-empty', '300'];
          const [w1, w2] = await Promise.all([exec(work, dir), exec(work, dir)]);
          if (w1.code !== 0 || w2.code !== 0) throw new Error('bench-scale: a queue worker failed');
          // From the workers' audit reports: the span from the first start to the last finish.
          const audits = readdirSync(join(dir, 'qout', '.phi-redact'))
            .filter((f) => f.startsWith('audit.'))
            .map((f) => JSON.parse(readFileSync(join(dir, 'qout', '.phi-redact', f), 'utf8')) as AuditReport);
          const done = audits.reduce((n, a) => n + a.notes.done, 0);
          if (done !== notes) throw new Error(`bench-scale: queue workers wrote ${done} of ${notes} notes`);
          const start = Math.min(...audits.map((a) => Date.parse(a.startedAt)));
          // Up to the last note written (workers then idle `--until-empty` ms before they stop).
          const end = Math.max(...audits.map((a) => Date.parse(a.startedAt) + a.timings.activeMs));
          queue.push({ wallMs: Math.max(w1.wallMs, w2.wallMs), notesPerSecond: (done / (end - start)) * 1000, loadMs: Math.max(...audits.map((a) => a.timings.pipelineLoadMs ?? 0)) });
        }
        report(summary(`pool, ${notes} normal notes, --workers 2`, pool));
        report(summary(`queue, ${notes} notes, 2 workers x 1 thread, batch 8`, queue));
        report({ label: `queue submit of ${notes} notes (batch 8)`, runs, notesPerSecond: Math.round((notes / median(submitMs)) * 1000), min: '-', max: '-', wallMs: Math.round(median(submitMs)), loadMs: 0 });
      } finally {
        await redis.stop();
      }
    }
  }
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
if (asJson) console.log(JSON.stringify(results, null, 2));
