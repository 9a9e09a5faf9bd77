/**
 * The dictionaries detector on an annotated JSONL file (default: the PhysioNet dev gold, read at
 * run time, never copied): word-list build time, detection notes/s (median of runs, wall clock
 * and per CPU-second: the machine is shared), peak RSS, and per-label token recall/precision of
 * the detector alone and of rules + dictionaries (a token is caught when a merged span overlaps it).
 *
 *   npx tsx bench/bench-dictionaries.ts [--gold FILE.jsonl] [--runs 5] [--split models/phi-ner/split.json] [--ner]
 *
 * `--split` keeps only the split's validation notes (those the NER model never trained on);
 * `--ner` adds the hybrids with the model (rules + ner, rules + dictionaries + ner) through
 * loadPipeline, so the merge is the product's.
 *
 * Other annotated files work too (e.g. ../shared/corpora/presidio-synth.jsonl, to check that the
 * rules generalise beyond nursing notes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { mergeSpans } from '../src/core/merge.js';
import type { Span } from '../src/core/span.js';
import { createDictionaryDetector } from '../src/detect/dictionaries/index.js';
import { createRuleDetectors } from '../src/detect/rules/index.js';
import type { Detector } from '../src/detect/types.js';
import { loadDictionaries } from '../src/node/assets/wordLists.js';
import { loadRulePacks } from '../src/node/assets/rulePacks.js';
import { options } from './args.js';

interface GoldNote { id: string; text: string; spans: { start: number; end: number; label: string }[] }

const opts = options({ gold: '../shared/gold/physionet-deid-dev.jsonl', runs: '5', split: '', ner: false });
const goldPath = resolve(opts.gold);
if (!existsSync(goldPath)) {
  console.log(`skip: gold file ${goldPath} is absent`);
  process.exit(0);
}
const runs = Math.max(1, Number(opts.runs));
let notes: GoldNote[] = readFileSync(goldPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const splitPath = opts.split;
if (splitPath !== '') {
  const keep = new Set((JSON.parse(readFileSync(resolve(splitPath), 'utf8')) as { validation_note_ids: string[] }).validation_note_ids);
  notes = notes.filter((n) => keep.has(n.id));
}
const withNer = opts.ner;

const t0 = process.hrtime.bigint();
const dict = await loadDictionaries();
const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
const dictionaries = createDictionaryDetector(dict.data, dict.fingerprint);
const rules = createRuleDetectors(loadRulePacks());

const predict = (detectors: readonly Detector[]): Span[][] => notes.map((n) => mergeSpans(detectors.flatMap((d) => d.detect(n.text) as Span[])));

const rates: number[] = [];
const cpuRates: number[] = [];
for (let r = 0; r < runs; r++) {
  const w = process.hrtime.bigint();
  const c = process.cpuUsage();
  for (const n of notes) dictionaries.detect(n.text);
  const secs = Number(process.hrtime.bigint() - w) / 1e9;
  const cpu = process.cpuUsage(c);
  rates.push(notes.length / secs);
  cpuRates.push(notes.length / ((cpu.user + cpu.system) / 1e6));
}
rates.sort((a, b) => a - b);
cpuRates.sort((a, b) => a - b);
const median = (xs: number[]): string => xs[Math.floor(xs.length / 2)]!.toFixed(0);

const ov = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;
function score(preds: Span[][]): Map<string, { gold: number; caught: number; pred: number; hit: number }> {
  const per = new Map<string, { gold: number; caught: number; pred: number; hit: number }>();
  const c = (l: string) => {
    let x = per.get(l);
    if (!x) {
      x = { gold: 0, caught: 0, pred: 0, hit: 0 };
      per.set(l, x);
    }
    return x;
  };
  notes.forEach((n, i) => {
    for (const m of n.text.matchAll(/[\p{L}\p{N}]+/gu)) {
      const t = { start: m.index!, end: m.index! + m[0].length };
      const g = n.spans.find((s) => ov(s, t));
      const p = preds[i]!.find((s) => ov(s, t));
      for (const l of g ? [g.label, 'ALL'] : []) { c(l).gold++; if (p) c(l).caught++; }
      for (const l of p ? [p.label, 'ALL'] : []) { c(l).pred++; if (g) c(l).hit++; }
    }
  });
  return per;
}
const f = (a: number, b: number): string => (b === 0 ? '    -' : (a / b).toFixed(3));

console.log(`${notes.length} notes from ${goldPath}${splitPath !== '' ? ` (validation notes of ${splitPath})` : ''}`);
console.log(`word lists built in ${buildMs.toFixed(0)} ms (${dict.data.names.size} names, ${dict.data.cities.size} cities, ${dict.data.common.size} common words, ${dict.data.medical.size} medical terms)`);
console.log(`dictionaries detect: median ${median(rates)} notes/s wall (min ${rates[0]!.toFixed(0)}, max ${rates[rates.length - 1]!.toFixed(0)}), median ${median(cpuRates)} notes/s per CPU-second, ${runs} runs`);
function print(name: string, preds: Span[][]): void {
  const per = score(preds);
  console.log(`\n${name}: label  goldTok  recall  predTok  precision`);
  for (const l of ['ALL', 'NAME', 'LOCATION']) {
    const x = per.get(l) ?? { gold: 0, caught: 0, pred: 0, hit: 0 };
    console.log(`  ${l.padEnd(9)} ${String(x.gold).padStart(7)}  ${f(x.caught, x.gold)}  ${String(x.pred).padStart(7)}  ${f(x.hit, x.pred)}`);
  }
}
for (const [name, dets] of [['dictionaries', [dictionaries]], ['rules', rules], ['rules+dictionaries', [...rules, dictionaries]]] as const) {
  print(name, predict(dets));
}
if (withNer) {
  const { loadPipeline } = await import('../src/node/createPipeline.js');
  for (const kinds of [['rules', 'ner'], ['rules', 'dictionaries', 'ner']] as const) {
    const pipeline = await loadPipeline({ detectors: kinds });
    try {
      const analyses = await pipeline.analyzeBatch(notes.map((n) => n.text));
      print(kinds.join('+'), analyses.map((a) => [...a.spans]));
    } finally {
      await pipeline.dispose();
    }
  }
}
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
