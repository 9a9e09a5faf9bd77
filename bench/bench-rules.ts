/**
 * Rules-only redaction speed and memory over the dev gold texts: the whole in-memory path the
 * CLI takes per note (detect → merge → tag), without file I/O. Gold is read at run time from
 * ../shared/gold (never copied); the script skips with a message when it is absent.
 *
 *   npx tsx bench/bench-rules.ts [--gold FILE.jsonl] [--runs 7] [--batch 16] [--hide N] [--json]
 *
 * `--hide N` slips a zero-width space after every Nth character of each note, so every note
 * takes the normalised-view path (src/core/normalize.ts) instead of the all-ASCII fast path.
 *
 * Prints notes/s and MB/s as the median (and min/max) of the timed runs after one untimed
 * warm-up run, and peak RSS (process.resourceUsage().maxRSS) for the whole process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipeline } from '../src/node/createPipeline.js';
import { options } from './args.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const opts = options({ gold: '../shared/gold/physionet-deid-dev.jsonl', runs: '7', batch: '16', hide: '0', json: false });
const goldPath = resolve(ROOT, opts.gold);
const runs = Math.max(5, Number(opts.runs));
const batch = Math.max(1, Number(opts.batch));

if (!existsSync(goldPath)) {
  console.log(`bench-rules: skipped: gold file ${goldPath} is absent (it is read from ../shared/gold at run time only)`);
  process.exit(0);
}

const hide = Math.max(0, Number(opts.hide));
const texts = readFileSync(goldPath, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => (JSON.parse(l) as { text: string }).text)
  .map((t) => (hide > 0 ? t.replace(new RegExp(`[^]{${hide}}`, 'gu'), (m) => `${m}\u200b`) : t));
const chars = texts.reduce((k, t) => k + t.length, 0);
const bytes = texts.reduce((k, t) => k + Buffer.byteLength(t), 0);

const loadStart = performance.now();
const pipeline = await loadPipeline({ detectors: ['rules'] });
const loadMs = performance.now() - loadStart;

async function once(): Promise<{ ms: number; spans: number }> {
  let spans = 0;
  const start = performance.now();
  for (let i = 0; i < texts.length; i += batch) {
    for (const r of await pipeline.redactBatch(texts.slice(i, i + batch))) spans += r.spans.length;
  }
  return { ms: performance.now() - start, spans };
}

const warm = await once();
const timings: number[] = [];
for (let r = 0; r < runs; r++) {
  const { ms, spans } = await once();
  if (spans !== warm.spans) throw new Error('bench-rules: runs disagree on the span count (nondeterminism)');
  timings.push(ms);
}
await pipeline.dispose();

const sorted = [...timings].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
const rate = (ms: number): number => texts.length / (ms / 1000);
const result = {
  notes: texts.length,
  chars,
  mb: bytes / 1e6,
  spans: warm.spans,
  runs,
  batch,
  hide,
  loadMs: Math.round(loadMs),
  medianMs: Math.round(median),
  notesPerSec: { median: Math.round(rate(median)), min: Math.round(rate(sorted[sorted.length - 1]!)), max: Math.round(rate(sorted[0]!)) },
  mbPerSec: Math.round((bytes / 1e6 / (median / 1000)) * 100) / 100,
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  node: process.version,
};

if (opts.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`bench-rules: ${result.notes} notes (${result.mb.toFixed(2)} MB), ${result.spans} spans, rules only, batch ${batch}${hide > 0 ? `, a zero-width space every ${hide} characters` : ''}`);
  console.log(`  load            ${result.loadMs} ms`);
  console.log(`  notes/s         median ${result.notesPerSec.median} (min ${result.notesPerSec.min}, max ${result.notesPerSec.max}) over ${runs} runs after 1 warm-up`);
  console.log(`  MB/s            ${result.mbPerSec} (median run ${result.medianMs} ms)`);
  console.log(`  peak RSS        ${result.peakRssMB} MB`);
}
