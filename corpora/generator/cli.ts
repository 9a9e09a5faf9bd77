/**
 * npx tsx corpora/generator/cli.ts synth --n 3000 --seed 1 --out models/train/work/synth-train.jsonl
 * npx tsx corpora/generator/cli.ts resurrogate --gold ../shared/gold/physionet-deid-dev.jsonl \
 *     --copies 30 --seed 7 --split models/phi-ner/split.json --out models/train/work/resurrogated.jsonl
 *
 * `resurrogate` writes only training-split notes (validation patients are held out by the
 * patient-level split written to --split) and never prints note text.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { Command } from 'commander';
import { Values } from './values.js';
import { generateNote } from './notes.js';
import { resurrogate, SPLIT_SEED, splitPatients, VALIDATION_FRACTION, type GoldNote } from './resurrogate.js';

const program = new Command('phi-generator');

program
  .command('synth')
  .requiredOption('--n <n>', 'number of notes', Number)
  .requiredOption('--seed <seed>', 'random seed', Number)
  .requiredOption('--out <file>', 'output JSONL')
  .option('--prefix <p>', 'id prefix', 'synth')
  .action((o: { n: number; seed: number; out: string; prefix: string }) => {
    const v = new Values(o.seed);
    const lines: string[] = [];
    for (let i = 0; i < o.n; i++) lines.push(JSON.stringify(generateNote(v, `${o.prefix}-${o.seed}-${i}`)));
    writeFileSync(o.out, `${lines.join('\n')}\n`);
    console.log(`wrote ${o.n} synthetic notes to ${o.out}`);
  });

program
  .command('resurrogate')
  .requiredOption('--gold <file>', 'gold JSONL (read only)')
  .requiredOption('--copies <n>', 're-surrogated copies per note with spans', Number)
  .requiredOption('--seed <seed>', 'random seed', Number)
  .requiredOption('--split <file>', 'where to write the patient-level split (JSON)')
  .requiredOption('--out <file>', 'output JSONL (training split only)')
  .option('--split-seed <s>', 'seed of the patient split', Number, SPLIT_SEED)
  .option('--val-fraction <f>', 'fraction of patients held out', Number, VALIDATION_FRACTION)
  .option('--plain-copies <n>', 'copies of notes without spans', Number, 2)
  .option('--exclude <file>', 'patient splits JSON (bench/splits/dev-splits.json): its lockbox patients are never written')
  .action((o: { gold: string; copies: number; seed: number; split: string; out: string; splitSeed: number; valFraction: number; plainCopies: number; exclude?: string }) => {
    if (!existsSync(o.gold)) {
      console.error(`gold file not found: ${o.gold} (skipping re-surrogation)`);
      process.exit(3);
    }
    const notes = readFileSync(o.gold, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as GoldNote);
    const valPatients = splitPatients(notes.map((n) => n.id), o.splitSeed, o.valFraction);
    const isVal = (id: string) => valPatients.has(id.split('-')[0]!);
    const validation = notes.filter((n) => isVal(n.id)).map((n) => n.id);
    // The lockbox (bench/make-splits.ts) is scored only as a whole, so the model never sees it.
    const excluded = new Set<string>(o.exclude ? (JSON.parse(readFileSync(o.exclude, 'utf8')) as { lockbox: { patients: string[] } }).lockbox.patients : []);
    const isExcluded = (id: string) => excluded.has(id.split('-')[0]!);
    const train = notes.filter((n) => !isVal(n.id) && !isExcluded(n.id));
    writeFileSync(o.split, `${JSON.stringify({
      rule: `patients = distinct id prefixes before '-', sorted numerically, shuffled by @faker-js/faker helpers.shuffle with seed ${o.splitSeed}; first ${Math.round(o.valFraction * 100)}% of patients are validation`,
      source: 'physionet-deid-dev.jsonl',
      seed: o.splitSeed,
      validation_patients: [...valPatients].sort((a, b) => Number(a) - Number(b)),
      validation_note_ids: validation,
      excluded_patients: [...excluded].sort((a, b) => Number(a) - Number(b)),
      excluded_rule: 'lockbox patients of bench/splits/dev-splits.json: neither training nor validation',
      train_note_count: train.length,
      validation_note_count: validation.length,
    }, null, 1)}\n`);
    const v = new Values(o.seed);
    const lines: string[] = [];
    for (const n of train) {
      const k = n.spans.length ? o.copies : o.plainCopies;
      for (let c = 0; c < k; c++) lines.push(JSON.stringify(resurrogate(v, n, `${n.id}#${c}`)));
    }
    writeFileSync(o.out, `${lines.join('\n')}\n`);
    console.log(`split: ${train.length} train notes, ${validation.length} validation notes (${valPatients.size} patients), ${excluded.size} lockbox patients left out; wrote ${lines.length} re-surrogated notes`);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : 'generator failed');
  process.exit(1);
});
