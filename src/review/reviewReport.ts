import { LABELS, type Label } from '../core/labels.js';
import { tokenize } from '../eval/tokens.js';
import { cohensKappa, proportion, stratifiedMean, type Interval, type Kappa, type Proportion, type StratifiedMean } from './stats.js';
import type { ReviewItem, SetInfo } from './types.js';
import { combineReviews, type Disagreement, type ReviewedNote, type VerdictState } from './verdicts.js';

export interface ResidualEstimate extends StratifiedMean {
  /** Estimated residual PHI tokens per 1,000 run notes, and its 95% interval. */
  readonly per1000: number | null;
  readonly per1000Ci: Interval | null;
}

export interface LabelRow {
  readonly label: Label;
  /** Spans detected with this label that reviewers confirmed as PHI (any final label). */
  readonly confirmed: number;
  /** Of those, how many reviewers moved to another label. */
  readonly relabelled: number;
  readonly rejected: number;
  /** PHI spans whose final label is this one: caught by a detector / missed. */
  readonly caught: number;
  readonly missed: number;
  readonly precision: Proportion;
  readonly recall: Proportion;
  readonly residual: ResidualEstimate;
}

export interface Agreement {
  readonly reviewers: readonly [string, string];
  /** Categories: "phi" (confirm or relabel) vs "false-alarm" (reject), over spans both judged. */
  readonly spans: Kappa;
}

/** A disagreement and the note it is in (the note's id: its path in the run, as the set lists it). */
export type NoteDisagreement = Disagreement & { readonly item: string };

export interface ReviewReport {
  readonly set: {
    readonly population: number;
    readonly failed: number;
    readonly sampled: number;
    readonly reviewedNotes: number;
    readonly stratify: string;
    readonly seed: number;
  };
  readonly reviewers: readonly string[];
  readonly adjudicators: readonly string[];
  readonly counts: {
    readonly confirmed: number;
    readonly relabelled: number;
    readonly rejected: number;
    readonly unjudged: number;
    readonly missed: number;
    readonly residualTokens: number;
  };
  /** (confirmed + relabelled) / (confirmed + relabelled + rejected), over judged spans. */
  readonly precision: Proportion;
  /** caught / (caught + missed): caught = spans confirmed or relabelled, missed = reviewer-marked misses. */
  readonly recall: Proportion;
  /** Reviewed notes with at least one residual PHI token (unweighted). */
  readonly notesWithResidual: Proportion;
  readonly residual: ResidualEstimate;
  readonly perLabel: readonly LabelRow[];
  readonly agreement: readonly Agreement[];
  /** Where the reviewers who finished a note differ, for adjudication; `resolved` once an adjudicator decided. */
  readonly disagreements: readonly NoteDisagreement[];
}

/**
 * Residual PHI tokens of a reviewed note, per label: tokens of a missed stretch that still
 * show in the output, i.e. that have a character no detected span covered.
 */
export function residualTokens(note: ReviewedNote): Map<Label, number> {
  const { text, spans } = note.item;
  const covered = new Uint8Array(text.length);
  for (const s of spans) covered.fill(1, s.start, s.end);
  const out = new Map<Label, number>();
  // Tokens as eval counts them (runs of letters, marks and digits), so the two figures compare.
  const tokens = tokenize(text);
  for (const m of note.misses) {
    for (const t of tokens) {
      const from = Math.max(t.start, m.start);
      const to = Math.min(t.end, m.end);
      if (from >= to) continue;
      if (covered.subarray(from, to).includes(0)) out.set(m.label, (out.get(m.label) ?? 0) + 1);
    }
  }
  return out;
}

function residualEstimate(info: SetInfo, notes: readonly ReviewedNote[], value: (n: ReviewedNote) => number): ResidualEstimate {
  const est = stratifiedMean(
    info.strata.map((s) => ({
      key: s.key,
      population: s.population,
      values: notes.filter((n) => n.item.stratum === s.key).map(value),
    })),
  );
  return {
    ...est,
    per1000: est.mean === null ? null : est.mean * 1000,
    per1000Ci: est.ci === null ? null : { low: est.ci.low * 1000, high: est.ci.high * 1000 },
  };
}

export function buildReport(info: SetInfo, items: readonly ReviewItem[], state: VerdictState): ReviewReport {
  const notes = combineReviews(items, state);
  const residualByNote = new Map(notes.map((n) => [n, residualTokens(n)] as const));
  const sum = (m: Map<Label, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const judged = notes.flatMap((n) => n.spans);
  const misses = notes.flatMap((n) => n.misses);
  const confirmed = judged.filter((s) => s.outcome === 'phi').length;
  const relabelled = judged.filter((s) => s.relabelled).length;
  const rejected = judged.filter((s) => s.outcome === 'false-alarm').length;

  const perLabel: LabelRow[] = [];
  for (const label of LABELS) {
    const detected = judged.filter((s) => s.detected === label);
    const conf = detected.filter((s) => s.outcome === 'phi').length;
    const rej = detected.filter((s) => s.outcome === 'false-alarm').length;
    const caught = judged.filter((s) => s.outcome === 'phi' && s.label === label).length;
    const missed = misses.filter((m) => m.label === label).length;
    if (detected.length + caught + missed === 0) continue;
    perLabel.push({
      label,
      confirmed: conf,
      relabelled: detected.filter((s) => s.relabelled).length,
      rejected: rej,
      caught,
      missed,
      precision: proportion(conf, conf + rej),
      recall: proportion(caught, caught + missed),
      residual: residualEstimate(info, notes, (n) => residualByNote.get(n)!.get(label) ?? 0),
    });
  }

  const reviewers = [...state.reviews.keys()].sort();
  const agreement: Agreement[] = [];
  for (let i = 0; i < reviewers.length; i++) {
    for (let j = i + 1; j < reviewers.length; j++) {
      const a = state.reviews.get(reviewers[i]!)!;
      const b = state.reviews.get(reviewers[j]!)!;
      const pairs: [string, string][] = [];
      for (const item of items) {
        const sa = a.get(item.id);
        const sb = b.get(item.id);
        if (!sa || !sb) continue;
        item.spans.forEach((_, k) => {
          const va = sa.spans[k];
          const vb = sb.spans[k];
          if (va && vb) pairs.push([category(va.verdict), category(vb.verdict)]);
        });
      }
      if (pairs.length > 0) agreement.push({ reviewers: [reviewers[i]!, reviewers[j]!], spans: cohensKappa(pairs) });
    }
  }

  const residualTotal = notes.reduce((a, n) => a + sum(residualByNote.get(n)!), 0);
  return {
    set: {
      population: info.population,
      failed: info.failed,
      sampled: items.length,
      reviewedNotes: notes.length,
      stratify: info.stratify,
      seed: info.seed,
    },
    reviewers,
    adjudicators: [...state.adjudications.keys()].sort(),
    counts: { confirmed, relabelled, rejected, unjudged: judged.length - confirmed - rejected, missed: misses.length, residualTokens: residualTotal },
    precision: proportion(confirmed, confirmed + rejected),
    recall: proportion(confirmed, confirmed + misses.length),
    notesWithResidual: proportion(
      notes.filter((n) => sum(residualByNote.get(n)!) > 0).length,
      notes.length,
    ),
    residual: residualEstimate(info, notes, (n) => sum(residualByNote.get(n)!)),
    perLabel,
    agreement,
    disagreements: notes.flatMap((n) => n.disagreements.map((d) => ({ item: n.item.id, ...d }))),
  };
}

function category(verdict: 'confirm' | 'reject' | 'relabel'): string {
  return verdict === 'reject' ? 'false-alarm' : 'phi';
}

const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const ci = (p: Proportion): string => (p.ci ? `[${pct(p.ci.low)}, ${pct(p.ci.high)}]` : '');
const num = (v: number | null, digits = 1): string => (v === null ? 'n/a' : v.toFixed(digits));
const range = (i: Interval | null, digits = 1): string => (i ? `[${i.low.toFixed(digits)}, ${i.high.toFixed(digits)}]` : '');

function propLine(p: Proportion): string {
  return `${pct(p.value)} ${ci(p)} (${p.successes}/${p.trials})`;
}

/** Plain-text report: counts and estimates only (no note text, no comments). */
export function formatReportText(r: ReviewReport): string {
  const lines = [
    `Review of ${r.set.reviewedNotes} of ${r.set.sampled} sampled notes (run: ${r.set.population} notes, ${r.set.failed} failed; stratify ${r.set.stratify}, seed ${r.set.seed})`,
    `Reviewers: ${r.reviewers.join(', ') || '(none)'}`,
    `Spans: ${r.counts.confirmed} confirmed PHI (${r.counts.relabelled} relabelled), ${r.counts.rejected} false alarms, ${r.counts.unjudged} unjudged; ${r.counts.missed} missed (${r.counts.residualTokens} residual tokens)`,
    `Precision ${propLine(r.precision)}   95% Wilson interval`,
    `Recall    ${propLine(r.recall)}`,
    `Notes with residual PHI: ${propLine(r.notesWithResidual)}`,
    `Residual PHI tokens per 1,000 notes (weighted): ${num(r.residual.per1000)} ${range(r.residual.per1000Ci)} (coverage ${pct(r.residual.coverage)} of the run${r.residual.singletonStrata > 0 ? `; ${r.residual.singletonStrata} strata with one reviewed note` : ''})`,
    '',
    'label         confirmed rejected precision            caught missed recall               residual/1000',
  ];
  for (const row of r.perLabel) {
    lines.push(
      [
        row.label.padEnd(13),
        String(row.confirmed).padStart(9),
        String(row.rejected).padStart(8),
        `${pct(row.precision.value)} ${ci(row.precision)}`.padEnd(21).padStart(22),
        String(row.caught).padStart(6),
        String(row.missed).padStart(6),
        `${pct(row.recall.value)} ${ci(row.recall)}`.padEnd(21).padStart(22),
        `${num(row.residual.per1000)} ${range(row.residual.per1000Ci)}`,
      ].join(' '),
    );
  }
  for (const a of r.agreement) {
    lines.push('', `Agreement ${a.reviewers[0]} vs ${a.reviewers[1]} on ${a.spans.n} spans: kappa ${num(a.spans.kappa, 3)} (observed ${pct(a.spans.observed)}, chance ${pct(a.spans.expected)})`);
  }
  if (r.disagreements.length > 0) {
    const open = r.disagreements.filter((d) => !d.resolved).length;
    lines.push('', `Disagreements: ${r.disagreements.length} (${open} open, decided by the rule until adjudicated: PHI wins; ${r.disagreements.length - open} adjudicated${r.adjudicators.length > 0 ? ` by ${r.adjudicators.join(', ')}` : ''})`);
    for (const d of r.disagreements) lines.push(`  ${describeDisagreement(d)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line per disagreement: note id, offsets, labels and who said what (never note text). */
export function describeDisagreement(d: NoteDisagreement): string {
  const state = d.resolved ? 'adjudicated' : 'open';
  if (d.kind === 'span') {
    return `${d.item} span ${d.span + 1} [${d.start}, ${d.end}) ${d.detected}: ${d.verdicts.map((v) => `${v.reviewer} ${v.verdict}`).join(', ')} (${state})`;
  }
  const marked = d.markedBy.map((m) => `${m.reviewer} ${m.label}`).join(', ');
  return `${d.item} miss [${d.start}, ${d.end}) ${d.label}: marked by ${marked}${d.notBy.length > 0 ? `; not by ${d.notBy.join(', ')}` : ''} (${state})`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A printable, self-contained HTML report. Every interpolated value is escaped. */
export function formatReportHtml(r: ReviewReport): string {
  const e = escapeHtml;
  const row = (cells: readonly string[], tag = 'td'): string => `<tr>${cells.map((c) => `<${tag}>${e(c)}</${tag}>`).join('')}</tr>`;
  const labelRows = r.perLabel
    .map((l) =>
      row([
        l.label,
        String(l.confirmed),
        String(l.relabelled),
        String(l.rejected),
        `${pct(l.precision.value)} ${ci(l.precision)}`,
        String(l.caught),
        String(l.missed),
        `${pct(l.recall.value)} ${ci(l.recall)}`,
        `${num(l.residual.per1000)} ${range(l.residual.per1000Ci)}`,
      ]),
    )
    .join('\n');
  const agreement = r.agreement
    .map((a) => `<p>${e(`Cohen's kappa, ${a.reviewers[0]} vs ${a.reviewers[1]} on ${a.spans.n} spans: ${num(a.spans.kappa, 3)} (observed ${pct(a.spans.observed)}, chance ${pct(a.spans.expected)})`)}</p>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>phi-redact review report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.25em .5em;text-align:right;white-space:nowrap}
td:first-child,th:first-child{text-align:left}.big{font-size:1.2em}
@media print{body{margin:0}}
</style></head><body>
<h1>phi-redact review report</h1>
<p>${e(`${r.set.reviewedNotes} of ${r.set.sampled} sampled notes reviewed; the run has ${r.set.population} notes (${r.set.failed} failed). Sample stratified by ${r.set.stratify}, seed ${r.set.seed}. Reviewers: ${r.reviewers.join(', ') || '(none)'}.`)}</p>
<table>
${row(['measure', 'value', '95% interval', 'counts'], 'th')}
${row(['Precision', pct(r.precision.value), ci(r.precision), `${r.precision.successes}/${r.precision.trials}`])}
${row(['Recall', pct(r.recall.value), ci(r.recall), `${r.recall.successes}/${r.recall.trials}`])}
${row(['Notes with residual PHI', pct(r.notesWithResidual.value), ci(r.notesWithResidual), `${r.notesWithResidual.successes}/${r.notesWithResidual.trials}`])}
${row(['Residual PHI tokens per 1,000 notes (weighted)', num(r.residual.per1000), range(r.residual.per1000Ci), `coverage ${pct(r.residual.coverage)}`])}
</table>
<p>${e(`Spans: ${r.counts.confirmed} confirmed PHI (${r.counts.relabelled} relabelled), ${r.counts.rejected} false alarms, ${r.counts.unjudged} unjudged; ${r.counts.missed} misses (${r.counts.residualTokens} residual tokens).`)}</p>
<h2>Per label</h2>
<table>
${row(['label', 'confirmed', 'relabelled', 'rejected', 'precision', 'caught', 'missed', 'recall', 'residual / 1,000 notes'], 'th')}
${labelRows}
</table>
${agreement}
${r.disagreements.length > 0 ? `<h2>Disagreements</h2>\n<ul>\n${r.disagreements.map((d) => `<li>${e(describeDisagreement(d))}</li>`).join('\n')}\n</ul>` : ''}
<p>Precision and recall count spans; intervals are 95% Wilson score intervals. The residual estimate is stratified by the sampling design (stratum weight N<sub>h</sub>/N), with a normal 95% interval (a stratum with no variation adds the rule-of-three bound 3/n<sub>h</sub> to the upper limit); only notes a reviewer marked done count.</p>
</body></html>
`;
}
