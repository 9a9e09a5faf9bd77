/**
 * Surrogate mode vs tag mode, measured in one run over the dev gold notes (read at run time
 * from ../shared/gold, never copied; skips with a message when absent).
 *
 *   npx tsx bench/bench-surrogate.ts [--gold ../shared/gold/physionet-deid-dev.jsonl] [--runs 7]
 *
 * Two measurements, each a median of `--runs` timed passes over every note after one warm-up
 * pass, tag and surrogate passes interleaved so machine load hits both alike:
 *  - transform only: Pipeline.transform with the gold spans as the analysis (the operator cost
 *    alone, independent of detector quality);
 *  - end to end: Pipeline.redact with the rule detectors (what `phi-redact redact --detectors
 *    rules` does per note, without file I/O).
 * Also printed: gold spans replaced, how many fell back to tags, and gold PHI strings left
 * verbatim in the text that replaced them (must be 0). Counts and rates only, never note text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig } from '../src/core/config.js';
import { isLabel } from '../src/core/labels.js';
import { mergeSpans } from '../src/core/merge.js';
import type { Span } from '../src/core/span.js';
import { loadPipeline } from '../src/node/createPipeline.js';
import { keyFingerprint } from '../src/transform/keyed.js';
import { createSurrogateOperator } from '../src/transform/operators/surrogate.js';
import { Pipeline } from '../src/pipeline.js';
import { options } from './args.js';
import { median } from './stats.js';

const opts = options({ gold: '../shared/gold/physionet-deid-dev.jsonl', runs: '7' });
const goldPath = resolve(opts.gold);
const runs = Math.max(5, Number(opts.runs));

if (!existsSync(goldPath)) {
  console.log(`bench-surrogate: skipped, gold file ${goldPath} is absent`);
  process.exit(0);
}

interface GoldNote {
  id: string;
  text: string;
  spans: { start: number; end: number; label: string; subtype?: string }[];
}
const notes = readFileSync(goldPath, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as GoldNote);
const scopeOf = (id: string): string => id.split('-')[0]!;
const goldSpans = notes.map((n) =>
  mergeSpans(
    n.spans
      .filter((s) => isLabel(s.label) && s.end > s.start)
      .map((s): Span => ({ start: s.start, end: s.end, label: s.label as Span['label'], subtype: s.subtype, source: 'gold', score: 1 })),
  ),
);

// A fixed benchmark key (not a secret: the notes stay local and the output is not written).
const key = Buffer.from('bench-surrogate fixed key 32 by.');
const surrogate = createSurrogateOperator(key);
const tagConfig = parseConfig({ detectors: ['rules'], policy: { DEFAULT: 'tag' } });
const surConfig = parseConfig({ detectors: ['rules'], policy: { DEFAULT: 'surrogate' } });

async function timed(pass: () => Promise<void> | void): Promise<number> {
  const t0 = performance.now();
  await pass();
  return notes.length / ((performance.now() - t0) / 1000);
}

async function compare(name: string, tagPass: () => Promise<void> | void, surPass: () => Promise<void> | void): Promise<void> {
  await tagPass();
  await surPass();
  const tag: number[] = [];
  const sur: number[] = [];
  for (let r = 0; r < runs; r++) {
    tag.push(await timed(tagPass));
    sur.push(await timed(surPass));
  }
  const t = median(tag);
  const s = median(sur);
  console.log(
    `${name.padEnd(34)} tag ${t.toFixed(0).padStart(8)} notes/s   surrogate ${s.toFixed(0).padStart(8)} notes/s   surrogate/tag ${(s / t).toFixed(2)}`,
  );
}

const bare = {
  tag: await Pipeline.create([], tagConfig),
  sur: await Pipeline.create([], surConfig, { surrogate }),
};
let replaced = 0;
let tagged = 0;
let verbatim = 0;
for (const [i, n] of notes.entries()) {
  const r = bare.sur.transform(n.text, { spans: goldSpans[i]!, raw: [] }, { scope: scopeOf(n.id) });
  for (const s of r.spans) {
    replaced++;
    const out = r.text.slice(s.outStart, s.outEnd);
    if (out === `[${s.label}]`) tagged++;
    const original = n.text.slice(s.start, s.end).trim().toLowerCase();
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${original.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}(?![\\p{L}\\p{N}])`, 'u');
    if (original.length > 0 && re.test(out.toLowerCase())) verbatim++;
  }
}

const tagRules = await loadPipeline({ config: tagConfig, detectors: ['rules'] });
const surRules = await loadPipeline({ config: surConfig, detectors: ['rules'], key });

console.log(`bench-surrogate: ${notes.length} dev notes, ${runs} timed runs per mode (medians), key fingerprint ${keyFingerprint(key)}`);
console.log(`gold spans replaced: ${replaced}; fell back to tags: ${tagged}; gold PHI strings verbatim in their replacement: ${verbatim}`);
await compare(
  'transform only (gold spans)',
  () => notes.forEach((n, i) => {
    bare.tag.transform(n.text, { spans: goldSpans[i]!, raw: [] }, { scope: scopeOf(n.id) });
  }),
  () => notes.forEach((n, i) => {
    bare.sur.transform(n.text, { spans: goldSpans[i]!, raw: [] }, { scope: scopeOf(n.id) });
  }),
);
await compare(
  'end to end (rules detectors)',
  async () => {
    for (const n of notes) await tagRules.redact(n.text, { scope: scopeOf(n.id) });
  },
  async () => {
    for (const n of notes) await surRules.redact(n.text, { scope: scopeOf(n.id) });
  },
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
