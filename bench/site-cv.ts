/**
 * What site lists and known identifiers buy, measured honestly (issue 16): patient-level
 * cross-validation over the tuning folds of bench/splits/dev-splits.json. For each fold, lists are
 * learned (`learnLists`, as `phi-redact lists learn` does) from the gold of the OTHER folds only and
 * applied to the held-out fold; the held-out folds are pooled. Then once on the lockbox, with lists
 * learned from all tuning folds. Known identifiers: each note's own gold patient names (gold subtype
 * says patient) passed as its known NAME values, which simulates a record system, not a peek at
 * the other PHI. Binary token recall / precision and the share of notes leaking; aggregates only,
 * never a note or a list entry.
 *
 *   npx tsx bench/site-cv.ts [--gold ../shared/gold/physionet-deid-dev.jsonl] [--sets rules+dictionaries,default] [--lockbox]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectorKind } from '../src/core/detectorKinds.js';
import { learnLists, type LearnDoc } from '../src/detect/site/learn.js';
import type { KnownIdentifiers } from '../src/detect/site/known.js';
import { evaluate, type EvalDoc, type GoldDoc } from '../src/eval/index.js';
import { formatProposals } from '../src/node/assets/siteLists.js';
import { loadPipeline } from '../src/node/createPipeline.js';
import { readGoldJsonl } from '../src/node/goldFiles.js';
import type { Pipeline } from '../src/pipeline.js';
import { options } from './args.js';
import { DETECTOR_SETS, devSplits } from './splits.js';

const REPO = join(import.meta.dirname, '..');
const opts = options({ gold: join(REPO, '..', 'shared', 'gold', 'physionet-deid-dev.jsonl'), sets: 'rules+dictionaries,default', lockbox: false, 'min-notes': '2', 'min-allow-notes': '3' });
if (!existsSync(opts.gold)) {
  console.log(`site-cv: ${opts.gold} is absent; skipped (the gold notes live outside the repo)`);
  process.exit(0);
}
const gold = await readGoldJsonl(opts.gold);
const { folds, lockbox } = devSplits(gold);
const learnOptions = { minNotes: Number(opts['min-notes']), minAllowNotes: Number(opts['min-allow-notes']) };
const work = mkdtempSync(join(tmpdir(), 'site-cv-'));

/** A note's known identifiers: its gold patient names only. */
function knownOf(doc: GoldDoc): KnownIdentifiers {
  const names = doc.spans.filter((s) => s.label === 'NAME' && /^pt|patient/iu.test(s.subtype ?? '')).map((s) => doc.text.slice(s.start, s.end));
  return names.length > 0 ? { NAME: names } : {};
}

function score(docs: readonly EvalDoc[]): string {
  const o = evaluate(docs).token.overall;
  const leaking = docs.filter((d) => {
    const t = evaluate([d]).token.overall;
    return t.goldHit < t.gold;
  }).length;
  return `R ${o.recall.toFixed(3)}  P ${o.precision.toFixed(3)}  leaking ${((100 * leaking) / Math.max(1, docs.length)).toFixed(1)} %  (${o.gold} PHI tokens, ${o.pred} predicted)`;
}

async function predict(pipeline: Pipeline, docs: readonly GoldDoc[], withKnown = false): Promise<EvalDoc[]> {
  const analyses = await pipeline.analyzeBatch(
    docs.map((d) => d.text),
    docs.map((d) => (withKnown ? { known: knownOf(d) } : {})),
  );
  return docs.map((d, i) => ({ ...d, pred: analyses[i]!.spans }));
}

/** A pipeline with the lists learned from `train` (their gold, and what `base` predicted on them). */
async function withLearned(kinds: readonly DetectorKind[], train: readonly EvalDoc[], tag: string): Promise<{ pipeline: Pipeline; sizes: string }> {
  const proposals = learnLists(
    train.map((d): LearnDoc => ({ text: d.text, spans: d.spans, pred: d.pred })),
    learnOptions,
  );
  const file = join(work, `${tag}.yaml`);
  writeFileSync(file, formatProposals(proposals, { notes: train.length, file: 'training folds' }));
  const sizes = `deny ${Object.values(proposals.deny).reduce((a, c) => a + (c?.length ?? 0), 0)}, roster ${proposals.roster.length}, allow ${proposals.allow.length}`;
  return { pipeline: await loadPipeline({ detectors: kinds, config: { site: { lists: [file] } }, baseDir: work }), sizes };
}

/** Each measurement is its own run: a fresh pipeline, so no run memory (consistency.run) carries over from other notes. */
async function runOnce(kinds: readonly DetectorKind[], docs: readonly GoldDoc[], withKnown = false): Promise<EvalDoc[]> {
  const pipeline = await loadPipeline({ detectors: kinds });
  try {
    return await predict(pipeline, docs, withKnown);
  } finally {
    await pipeline.dispose();
  }
}

try {
  for (const name of opts.sets.split(',')) {
    const kinds = DETECTOR_SETS[name];
    if (kinds === undefined) throw new Error(`unknown set ${name} (choose from ${Object.keys(DETECTOR_SETS).join(', ')})`);
    const basePred: EvalDoc[][] = [];
    const known: EvalDoc[] = [];
    for (const f of folds) {
      basePred.push(await runOnce(kinds, f));
      known.push(...(await runOnce(kinds, f, true)));
    }
    const learned: EvalDoc[] = [];
    const sizes: string[] = [];
    for (let k = 0; k < folds.length; k++) {
      const train = basePred.filter((_, j) => j !== k).flat();
      const { pipeline, sizes: s } = await withLearned(kinds, train, `${name}-fold${k + 1}`);
      sizes.push(s);
      learned.push(...(await predict(pipeline, folds[k]!)));
      await pipeline.dispose();
    }
    console.log(`${name} (${kinds.join(', ')}), tuning folds pooled (${basePred.flat().length} notes, each fold its own run; lists per fold: ${sizes.join(' | ')})`);
    console.log(`  without site lists      ${score(basePred.flat())}`);
    console.log(`  lists learned (CV)      ${score(learned)}`);
    console.log(`  known patient names     ${score(known)}`);
    if (opts.lockbox) {
      const { pipeline, sizes: s } = await withLearned(kinds, basePred.flat(), `${name}-lockbox`);
      console.log(`  lockbox (${lockbox.length} notes, one run; lists learned from all tuning folds: ${s})`);
      console.log(`    without site lists    ${score(await runOnce(kinds, lockbox))}`);
      console.log(`    lists learned         ${score(await predict(pipeline, lockbox))}`);
      console.log(`    known patient names   ${score(await runOnce(kinds, lockbox, true))}`);
      await pipeline.dispose();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
