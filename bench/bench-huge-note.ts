/**
 * One huge note through the built CLI (`dist/cli/main.js`, build first: `npx tsc -p .`), folder
 * mode, all detectors by default: peak RSS (of the whole process tree: the CLI and its worker
 * thread share one process) and wall time, for
 *
 *   ordinary  the invented sample notes (corpora/sample/*.txt) repeated to `--ordinary-mb` (50)
 *   dense     phone numbers only, one a line (`Call 617-555-0142 or 508-555-0199.`), to `--dense-mb` (49)
 *
 *   npx tsx bench/bench-huge-note.ts [--ordinary-mb 50] [--dense-mb 49] [--detectors rules,dictionaries,ner]
 *                                    [--worker-memory 8192] [--note-seconds 0] [--json]
 *
 * Issue 17: a 49 MB dense note used to kill the run (ERR_WORKER_OUT_OF_MEMORY, exit 2). It now
 * finishes, or, past the worker memory budget, fails alone (E059, exit 1): the line says which.
 * Peak RSS is /usr/bin/time's maximum resident set size. Generated text only, nothing from gold.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestEntry } from '../src/node/runs/manifest.js';
import { MAIN, ROOT } from '../test/scale/cli.js';
import { options } from './args.js';

const opts = options({ 'ordinary-mb': '50', 'dense-mb': '49', detectors: 'rules,dictionaries,ner', 'worker-memory': '8192', 'note-seconds': '0', json: false });
if (!existsSync(MAIN)) throw new Error(`build first: ${MAIN} is missing (npx tsc -p .)`);
if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (GNU time) for the peak RSS');

function ordinary(bytes: number): string {
  const sample = join(ROOT, 'corpora', 'sample');
  const unit = `${readdirSync(sample).filter((f) => f.endsWith('.txt')).sort().map((f) => readFileSync(join(sample, f), 'utf8')).join('\n')}\n`;
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

function dense(bytes: number): string {
  const line = 'Call 617-555-0142 or 508-555-0199.\n';
  return line.repeat(Math.floor(bytes / line.length));
}

interface Result {
  readonly note: string;
  readonly mb: number;
  readonly exit: number | null;
  readonly status: string;
  readonly spans: number;
  readonly seconds: number;
  readonly peakRssMb: number;
}

async function measure(name: string, text: string): Promise<Result> {
  const tmp = mkdtempSync(join(tmpdir(), 'phi-bench-huge-'));
  try {
    mkdirSync(join(tmp, 'in'));
    writeFileSync(join(tmp, 'in', `${name}.txt`), text);
    const args = ['redact', 'in', '--out', 'out', '--detectors', opts.detectors, '--worker-memory', opts['worker-memory'], '--note-seconds', opts['note-seconds'], '--quiet'];
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, MAIN, ...args], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const exit = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const m = /TIME ([\d.]+) (\d+)\s*$/u.exec(err);
    let status = 'no manifest';
    let spans = 0;
    const manifest = join(tmp, 'out', '.phi-redact', 'manifest.jsonl');
    if (existsSync(manifest)) {
      const line = readFileSync(manifest, 'utf8').trim();
      if (line !== '') {
        const entry = JSON.parse(line) as ManifestEntry;
        status = entry.status === 'done' ? 'done' : (entry.error ?? 'failed').slice(0, 4);
        spans = entry.spans.length + (entry.spansOmitted ?? 0);
      }
    }
    return { note: name, mb: Math.round(Buffer.byteLength(text) / 1e5) / 10, exit, status, spans, seconds: Number(m?.[1] ?? Number.NaN), peakRssMb: Math.round(Number(m?.[2] ?? Number.NaN) / 1024) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const results: Result[] = [];
for (const [name, mb, make] of [['ordinary', Number(opts['ordinary-mb']), ordinary], ['dense', Number(opts['dense-mb']), dense]] as const) {
  if (!(mb > 0)) continue;
  const r = await measure(name, make(Math.round(mb * 1024 * 1024)));
  results.push(r);
  if (!opts.json) console.log(`${r.note.padEnd(8)} ${String(r.mb).padStart(5)} MB  ${opts.detectors}  exit ${r.exit}  ${r.status}  ${r.spans} spans  ${r.seconds} s  peak RSS ${r.peakRssMb} MB`);
}
if (opts.json) console.log(JSON.stringify({ detectors: opts.detectors, workerMemoryMb: Number(opts['worker-memory']), results }));
