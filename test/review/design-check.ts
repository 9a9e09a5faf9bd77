/**
 * Checks the review report's sampling design on our synthetic notes (corpora/synthetic, never
 * gold): redacts them with the rule detectors, lets a simulated reviewer judge from the notes'
 * own annotations, and asks how often the weighted 95% interval for residual PHI tokens per
 * 1,000 notes, from a 200-note sample, covers the census value over every note.
 *   npm run build && npx tsx test/review/design-check.ts [seeds=20]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Label } from '../../src/core/labels.js';
import { buildReport, type ReviewReport } from '../../src/review/reviewReport.js';
import { loadReviewSet, writeReviewSet } from '../../src/review/store.js';
import type { ReviewItem, Stratify, VerdictEvent, VerdictInput } from '../../src/review/types.js';
import { reduceVerdicts } from '../../src/review/verdicts.js';

interface Annotated {
  readonly text: string;
  readonly spans: readonly { readonly start: number; readonly end: number; readonly label: Label }[];
}

const root = resolve(import.meta.dirname, '../..');
const seeds = Number(process.argv[2] ?? 20);
const notes: Annotated[] = readFileSync(join(root, 'corpora/synthetic/heldout.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Annotated);
const work = mkdtempSync(join(tmpdir(), 'phi-review-design-'));
const byId = new Map<string, Annotated>();
mkdirSync(join(work, 'notes'));
notes.forEach((n, i) => {
  const id = `n${String(i).padStart(4, '0')}.txt`;
  byId.set(id, n);
  writeFileSync(join(work, 'notes', id), n.text);
});

/** Confirms spans that overlap an annotation (relabels on a label mismatch), rejects the rest, marks uncovered annotated text as misses. */
function simulatedReview(items: readonly ReviewItem[]): VerdictEvent[] {
  const events: VerdictEvent[] = [];
  const say = (v: VerdictInput): void => void events.push({ ...v, reviewer: 'sim', ts: String(events.length) } as VerdictEvent);
  for (const it of items) {
    const gold = byId.get(it.id)!;
    it.spans.forEach((s, k) => {
      const hit = gold.spans.find((g) => g.start < s.end && s.start < g.end);
      if (!hit) say({ kind: 'span', item: it.id, span: k, verdict: 'reject' });
      else if (hit.label !== s.label) say({ kind: 'span', item: it.id, span: k, verdict: 'relabel', label: hit.label });
      else say({ kind: 'span', item: it.id, span: k, verdict: 'confirm' });
    });
    let m = 0;
    for (const g of gold.spans) {
      let pos = g.start;
      const cover = it.spans.filter((s) => s.start < g.end && g.start < s.end);
      for (const s of [...cover, { start: g.end, end: g.end }]) {
        if (s.start > pos && /[\p{L}\p{N}]/u.test(it.text.slice(pos, s.start))) {
          say({ kind: 'miss', item: it.id, miss: `m${m++}`, start: pos, end: s.start, label: g.label });
        }
        pos = Math.max(pos, s.end);
      }
    }
    say({ kind: 'done', item: it.id });
  }
  return events;
}

async function reviewed(n: number, seed: number, stratify: Stratify): Promise<ReviewReport> {
  const dir = join(work, `set-${stratify}-${n}-${seed}`);
  await writeReviewSet({ run: join(work, 'run'), out: dir, n, seed, stratify });
  const set = await loadReviewSet(dir);
  const report = buildReport(set.info, set.items, reduceVerdicts(simulatedReview(set.items)));
  rmSync(dir, { recursive: true, force: true });
  return report;
}

try {
  execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), 'redact', join(work, 'notes'), '--out', join(work, 'run'), '--detectors', 'rules', '--workers', '1', '--quiet'], {
    stdio: 'inherit',
  });
  const census = await reviewed(notes.length, 1, 'none');
  const truth = census.residual.per1000!;
  console.log(`census, all ${notes.length} notes: ${truth.toFixed(0)} residual PHI tokens per 1,000 notes (rules only)`);
  for (const stratify of ['none', 'label', 'detector', 'length'] as const) {
    let covered = 0;
    const widths: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const ci = (await reviewed(200, seed, stratify)).residual.per1000Ci!;
      if (ci.low <= truth && truth <= ci.high) covered++;
      widths.push(ci.high - ci.low);
    }
    widths.sort((a, b) => a - b);
    console.log(`n=200, --stratify ${stratify}: the 95% interval covered the census value for ${covered} of ${seeds} seeds; median width ${widths[Math.floor(seeds / 2)]!.toFixed(0)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
