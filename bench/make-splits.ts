/**
 * The dev gold's patient-level splits for honest measurement (issue: measure on notes nobody
 * tuned on). Writes bench/splits/dev-splits.json with patient ids only (never note text):
 *
 *   lockbox   20 % of the dev patients, drawn (seed below) from those outside the validation
 *             split the models up to v12 held out (the first 20 % of patients at the generator's
 *             split seed, 20261123; models/phi-ner/split.json held exactly these until v14 trained
 *             on most of them). Never trained on, never read note by note, scored only as a
 *             whole, once per change meant to be kept.
 *   folds     the other patients (the validation split's included) in 5 folds for tuning by
 *             patient-level cross-validation.
 *
 * Chosen once; rerunning with the same seed and gold gives the same file (`--check` verifies it).
 *
 *   npx tsx bench/make-splits.ts [--gold ../shared/gold/physionet-deid-dev.jsonl] [--check]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { faker } from '@faker-js/faker';
import { SPLIT_SEED, splitPatients, VALIDATION_FRACTION } from '../corpora/generator/resurrogate.js';
import { options } from './args.js';

const REPO = join(import.meta.dirname, '..');
const OUT = join(REPO, 'bench', 'splits', 'dev-splits.json');
const SEED = 20261206;
const LOCKBOX_SHARE = 0.2;
const FOLDS = 5;

const { gold, check } = options({ gold: join(REPO, '..', 'shared', 'gold', 'physionet-deid-dev.jsonl'), check: false });
if (!existsSync(gold)) {
  console.log(`make-splits: ${gold} is absent; nothing to do (the gold notes live outside the repo)`);
  process.exit(0);
}
const patientOf = (id: string): string => id.split('-')[0]!;
const ids = readFileSync(gold, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => (JSON.parse(l) as { id: string }).id);
const patients = [...new Set(ids.map(patientOf))].sort((a, b) => Number(a) - Number(b));
// The validation split of the models up to v12 (resurrogate's defaults), recomputed, not read:
// the shipped model's split.json now names only the few patients it still holds out.
const validation = splitPatients(ids, SPLIT_SEED, VALIDATION_FRACTION);

faker.seed(SEED);
const outside = faker.helpers.shuffle(patients.filter((p) => !validation.has(p)));
const lockboxCount = Math.round(LOCKBOX_SHARE * patients.length);
const lockbox = outside.slice(0, lockboxCount).sort((a, b) => Number(a) - Number(b));
const tuning = faker.helpers.shuffle(patients.filter((p) => !lockbox.includes(p)));
const folds = Array.from({ length: FOLDS }, (_, k) => tuning.filter((_, i) => i % FOLDS === k).sort((a, b) => Number(a) - Number(b)));
const notesOf = (ps: readonly string[]): number => ids.filter((id) => ps.includes(patientOf(id))).length;

const splits = {
  rule:
    "patients = distinct id prefixes before '-'; lockbox = the first 20 % of all dev patients (rounded) from a @faker-js/faker helpers.shuffle (seed 20261206) of those outside models/phi-ner/split.json's validation patients; folds = a second shuffle of the rest, patient i to fold i mod 5",
  source: 'physionet-deid-dev.jsonl',
  seed: SEED,
  patients: patients.length,
  lockbox: { patients: lockbox, notes: notesOf(lockbox) },
  folds: folds.map((ps) => ({ patients: ps, notes: notesOf(ps) })),
};
const text = `${JSON.stringify(splits, null, 1)}\n`;
if (check) {
  const same = existsSync(OUT) && readFileSync(OUT, 'utf8') === text;
  console.log(same ? 'make-splits: bench/splits/dev-splits.json is up to date' : 'make-splits: bench/splits/dev-splits.json differs from what the seed gives');
  process.exit(same ? 0 : 1);
}
writeFileSync(OUT, text);
console.log(`make-splits: ${patients.length} patients; lockbox ${lockbox.length} patients (${splits.lockbox.notes} notes); folds ${splits.folds.map((f) => f.patients.length).join('/')} patients`);
