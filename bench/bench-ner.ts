/**
 * NER and hybrid (rules + NER through Pipeline) benchmark and validation metrics on the dev gold
 * (read at run time from ../shared/gold, never copied; skips with a message when absent).
 *
 *   npx tsx bench/bench-ner.ts [--gold ../shared/gold/physionet-deid-dev.jsonl] [--model models/phi-ner]
 *       [--runs 5] [--threads N] [--batch N] [--chunk 16] [--window N] [--stride N] [--threshold X] [--numeric X] [--plain X]  (default: the config's)
 *       [--metrics] [--no-speed] [--spin] [--workers N]
 *
 * Speed: every dev note, fed to Pipeline.analyzeBatch `--chunk` notes at a time (the CLI's
 * batch size), median notes/s of `--runs` runs after one warm-up run (which fills the word-piece
 * cache; its rate is printed too). Model load time is measured separately. Peak RSS is the
 * process maximum (resourceUsage().maxRSS) at the end. `--workers N` also times full redaction
 * through the piscina engine (N worker threads, each with its own session of `--threads`).
 *
 * --metrics: binary token recall/precision, overall and per label, for rules only, NER only and
 * hybrid, on the model's patient-level validation split (models/phi-ner/split.json), using the
 * project scorer (src/eval). Output is counts and ratios only, never note text.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConfig } from '../src/core/config.js';
import { plainWordTest, wordLexicon } from '../src/lexicon/index.js';
import { createNerDetector } from '../src/detect/ner/index.js';
import { loadDictionaries } from '../src/node/assets/wordLists.js';
import { evaluate } from '../src/eval/score.js';
import type { EvalDoc, GoldDoc, Scored } from '../src/eval/types.js';
import { readGoldJsonl } from '../src/node/goldFiles.js';
import { loadPipeline, nerThreads } from '../src/node/createPipeline.js';
import { Pipeline } from '../src/pipeline.js';
import { createRuleDetectors } from '../src/detect/rules/index.js';
import type { Detector } from '../src/detect/types.js';
import { loadRulePacks } from '../src/node/assets/rulePacks.js';
import { options } from './args.js';
import { median } from './stats.js';


// Defaults are the config's (what `phi-redact` runs with); flags override them.
const defaults = parseConfig({});
const opts = options({
  gold: '../shared/gold/physionet-deid-dev.jsonl',
  model: 'models/phi-ner',
  runs: '5',
  chunk: '16',
  threads: '',
  batch: String(defaults.ner.batchSize),
  window: String(defaults.ner.windowTokens),
  stride: String(defaults.ner.strideTokens),
  threshold: String(defaults.ner.threshold),
  numeric: '',
  plain: '',
  metrics: false,
  'no-speed': false,
  spin: false,
  workers: '0',
});
const goldPath = resolve(opts.gold);
const modelDir = resolve(opts.model);
const runs = Number(opts.runs);
const chunk = Number(opts.chunk);
const ner = {
  modelDir,
  // unset: the pipeline's default, the cores divided among the pipelines sharing them
  threads: opts.threads === '' ? defaults.ner.threads : Number(opts.threads),
  batchSize: Number(opts.batch),
  windowTokens: Number(opts.window),
  strideTokens: Number(opts.stride),
  threshold: Number(opts.threshold),
  numericThreshold: opts.numeric === '' ? defaults.ner.numericThreshold : Number(opts.numeric),
  plainWordThreshold: opts.plain === '' ? defaults.ner.plainWordThreshold : Number(opts.plain),
};
const spinning = opts.spin;

if (!existsSync(goldPath)) {
  console.log(`skip: gold file ${goldPath} is absent`);
  process.exit(0);
}
if (!existsSync(join(modelDir, 'config.json'))) {
  console.log(`skip: no NER model in ${modelDir} (config.json absent)`);
  process.exit(0);
}

const gold: GoldDoc[] = await readGoldJsonl(goldPath);
const texts = gold.map((d) => d.text);
const chars = texts.reduce((n, t) => n + t.length, 0);
const modelConfig = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as { model_file?: string; sha256: string; lexicon?: string[] };
// A phi-ner/3 model reads each word's class in the word lists (loadPipeline gives them; the
// probe and --spin detectors built here need them too).
const lexicon = modelConfig.lexicon
  ? await (async () => {
      const data = (await loadDictionaries()).data;
      return wordLexicon(data, plainWordTest(data));
    })()
  : undefined;
const modelFile = join(modelDir, modelConfig.model_file ?? 'model.onnx');

console.log(`load average at start: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).availableParallelism()} cores`);
console.log(`notes: ${gold.length} (${(chars / gold.length).toFixed(0)} chars on average) from ${goldPath}`);
console.log(`model: ${modelFile}, ${(statSync(modelFile).size / 1e6).toFixed(2)} MB, sha256 ${modelConfig.sha256.slice(0, 12)}…`);
console.log(`settings: threads ${ner.threads ?? 'auto'}, batch ${ner.batchSize} windows, chunk ${chunk} notes, window ${ner.windowTokens}, stride ${ner.strideTokens}, threshold ${ner.threshold}, numeric threshold ${ner.numericThreshold ?? ner.threshold}, plain-word threshold ${ner.plainWordThreshold ?? ner.threshold}`);

// Model load, measured on its own (tokenizer + sha256 check + session + warm-up run). The
// pipelines below reuse the same session (one per model and thread count per process).
const t0 = performance.now();
const probe = createNerDetector({ ...ner, spinning, lexicon });
await probe.load!();
console.log(`model load: ${(performance.now() - t0).toFixed(0)} ms`);

// The default path goes through loadPipeline (the CLI's composition root); --spin needs a
// session option the config does not carry, so then the same detectors are built here.
type Kind = 'rules' | 'dictionaries' | 'ner';
const pipelineFor = async (detectors: Kind[]): Promise<Pipeline> => {
  const config = parseConfig({ detectors, ner });
  if (!spinning || detectors.includes('dictionaries')) return loadPipeline({ config, baseDir: process.cwd() });
  const built: Detector[] = detectors.includes('rules') ? createRuleDetectors(loadRulePacks()) : [];
  if (detectors.includes('ner')) built.push(createNerDetector({ ...ner, spinning, lexicon }));
  return Pipeline.create(built, config);
};

async function analyzeAll(p: Pipeline, notes: readonly string[]): Promise<Awaited<ReturnType<Pipeline['analyzeBatch']>>> {
  const out: Awaited<ReturnType<Pipeline['analyzeBatch']>> = [];
  for (let i = 0; i < notes.length; i += chunk) out.push(...(await p.analyzeBatch(notes.slice(i, i + chunk))));
  return out;
}


async function speed(name: string, p: Pipeline): Promise<void> {
  const cpuPerNote: number[] = [];
  const rate = async (): Promise<number> => {
    const t = performance.now();
    const c = process.cpuUsage();
    await analyzeAll(p, texts);
    const used = process.cpuUsage(c);
    cpuPerNote.push((used.user + used.system) / 1000 / texts.length);
    return texts.length / ((performance.now() - t) / 1000);
  };
  const warm = await rate();
  cpuPerNote.length = 0;
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) rates.push(await rate());
  // CPU time (all threads) per note is printed too: on a shared machine it moves less than wall time.
  console.log(
    `${name.padEnd(8)} ${median(rates).toFixed(1).padStart(7)} notes/s median of ${runs} ` +
      `(min ${Math.min(...rates).toFixed(1)}, max ${Math.max(...rates).toFixed(1)}; first run ${warm.toFixed(1)}); ` +
      `CPU ${median(cpuPerNote).toFixed(2)} ms/note`,
  );
}

const hybrid = await pipelineFor(['rules', 'ner']);
const nerOnly = await pipelineFor(['ner']);
const rulesOnly = await pipelineFor(['rules']);
const full = await pipelineFor([...defaults.detectors]);
const fullName = defaults.detectors.join('+');

const workers = Number(opts.workers);
if (workers > 0) {
  // End to end through the redaction engine (detect + merge + tag), as `phi-redact redact`
  // runs it: `workers` piscina threads (from dist/: build first), each with its own pipeline.
  const { createEngine } = await import('../src/node/runs/pool/engine.js');
  const t = performance.now();
  const engine = await createEngine({ workers, load: { config: parseConfig({ detectors: ['rules', 'ner'], ner }), baseDir: process.cwd() } });
  console.log(`engine with ${workers} worker(s): loaded in ${(performance.now() - t).toFixed(0)} ms`);
  const tasks = texts.map((text, i) => ({ text, noteId: String(i) }));
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const batches: Promise<unknown>[] = [];
    for (let i = 0; i < tasks.length; i += chunk) batches.push(engine.redactNotes(tasks.slice(i, i + chunk), false));
    await Promise.all(batches);
    return tasks.length / ((performance.now() - t0) / 1000);
  };
  const warm = await once();
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) rates.push(await once());
  console.log(`redact   ${median(rates).toFixed(1).padStart(7)} notes/s median of ${runs} (min ${Math.min(...rates).toFixed(1)}, max ${Math.max(...rates).toFixed(1)}; first run ${warm.toFixed(1)}), ${workers} worker(s) x ${ner.threads ?? `auto (${nerThreads(undefined, workers)})`} thread(s)`);
  await engine.close();
}

if (!opts['no-speed']) {
  await speed('hybrid', hybrid);
  await speed('ner', nerOnly);
  await speed('rules', rulesOnly);
  await speed('default', full);
  console.log(`(hybrid = rules+ner; default = ${fullName}, the config's default detectors)`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

if (opts.metrics) {
  const splitFile = join(modelDir, 'split.json');
  if (!existsSync(splitFile)) {
    console.log(`metrics skipped: ${splitFile} is absent`);
  } else {
    const split = JSON.parse(readFileSync(splitFile, 'utf8')) as { validation_note_ids: string[] };
    const ids = new Set(split.validation_note_ids);
    const val = gold.filter((d) => ids.has(d.id));
    console.log(`\nvalidation split: ${val.length} notes (${split.validation_note_ids.length} listed), binary token scores`);
    const results = new Map<string, ReturnType<typeof evaluate>>();
    for (const [name, p] of [
      ['rules', rulesOnly],
      ['ner', nerOnly],
      ['hybrid', hybrid],
      ['default', full],
    ] as const) {
      const analyses = await analyzeAll(p, val.map((d) => d.text));
      const docs: EvalDoc[] = val.map((d, i) => ({ ...d, pred: analyses[i]!.spans, raw: analyses[i]!.raw }));
      results.set(name, evaluate(docs));
    }
    const fmt = (s: Scored | undefined, side: 'recall' | 'precision'): string => {
      if (!s) return '-';
      const denominator = side === 'recall' ? s.gold : s.pred;
      return denominator === 0 ? '-' : s[side].toFixed(3);
    };
    const labels = new Set<string>();
    for (const r of results.values()) for (const row of r.token.perLabel) labels.add(row.label);
    const header = ['label', 'gold tok', ...[...results.keys()].flatMap((n) => [`${n} R`, `${n} P`])];
    const rows: string[][] = [];
    const overall = results.get('hybrid')!.token.overall;
    rows.push(['ALL', String(overall.gold), ...[...results.values()].flatMap((r) => [fmt(r.token.overall, 'recall'), fmt(r.token.overall, 'precision')])]);
    for (const label of labels) {
      const goldTok = results.get('hybrid')!.token.perLabel.find((r) => r.label === label)?.score.gold ?? 0;
      rows.push([
        label,
        String(goldTok),
        ...[...results.values()].flatMap((r) => {
          const s = r.token.perLabel.find((x) => x.label === label)?.score;
          return [fmt(s, 'recall'), fmt(s, 'precision')];
        }),
      ]);
    }
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(line(header));
    for (const r of rows) console.log(line(r));
    console.log(`(hybrid = rules+ner; default = ${fullName})`);
    console.log('(per-label recall is over that gold label\'s tokens; per-label precision over tokens predicted with that label)');
  }
}

await Promise.all([hybrid.dispose(), nerOnly.dispose(), rulesOnly.dispose(), full.dispose(), probe.dispose!()]);
