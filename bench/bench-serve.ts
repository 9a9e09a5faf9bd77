/**
 * `phi-redact serve` over HTTP against the library in this process, on the same notes in the same
 * run: notes/s (one note per request, keep-alive, concurrency 2 and 4) and p50/p99 latency of one
 * nursing note (corpora/sample, invented), medians of several rounds, and peak RSS of each side.
 * Build first (`npm run build`): the server is the built CLI in a child process, so client and
 * server do not share an event loop. The notes are corpora/synthetic/heldout.jsonl (invented);
 * no note text is printed.
 *
 *   npx tsx bench/bench-serve.ts [--notes 200] [--rounds 3] [--concurrency 2,4] [--latency 200] [--detectors rules,dictionaries,ner]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDetectorList } from '../src/core/detectorKinds.js';
import { loadPipeline } from '../src/node/createPipeline.js';
import { MAIN, ROOT, assertBuilt } from '../test/scale/cli.js';
import { options } from './args.js';

const opts = options({ notes: '200', rounds: '3', concurrency: '2,4', latency: '200', detectors: 'rules,dictionaries,ner' });
assertBuilt();
const { kinds: detectors } = parseDetectorList(opts.detectors);
const rounds = Math.max(1, Number(opts.rounds));
const levels = opts.concurrency.split(',').map(Number).filter((n) => n >= 1);
const notes = readFileSync(join(ROOT, 'corpora', 'synthetic', 'heldout.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, Number(opts.notes))
  .map((l) => (JSON.parse(l) as { text: string }).text);
const nursing = readFileSync(join(ROOT, 'corpora', 'sample', 'nursing-note.txt'), 'utf8');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;
const vmHwmMb = (pid: number): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

// The server: the built CLI, any free port, same detectors; the run memory is off in both (the
// service always turns it off), so both sides do the same work per note.
const token = 'bench-token-0123456789abcdef';
const child = spawn(process.execPath, [MAIN, 'serve', '--detectors', detectors.join(','), '--port', '0', '--quiet'], {
  env: { ...process.env, PHI_REDACT_SERVE_TOKEN: token },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let stderr = '';
const address = await new Promise<string>((resolve, reject) => {
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    const m = /ready on (http:\/\/[\d.:]+)/.exec(stderr);
    if (m) resolve(m[1]!);
  });
  child.once('close', () => reject(new Error(`server ended: ${stderr}`)));
});

const pipeline = await loadPipeline({ config: { consistency: { run: false } }, detectors });
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const overHttp = async (text: string): Promise<void> => {
  const r = await fetch(`${address}/v1/redact`, { method: 'POST', headers, body: JSON.stringify({ text }) });
  if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  await r.arrayBuffer();
};

/** notes/s with `concurrency` requests in flight (keep-alive connections, fetch's default). */
async function httpRate(concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < notes.length) await overHttp(notes[next++]!);
    }),
  );
  return notes.length / ((performance.now() - started) / 1000);
}

async function libraryRate(): Promise<number> {
  const started = performance.now();
  for (const text of notes) await pipeline.redact(text);
  return notes.length / ((performance.now() - started) / 1000);
}

async function latencies(run: (text: string) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < Number(opts.latency); i++) {
    const t = performance.now();
    await run(nursing);
    out.push(performance.now() - t);
  }
  return out;
}

// Warm both sides (JIT, model session, connections) before measuring.
for (const text of notes.slice(0, 20)) {
  await pipeline.redact(text);
  await overHttp(text);
}
const rates: Record<string, number[]> = { library: [], ...Object.fromEntries(levels.map((c) => [`http c=${c}`, []])) };
const lat: Record<string, { p50: number[]; p99: number[] }> = { library: { p50: [], p99: [] }, http: { p50: [], p99: [] } };
for (let r = 0; r < rounds; r++) {
  // Interleaved, so a busy moment of the shared machine hits both sides alike.
  rates.library!.push(await libraryRate());
  for (const c of levels) rates[`http c=${c}`]!.push(await httpRate(c));
  for (const [name, fn] of [['library', (t: string) => pipeline.redact(t)], ['http', overHttp]] as const) {
    const xs = await latencies(fn);
    lat[name]!.p50.push(quantile(xs, 0.5));
    lat[name]!.p99.push(quantile(xs, 0.99));
  }
}
const serverRss = vmHwmMb(child.pid!);
child.kill('SIGTERM');
await new Promise((r) => child.once('close', r));

const lib = median(rates.library!);
console.log(`detectors ${detectors.join(',')}; ${notes.length} synthetic notes, ${rounds} rounds (median; min-max)`);
for (const [name, xs] of Object.entries(rates)) {
  console.log(`  ${name.padEnd(10)} ${median(xs).toFixed(0).padStart(5)} notes/s (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})${name === 'library' ? '' : `  ${(median(xs) / lib).toFixed(2)}x library`}`);
}
for (const [name, v] of Object.entries(lat)) {
  console.log(`  one nursing note (${nursing.length} chars), ${name.padEnd(7)} p50 ${median(v.p50).toFixed(2)} ms, p99 ${median(v.p99).toFixed(2)} ms`);
}
console.log(`  peak RSS: server ${serverRss.toFixed(0)} MB, this process (library + client) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await pipeline.dispose();
