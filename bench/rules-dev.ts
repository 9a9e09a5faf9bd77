/**
 * Dev check for the rule packs alone on the PhysioNet dev gold (read at run time, never copied):
 * per-label token recall/precision (a gold token is caught when any merged predicted span
 * overlaps it), entity-level partial recall/precision, and rules-only notes/s (median of runs).
 *
 *   npx tsx bench/rules-dev.ts [--gold ../shared/gold/physionet-deid-dev.jsonl] [--runs 5] [--errors LABEL]
 *
 * `--errors LABEL` prints misses and false alarms for one label with 30 characters of context,
 * to the terminal only: use it to find classes of errors, never to fit single notes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { mergeSpans } from '../src/core/merge.js';
import type { Span } from '../src/core/span.js';
import { createRuleDetectors } from '../src/detect/rules/index.js';
import { loadRulePacks } from '../src/node/assets/rulePacks.js';
import { options } from './args.js';

interface GoldSpan { start: number; end: number; label: string }
interface GoldNote { id: string; text: string; spans: GoldSpan[] }

const opts = options({ gold: '../shared/gold/physionet-deid-dev.jsonl', runs: '5', errors: '' });
const goldPath = resolve(opts.gold);
if (!existsSync(goldPath)) {
  console.log(`skip: gold file ${goldPath} is absent`);
  process.exit(0);
}
const runs = Number(opts.runs);
const errorsFor = opts.errors;

const notes: GoldNote[] = readFileSync(goldPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const detectors = createRuleDetectors(loadRulePacks());

const predictAll = (): Span[][] =>
  notes.map((n) => mergeSpans(detectors.flatMap((d) => d.detect(n.text) as Span[])));

// Speed: median notes/s over runs, by wall clock and by this process's CPU time (the
// machine is shared, so CPU time is the steadier figure).
const rates: number[] = [];
const cpuRates: number[] = [];
let preds: Span[][] = [];
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  preds = predictAll();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  rates.push(notes.length / secs);
  cpuRates.push(notes.length / ((cpu.user + cpu.system) / 1e6));
}
rates.sort((a, b) => a - b);
cpuRates.sort((a, b) => a - b);

const tokenRe = /[A-Za-z0-9]+/g;
const ov = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;

type Counts = { goldTok: number; caught: number; predTok: number; predTokHit: number; predTokHitSame: number; goldEnt: number; entCaught: number; predEnt: number; predEntHit: number };
const per = new Map<string, Counts>();
const c = (l: string): Counts => {
  let x = per.get(l);
  if (!x) {
    x = { goldTok: 0, caught: 0, predTok: 0, predTokHit: 0, predTokHitSame: 0, goldEnt: 0, entCaught: 0, predEnt: 0, predEntHit: 0 };
    per.set(l, x);
  }
  return x;
};
const show: string[] = [];
const ctx = (t: string, s: number, e: number): string => JSON.stringify(`${t.slice(Math.max(0, s - 30), s)}[[${t.slice(s, e)}]]${t.slice(e, e + 30)}`);

notes.forEach((n, i) => {
  const pred = preds[i]!;
  const toks: { start: number; end: number }[] = [];
  for (const m of n.text.matchAll(tokenRe)) toks.push({ start: m.index!, end: m.index! + m[0].length });
  for (const t of toks) {
    const g = n.spans.find((s) => ov(s, t));
    const p = pred.find((s) => ov(s, t));
    if (g) {
      const x = c(g.label);
      x.goldTok++;
      if (p) x.caught++;
    }
    if (p) {
      const x = c(p.label);
      x.predTok++;
      if (g) x.predTokHit++;
      if (g && g.label === p.label) x.predTokHitSame++;
    }
    const all = c('ALL');
    if (g) { all.goldTok++; if (p) all.caught++; }
    if (p) { all.predTok++; if (g) { all.predTokHit++; all.predTokHitSame++; } }
  }
  for (const g of n.spans) {
    const x = c(g.label);
    x.goldEnt++;
    const hit = pred.some((p) => ov(p, g));
    if (hit) x.entCaught++;
    else if (g.label === errorsFor) show.push(`MISS ${n.id} ${ctx(n.text, g.start, g.end)}`);
  }
  for (const p of pred) {
    const x = c(p.label);
    x.predEnt++;
    const hit = n.spans.some((g) => ov(p, g));
    if (hit) x.predEntHit++;
    else if (p.label === errorsFor) show.push(`FA   ${n.id} ${p.source} ${ctx(n.text, p.start, p.end)}`);
  }
});

const f = (a: number, b: number): string => (b === 0 ? '  -  ' : (a / b).toFixed(3));
const median = (xs: number[]): string => xs[Math.floor(xs.length / 2)]!.toFixed(0);
console.log(
  `gold: ${notes.length} notes; rules-only (detect + merge, 1 thread): median ${median(rates)} notes/s wall (min ${rates[0]!.toFixed(0)}, max ${rates[rates.length - 1]!.toFixed(0)}), median ${median(cpuRates)} notes/s per CPU-second, over ${runs} runs`,
);
console.log('label         goldTok  tokRecall  predTok  tokPrec(any) tokPrec(same)  goldEnt entRecall predEnt entPrec');
for (const [l, x] of [...per.entries()].sort()) {
  console.log(
    `${l.padEnd(13)} ${String(x.goldTok).padStart(7)}  ${f(x.caught, x.goldTok).padStart(9)}  ${String(x.predTok).padStart(7)}  ${f(x.predTokHit, x.predTok).padStart(11)} ${f(x.predTokHitSame, x.predTok).padStart(13)}  ${String(x.goldEnt).padStart(7)} ${f(x.entCaught, x.goldEnt).padStart(9)} ${String(x.predEnt).padStart(7)} ${f(x.predEntHit, x.predEnt).padStart(7)}`,
  );
}
// Our synthetic structured-PII set: entity level, partial match, label-aware (as in its test).
const fixture = resolve(new URL('../test/fixtures/structured-pii.jsonl', import.meta.url).pathname);
if (existsSync(fixture)) {
  let tp = 0;
  let fn = 0;
  let fp = 0;
  for (const l of readFileSync(fixture, 'utf8').split('\n').filter((x) => x.trim())) {
    const n = JSON.parse(l) as GoldNote;
    const pred = mergeSpans(detectors.flatMap((d) => d.detect(n.text) as Span[]));
    for (const g of n.spans) (pred.some((p) => p.label === g.label && ov(p, g)) ? tp++ : fn++);
    for (const p of pred) if (!n.spans.some((g) => g.label === p.label && ov(p, g))) fp++;
  }
  const p = tp / (tp + fp);
  const r = tp / (tp + fn);
  console.log(`structured-PII fixture: P ${p.toFixed(3)} R ${r.toFixed(3)} F1 ${((2 * p * r) / (p + r)).toFixed(3)} (tp ${tp}, fn ${fn}, fp ${fp})`);
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
for (const s of show) console.log(s);
