/**
 * Compares two compare.json files from separate invocations of bench/compare/run.ts: every quality
 * figure must be identical (exit 1 otherwise), and the speed ratios against phi-redact (rules)
 * are printed side by side.
 *
 *   cp bench/results/compare.json /tmp/first.json && npx tsx bench/compare/run.ts
 *   npx tsx bench/compare/same-quality.ts /tmp/first.json bench/results/compare.json
 */
import { readFileSync } from 'node:fs';
import type { CompareReport } from './report.js';

const [pathA, pathB] = process.argv.slice(2);
if (!pathA || !pathB) {
  console.error('usage: same-quality.ts <first compare.json> <second compare.json>');
  process.exit(2);
}
const a = JSON.parse(readFileSync(pathA, 'utf8')) as CompareReport;
const b = JSON.parse(readFileSync(pathB, 'utf8')) as CompareReport;

const quality = (r: CompareReport): Map<string, string> => {
  const m = new Map<string, string>();
  for (const row of r.rows)
    for (const [set, v] of Object.entries(row.sets)) {
      const q = (v as { quality?: unknown; status?: string }).quality;
      m.set(`${row.lib} / ${set}`, JSON.stringify(q ?? (v as { status?: string }).status));
    }
  return m;
};
const qa = quality(a);
const qb = quality(b);
const differ = [...new Set([...qa.keys(), ...qb.keys()])].filter((k) => qa.get(k) !== qb.get(k));
console.log(`${a.date} vs ${b.date}: quality ${differ.length === 0 ? 'identical' : `DIFFERS for ${differ.join(', ')}`}`);
console.log('\nCPU notes/s ratio to phi-redact (rules), per round: first invocation | second invocation');
for (const [set, rows] of Object.entries(b.speedRatioVsRulesCpu)) {
  for (const [lib, ratiosB] of Object.entries(rows)) {
    const ratiosA = a.speedRatioVsRulesCpu[set]?.[lib] ?? [];
    const fmt = (xs: readonly (number | null)[]): string => xs.map((x) => (x == null ? '-' : x.toFixed(2))).join(' / ');
    if (lib !== 'harness-only') console.log(`  ${set.padEnd(15)} ${lib.padEnd(18)} ${fmt(ratiosA).padEnd(14)} | ${fmt(ratiosB)}`);
  }
}
process.exit(differ.length === 0 ? 0 : 1);
