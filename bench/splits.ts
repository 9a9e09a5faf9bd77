import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectorKind } from '../src/core/detectorKinds.js';
import type { GoldDoc } from '../src/eval/index.js';

/**
 * The dev notes' patient-level split (bench/splits/dev-splits.json, made by bench/make-splits.ts):
 * five tuning folds and the lockbox, as gold notes. A note's patient is its id before the first '-'.
 */

interface Splits {
  readonly lockbox: { readonly patients: readonly string[] };
  readonly folds: readonly { readonly patients: readonly string[] }[];
}

export function devSplits(gold: readonly GoldDoc[]): { folds: GoldDoc[][]; lockbox: GoldDoc[] } {
  const splits = JSON.parse(readFileSync(join(import.meta.dirname, 'splits', 'dev-splits.json'), 'utf8')) as Splits;
  const patientOf = (id: string): string => id.split('-')[0]!;
  const inPatients = (ps: readonly string[]): GoldDoc[] => gold.filter((g) => ps.includes(patientOf(g.id)));
  return { folds: splits.folds.map((f) => inPatients(f.patients)), lockbox: inPatients(splits.lockbox.patients) };
}

/** The detector sets the split benches compare, by name. */
export const DETECTOR_SETS: Readonly<Record<string, readonly DetectorKind[]>> = {
  rules: ['rules'],
  'rules+dictionaries': ['rules', 'dictionaries'],
  'rules+ner': ['rules', 'ner'],
  default: ['rules', 'dictionaries', 'ner'],
};
