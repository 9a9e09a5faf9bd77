/**
 * Tuning figures and lockbox figures side by side (bench/splits/dev-splits.json): binary token
 * recall / precision of each detector set per tuning fold (mean and pooled) and on the lockbox as
 * a whole, with the share of notes that leak at least one PHI token. Prints aggregates only,
 * never a note: the lockbox is scored as a whole, never read note by note.
 *
 *   npx tsx bench/lockbox.ts [--gold ../shared/gold/physionet-deid-dev.jsonl] [--sets rules,rules+dictionaries,default] [--model-dir DIR]
 *
 * `--model-dir`: a candidate NER model instead of the shipped one (config ner.modelDir), to score
 * it before it is shipped.
 *
 * The shipped NER model (v12) never trained on the lockbox patients (models/train/README.md); it
 * did train on the tuning folds' patients outside its validation split, so the tuning figures of
 * sets with `ner` are optimistic (models/MODEL_CARD.md, "Tuning folds and lockbox").
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, type EvalDoc } from '../src/eval/index.js';
import { loadPipeline } from '../src/node/createPipeline.js';
import { readGoldJsonl } from '../src/node/goldFiles.js';
import { options } from './args.js';
import { DETECTOR_SETS, devSplits } from './splits.js';

const REPO = join(import.meta.dirname, '..');
const opts = options({ gold: join(REPO, '..', 'shared', 'gold', 'physionet-deid-dev.jsonl'), sets: 'rules,rules+dictionaries,default', 'model-dir': '' });
if (!existsSync(opts.gold)) {
  console.log(`lockbox: ${opts.gold} is absent; skipped (the gold notes live outside the repo)`);
  process.exit(0);
}
const gold = await readGoldJsonl(opts.gold);
const { folds, lockbox } = devSplits(gold);
const groups = [...folds.map((docs, k) => ({ name: `fold ${k + 1}`, docs })), { name: 'lockbox', docs: lockbox }];

const pct = (x: number): string => x.toFixed(3);
for (const name of opts.sets.split(',')) {
  const kinds = DETECTOR_SETS[name];
  if (kinds === undefined) throw new Error(`unknown set ${name} (choose from ${Object.keys(DETECTOR_SETS).join(', ')})`);
  const pipeline = await loadPipeline({ detectors: kinds, ...(opts['model-dir'] !== '' ? { config: { ner: { modelDir: opts['model-dir'] } } } : {}) });
  const rows: string[] = [];
  const foldScores: { recall: number; precision: number }[] = [];
  const pooled: EvalDoc[] = [];
  for (const group of groups) {
    const analyses = await pipeline.analyzeBatch(group.docs.map((d) => d.text));
    const docs: EvalDoc[] = group.docs.map((d, i) => ({ ...d, pred: analyses[i]!.spans }));
    const o = evaluate(docs).token.overall;
    // A note leaks when any of its gold PHI tokens is missed.
    const leaking = docs.filter((d) => {
      const t = evaluate([d]).token.overall;
      return t.goldHit < t.gold;
    }).length;
    rows.push(`  ${group.name.padEnd(8)} ${String(group.docs.length).padStart(4)} notes ${String(o.gold).padStart(5)} PHI tokens  R ${pct(o.recall)}  P ${pct(o.precision)}  leaking ${(100 * leaking / Math.max(1, docs.length)).toFixed(1)} %`);
    if (group.name !== 'lockbox') {
      foldScores.push({ recall: o.recall, precision: o.precision });
      pooled.push(...docs);
    }
  }
  await pipeline.dispose();
  const p = evaluate(pooled).token.overall;
  const mean = (k: 'recall' | 'precision'): number => foldScores.reduce((a, s) => a + s[k], 0) / foldScores.length;
  console.log(`${name} (${kinds.join(', ')})${opts['model-dir'] !== '' && kinds.includes('ner') ? ` model ${opts['model-dir']}` : ''}`);
  for (const r of rows) console.log(r);
  console.log(`  tuning   mean of folds R ${pct(mean('recall'))}  P ${pct(mean('precision'))}; pooled R ${pct(p.recall)}  P ${pct(p.precision)}`);
}
