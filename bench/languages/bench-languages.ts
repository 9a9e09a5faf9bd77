/**
 * What the English-built detectors do with Spanish and German notes (README "Languages").
 *   npx tsx bench/languages/bench-languages.ts [--detectors rules,dictionaries,ner]
 * Prints, per language, token recall on the invented PHI and over-redaction (share of non-PHI
 * tokens redacted); the six invented English notes of corpora/sample are measured alongside.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectorKind } from '../../src/core/detectorKinds.js';
import { loadPipeline } from '../../src/node/createPipeline.js';
import { measure } from './measure.js';
import { LANGUAGE_NOTES, type MarkedNote } from './notes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const arg = process.argv.indexOf('--detectors');
const detectors = (arg > 0 ? process.argv[arg + 1]!.split(',') : ['rules', 'dictionaries', 'ner']) as DetectorKind[];

const english: MarkedNote[] = readFileSync(join(ROOT, 'corpora', 'sample', 'gold.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as MarkedNote);

const pipeline = await loadPipeline({ detectors, config: { consistency: { run: false } } });
const sets: [string, readonly MarkedNote[]][] = [
  ['es', LANGUAGE_NOTES.es],
  ['de', LANGUAGE_NOTES.de],
  ['en (corpora/sample)', english],
];
console.log(`detectors ${detectors.join(',')}`);
console.log('language              notes  PHI tokens  recall   non-PHI tokens  over-redaction');
for (const [name, notes] of sets) {
  const detected = [];
  for (const note of notes) detected.push({ note, detected: (await pipeline.analyze(note.text)).spans });
  const f = measure(detected);
  console.log(
    `${name.padEnd(20)} ${String(f.notes).padStart(6)} ${String(f.phiTokens).padStart(11)}  ${f.recall.toFixed(3)}  ${String(f.otherTokens).padStart(15)}  ${(100 * f.overRedaction).toFixed(1)}% (${f.otherRedacted})`,
  );
}
