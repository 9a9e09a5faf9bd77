/**
 * Side-by-side benchmark: phi-redact (rules only; rules + dictionaries; hybrid rules + dictionaries + NER) against the npm PII
 * libraries people already use, on the same notes, with the same scorer (src/eval), on the same
 * machine, in one run. Each row runs in its own child process (bench/compare/runner.ts).
 *
 *   npx tsx bench/compare/run.ts [--rounds 2] [--passes 5] [--budget-s 40] [--min-pass-ms 500] [--out bench/results]
 *                               [--libs a,b] [--gold ../shared/gold/physionet-deid-dev.jsonl] [--model-dir models/phi-ner]
 *
 * Sets: (a) the PhysioNet dev gold, read at run time from ../shared/gold (skipped with a message
 * when absent), scored on all notes and on the notes of models/phi-ner/split.json that the NER
 * model never trained on; (b) our synthetic structured-PII set with negatives
 * (test/fixtures/structured-pii.jsonl).
 *
 * The whole benchmark runs `--rounds` times (2nd round in reverse row order); quality must be
 * identical across rounds (the run fails otherwise) and each round's speed ratios are reported.
 * Writes `<out>/compare.json` and `<out>/compare.md`: figures only, never note text.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Label } from '../../src/core/labels.js';
import type { Span } from '../../src/core/span.js';
import { evaluate, type EvalDoc, type EvalResult, type GoldDoc } from '../../src/eval/index.js';
import { readGold } from '../../src/node/goldFiles.js';
import { falseAlarmsByKind, median, type Quality } from './report.js';
import { LIBS, ROW_NAMES, type LibName, type RunnerResult } from './protocol.js';
import { args, options } from '../args.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const opts = options({
  rounds: '2',
  passes: '5',
  'budget-s': '40',
  'min-pass-ms': '500',
  out: 'bench/results',
  gold: '../shared/gold/physionet-deid-dev.jsonl',
  libs: LIBS.join(','),
  'model-dir': 'models/phi-ner',
});
const rounds = Number(opts.rounds);
const passes = opts.passes;
const budget = opts['budget-s'];
const minPassMs = opts['min-pass-ms'];
const outDir = resolve(REPO, opts.out);
const goldPath = resolve(REPO, opts.gold);
const libs = (opts.libs.split(',') as LibName[]).filter((l) => LIBS.includes(l));
const modelDir = resolve(REPO, opts['model-dir']);
const SPLIT = join(REPO, 'models', 'phi-ner', 'split.json');
const STRUCTURED = join(REPO, 'test', 'fixtures', 'structured-pii.jsonl');

/** The hybrid row needs a complete model folder; without one it is reported as "model absent". */
function modelPresent(): boolean {
  const dir = modelDir;
  const config = join(dir, 'config.json');
  if (!existsSync(config)) return false;
  try {
    const c = JSON.parse(readFileSync(config, 'utf8')) as { model_file?: string };
    return existsSync(join(dir, c.model_file ?? 'model.onnx'));
  } catch {
    return false;
  }
}

interface SetSpec {
  readonly name: string;
  readonly title: string;
  readonly path: string;
  readonly docs: readonly GoldDoc[];
  /** Named subsets of note ids to score (undefined ids: every note). */
  readonly subsets: readonly { readonly name: string; readonly title: string; readonly ids?: ReadonlySet<string> }[];
  /** Negative kind per note id (structured set). */
  readonly kinds?: ReadonlyMap<string, string>;
}

async function loadSets(): Promise<{ sets: SetSpec[]; skipped: string[] }> {
  const sets: SetSpec[] = [];
  const skipped: string[] = [];
  if (existsSync(goldPath)) {
    const docs = await readGold(goldPath);
    const subsets: SetSpec['subsets'][number][] = [];
    if (existsSync(SPLIT)) {
      const split = JSON.parse(readFileSync(SPLIT, 'utf8')) as { validation_note_ids: string[] };
      subsets.push({
        name: 'validation',
        title: `PhysioNet dev gold, NER validation notes (${split.validation_note_ids.length} notes the NER model never trained on)`,
        ids: new Set(split.validation_note_ids),
      });
    }
    subsets.push({ name: 'all', title: `PhysioNet dev gold, all ${docs.length} notes` });
    sets.push({ name: 'physionet-dev', title: 'PhysioNet dev gold', path: goldPath, docs, subsets });
  } else {
    skipped.push(`physionet-dev: ${relative(REPO, goldPath)} is absent, set skipped`);
    console.log(`skip: gold file ${goldPath} is absent; running the structured-PII set only`);
  }
  const docs = await readGold(STRUCTURED);
  const kinds = new Map<string, string>();
  for (const line of readFileSync(STRUCTURED, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const o = JSON.parse(line) as { id: string; kind?: string };
    if (o.kind !== undefined) kinds.set(o.id, o.kind);
  }
  const negatives = kinds.size;
  sets.push({
    name: 'structured-pii',
    title: `Structured-PII set (synthetic, ours): ${docs.length - negatives} sentences with PHI, ${negatives} negatives`,
    path: STRUCTURED,
    docs,
    subsets: [{ name: 'all', title: `Structured-PII set (synthetic, ours): ${docs.length - negatives} sentences with PHI, ${negatives} negatives` }],
    kinds,
  });
  return { sets, skipped };
}

type RowStatus = { readonly status: 'ok'; readonly result: RunnerResult } | { readonly status: 'absent' | 'failed'; readonly reason: string };

function runRow(lib: LibName, set: SetSpec): RowStatus {
  if (lib === 'phi-redact-hybrid' && !modelPresent()) return { status: 'absent', reason: `model absent (${relative(REPO, modelDir)} has no model file)` };
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'eval', 'compare', 'runner.ts'), '--lib', lib, '--set', set.path, '--passes', passes, '--budget-s', budget, '--min-pass-ms', minPassMs, '--model-dir', modelDir],
    { cwd: REPO, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' },
  );
  if (child.status !== 0) {
    // The runner's stderr is PHI-free by construction (error names and our own messages).
    return { status: 'failed', reason: (child.stderr || `exit ${child.status}`).trim().split('\n').slice(-1)[0]! };
  }
  return { status: 'ok', result: JSON.parse(child.stdout) as RunnerResult };
}

function score(set: SetSpec, ids: ReadonlySet<string> | undefined, r: RunnerResult, source: string): Quality {
  const docs: EvalDoc[] = [];
  set.docs.forEach((d, i) => {
    if (ids && !ids.has(d.id)) return;
    const pred: Span[] = (r.spans[i] ?? []).map(([start, end, label]) => ({ start, end, label: label as Label, source, score: 1 }));
    docs.push({ ...d, pred });
  });
  const e: EvalResult = evaluate(docs);
  const perLabelRecall: Record<string, { recall: number; gold: number }> = {};
  for (const row of e.token.perLabel) if (row.score.gold > 0) perLabelRecall[row.label] = { recall: row.score.recall, gold: row.score.gold };
  return {
    tokenRecall: e.token.overall.recall,
    tokenPrecision: e.token.overall.precision,
    tokenF1: e.token.overall.f1,
    entityPartialF1: e.entity.partial.f1,
    entityStrictF1: e.entity.strict.f1,
    goldTokens: e.token.overall.gold,
    predTokens: e.token.overall.pred,
    perLabelRecall,
    ...(set.kinds ? { falseAlarms: falseAlarmsByKind(docs, set.kinds) } : {}),
  };
}

interface Speed {
  readonly repsPerPass: number;
  readonly notesPerSecCpu: number;
  readonly notesPerSecWall: number;
  readonly passes: number;
  readonly loadMs: number;
  readonly peakRssMiB: number;
}

function speedOf(r: RunnerResult): Speed {
  return {
    repsPerPass: r.repsPerPass,
    notesPerSecCpu: r.notes / (median(r.passes.map((p) => p.cpuMs)) / 1000),
    notesPerSecWall: r.notes / (median(r.passes.map((p) => p.wallMs)) / 1000),
    passes: r.passes.length,
    loadMs: r.loadMs,
    peakRssMiB: r.maxRssKiB / 1024,
  };
}

async function main(): Promise<void> {
  const { sets, skipped } = await loadSets();
  const started = new Date();
  // results[round][set][lib]
  const results: Record<string, Record<string, RowStatus>>[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? libs : [...libs].reverse();
    const bySet: Record<string, Record<string, RowStatus>> = {};
    for (const set of sets) {
      bySet[set.name] = {};
      for (const lib of order) {
        const t0 = Date.now();
        const row = runRow(lib, set);
        bySet[set.name]![lib] = row;
        const what = row.status === 'ok' ? `${row.result.notes} notes, ${row.result.passes.length} passes` : `${row.status}: ${row.reason}`;
        console.log(`round ${round + 1} ${set.name} ${lib}: ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }
    results.push(bySet);
  }

  // Quality from round 1; every later round must predict exactly the same spans.
  const reproducible: string[] = [];
  for (const set of sets) {
    for (const lib of libs) {
      const a = results[0]![set.name]![lib]!;
      for (let k = 1; k < rounds; k++) {
        const b = results[k]![set.name]![lib]!;
        const same =
          a.status === b.status &&
          (a.status !== 'ok' || JSON.stringify(a.result.spans) === JSON.stringify((b as { result: RunnerResult }).result.spans));
        if (!same) reproducible.push(`${set.name}/${lib}: round ${k + 1} differs from round 1`);
      }
    }
  }

  const rows = libs.map((lib) => {
    const perSet: Record<string, unknown> = {};
    let meta: Pick<RunnerResult, 'name' | 'pkg' | 'version' | 'config'> | undefined;
    for (const set of sets) {
      const first = results[0]![set.name]![lib]!;
      if (first.status !== 'ok') {
        perSet[set.name] = { status: first.status, reason: first.reason };
        continue;
      }
      meta ??= { name: first.result.name, pkg: first.result.pkg, version: first.result.version, config: first.result.config };
      const quality: Record<string, Quality | { status: string; reason: string }> = {};
      for (const sub of set.subsets) {
        quality[sub.name] =
          lib === 'phi-redact-hybrid' && set.name === 'physionet-dev' && sub.name === 'all'
            ? { status: 'not scored', reason: 'the NER model trained on 967 of these notes; see the validation subset' }
            : score(set, sub.ids, first.result, lib);
      }
      const speeds = results.map((r) => {
        const x = r[set.name]![lib]!;
        return x.status === 'ok' ? speedOf(x.result) : undefined;
      });
      perSet[set.name] = {
        status: 'ok',
        notes: first.result.notes,
        deterministic: results.every((r) => {
          const x = r[set.name]![lib]!;
          return x.status === 'ok' && x.result.deterministic;
        }),
        failedNotes: first.result.failedNotes,
        align: first.result.align,
        quality,
        speed: speeds,
      };
    }
    return { lib, ...(meta ?? { name: ROW_NAMES[lib] }), sets: perSet };
  });

  // Speed ratios against phi-redact (rules), per round, on each set.
  const ratios: Record<string, Record<string, (number | null)[]>> = {};
  for (const set of sets) {
    ratios[set.name] = {};
    for (const lib of libs) {
      ratios[set.name]![lib] = results.map((r) => {
        const base = r[set.name]!['phi-redact-rules'];
        const x = r[set.name]![lib];
        if (base?.status !== 'ok' || x?.status !== 'ok') return null;
        return speedOf(x.result).notesPerSecCpu / speedOf(base.result).notesPerSecCpu;
      });
    }
  }

  // The code measured: the commit, and whether src/, rules/ or models/ had uncommitted changes
  // (in a shared checkout, run from a clean worktree for figures you publish).
  const git = (...a: string[]): string => spawnSync('git', a, { cwd: REPO, encoding: 'utf8' }).stdout?.trim() ?? '';
  const code = {
    commit: git('rev-parse', '--short', 'HEAD') || 'unknown',
    uncommittedFiles: git('status', '--porcelain', '--', 'src', 'rules', 'models').split('\n').filter((l) => l.trim() !== '').length,
  };
  const machine = {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
  };
  const report = {
    date: started.toISOString(),
    command: `npx tsx bench/compare/run.ts${args.length ? ` ${args.join(' ')}` : ''}`,
    machine,
    code,
    rounds,
    passesPerRow: Number(passes),
    budgetSecondsPerRow: Number(budget),
    minPassMs: Number(minPassMs),
    skipped,
    reproducible: reproducible.length === 0,
    reproducibilityProblems: reproducible,
    sets: sets.map((s) => ({
      name: s.name,
      title: s.title,
      notes: s.docs.length,
      subsets: s.subsets.map((x) => ({ name: x.name, title: x.title, notes: x.ids ? s.docs.filter((d) => x.ids!.has(d.id)).length : s.docs.length })),
    })),
    rows,
    speedRatioVsRulesCpu: ratios,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'compare.json'), `${JSON.stringify(report, null, 2)}\n`);
  const { renderMarkdown, renderSummary } = await import('./report.js');
  writeFileSync(join(outDir, 'compare.md'), renderMarkdown(report));
  writeFileSync(join(outDir, 'compare-summary.md'), renderSummary(report));
  console.log(`wrote ${relative(REPO, join(outDir, 'compare.md'))}, compare-summary.md (the README table) and compare.json`);
  if (reproducible.length > 0) {
    console.error(`quality differs between rounds:\n  ${reproducible.join('\n  ')}`);
    process.exit(1);
  }
}

await main();
