/**
 * Pure helpers for the side-by-side benchmark: false alarms per negative kind, medians, and the
 * markdown rendering of compare.json. Figures only: nothing here sees note text except
 * `falseAlarmsByKind`, which reads span offsets, never characters.
 */
import type { EvalDoc } from '../../src/eval/index.js';

export interface KindRate {
  readonly kind: string;
  readonly negatives: number;
  /** Negative sentences with at least one predicted span. */
  readonly flagged: number;
  readonly rate: number;
}

/** Per negative kind (and `all`), the share of negative sentences on which anything was predicted. */
export function falseAlarmsByKind(docs: readonly EvalDoc[], kinds: ReadonlyMap<string, string>): KindRate[] {
  const tally = new Map<string, { negatives: number; flagged: number }>();
  const bump = (k: string, flagged: boolean): void => {
    const t = tally.get(k) ?? { negatives: 0, flagged: 0 };
    t.negatives++;
    if (flagged) t.flagged++;
    tally.set(k, t);
  };
  for (const d of docs) {
    const kind = kinds.get(d.id);
    if (kind === undefined) continue;
    const flagged = d.pred.length > 0;
    bump('all', flagged);
    bump(kind, flagged);
  }
  const names = [...tally.keys()].filter((k) => k !== 'all').sort();
  return (tally.has('all') ? ['all', ...names] : names).map((kind) => {
    const t = tally.get(kind)!;
    return { kind, negatives: t.negatives, flagged: t.flagged, rate: t.negatives === 0 ? 0 : t.flagged / t.negatives };
  });
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// ---- markdown ----

/** One row's quality on one set, as run.ts scores it and compare.json stores it. */
export interface Quality {
  readonly tokenRecall: number;
  readonly tokenPrecision: number;
  readonly tokenF1: number;
  readonly entityPartialF1: number;
  readonly entityStrictF1: number;
  readonly goldTokens: number;
  readonly predTokens: number;
  readonly perLabelRecall: Readonly<Record<string, { readonly recall: number; readonly gold: number }>>;
  readonly falseAlarms?: readonly KindRate[];
}
interface NotScored {
  readonly status: string;
  readonly reason: string;
}
interface SpeedJson {
  readonly repsPerPass: number;
  readonly notesPerSecCpu: number;
  readonly notesPerSecWall: number;
  readonly passes: number;
  readonly loadMs: number;
  readonly peakRssMiB: number;
}
interface RowSetJson {
  readonly status: string;
  readonly reason?: string;
  readonly notes?: number;
  readonly deterministic?: boolean;
  readonly failedNotes?: number;
  readonly align?: Readonly<Record<string, number>>;
  readonly quality?: Readonly<Record<string, Quality | NotScored>>;
  readonly speed?: readonly (SpeedJson | undefined)[];
}
export interface CompareReport {
  readonly date: string;
  readonly command: string;
  readonly machine: { readonly cores: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string };
  readonly code?: { readonly commit: string; readonly uncommittedFiles: number };
  readonly rounds: number;
  readonly passesPerRow: number;
  readonly budgetSecondsPerRow: number;
  readonly minPassMs: number;
  readonly skipped: readonly string[];
  readonly reproducible: boolean;
  readonly reproducibilityProblems: readonly string[];
  readonly sets: readonly {
    readonly name: string;
    readonly title: string;
    readonly notes: number;
    readonly subsets: readonly { readonly name: string; readonly title: string; readonly notes: number }[];
  }[];
  readonly rows: readonly {
    readonly lib: string;
    readonly name: string;
    readonly pkg?: string;
    readonly version?: string;
    readonly config?: string;
    readonly sets: Readonly<Record<string, unknown>>;
  }[];
  readonly speedRatioVsRulesCpu: Readonly<Record<string, Readonly<Record<string, readonly (number | null)[]>>>>;
}

const f3 = (x: number): string => x.toFixed(3);
const LABEL_ORDER = ['NAME', 'DATE', 'AGE', 'LOCATION', 'ID', 'CONTACT', 'PROFESSION', 'ORGANIZATION', 'OTHER'];

function mdTable(header: readonly string[], rows: readonly (readonly string[])[], textColumns = 1): string {
  const align = header.map((_, i) => (i < textColumns ? '---' : '---:'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const isQuality = (q: Quality | NotScored | undefined): q is Quality => q !== undefined && 'tokenRecall' in q;

export function renderMarkdown(r: CompareReport): string {
  const out: string[] = [];
  out.push('# phi-redact against npm PII redaction libraries');
  out.push('');
  out.push(
    `Generated ${r.date.slice(0, 16).replace('T', ' ')} UTC by \`${r.command}\` on ${r.machine.cores} cores (${r.machine.cpuModel}), ` +
      `${r.machine.memoryGiB} GiB memory, Node ${r.machine.node}` +
      (r.code ? `, code at commit ${r.code.commit}${r.code.uncommittedFiles > 0 ? ` with ${r.code.uncommittedFiles} uncommitted files in src/, rules/ or models/` : ' (clean)'}` : '') +
      '. Figures only, no note text.',
  );
  out.push('');
  out.push(
    'Every row runs in its own child process over the same notes and is scored by the same scorer (src/eval): ' +
      'binary token recall/precision/F1 (a token is PHI or not, whatever the label), entity F1 with partial (any overlap) ' +
      'and strict (same start, end and label) matching, token recall per gold label. Libraries that return only redacted ' +
      'text have their spans recovered by aligning output with input (bench/compare/README.md). ' +
      (r.rounds > 1
        ? `The benchmark ran ${r.rounds} times in one invocation (the second round in reverse row order): predicted spans, and so every quality figure, are ` +
          `${r.reproducible ? 'identical across rounds' : `NOT identical across rounds (${r.reproducibilityProblems.join('; ')})`}.`
        : 'One round only: reproducibility not checked.'),
  );
  for (const s of r.skipped) out.push('', `Skipped: ${s}.`);
  out.push('', '## Rows', '');
  out.push(
    mdTable(
      ['row', 'package', 'configuration'],
      r.rows.map((row) => [row.name, row.pkg && row.version ? `${row.pkg}@${row.version}` : '-', row.config ?? statusOf(row, r) ?? '-']),
      3,
    ),
  );

  const scoredRows = r.rows.filter((row) => row.lib !== 'harness-only');
  for (const set of r.sets) {
    for (const sub of set.subsets) {
      out.push('', `## ${sub.title}`, '');
      const labels = new Set<string>();
      for (const row of r.rows) {
        const q = (row.sets[set.name] as RowSetJson | undefined)?.quality?.[sub.name];
        if (isQuality(q)) for (const l of Object.keys(q.perLabelRecall)) labels.add(l);
      }
      const labelCols = LABEL_ORDER.filter((l) => labels.has(l)).concat([...labels].filter((l) => !LABEL_ORDER.includes(l)).sort());
      const goldOf = (l: string): number => {
        for (const row of r.rows) {
          const q = (row.sets[set.name] as RowSetJson | undefined)?.quality?.[sub.name];
          if (isQuality(q) && q.perLabelRecall[l]) return q.perLabelRecall[l]!.gold;
        }
        return 0;
      };
      out.push(
        mdTable(
          ['row', 'token recall', 'token precision', 'token F1', 'entity partial F1', 'entity strict F1', ...labelCols.map((l) => `${l} recall (${goldOf(l)} tok)`)],
          scoredRows.map((row) => {
            const rs = row.sets[set.name] as RowSetJson | undefined;
            const q = rs?.quality?.[sub.name];
            if (!isQuality(q)) {
              const why = q && 'reason' in q ? q.reason : rs?.reason ?? rs?.status ?? 'not run';
              return [row.name, why, ...Array(4 + labelCols.length).fill('')];
            }
            return [
              row.name,
              f3(q.tokenRecall),
              f3(q.tokenPrecision),
              f3(q.tokenF1),
              f3(q.entityPartialF1),
              f3(q.entityStrictF1),
              ...labelCols.map((l) => (q.perLabelRecall[l] ? f3(q.perLabelRecall[l]!.recall) : '-')),
            ];
          }),
        ),
      );
      const anyFa = r.rows.some((row) => {
        const q = (row.sets[set.name] as RowSetJson | undefined)?.quality?.[sub.name];
        return isQuality(q) && q.falseAlarms !== undefined;
      });
      if (anyFa) {
        let kinds: KindRate[] = [];
        for (const row of r.rows) {
          const q = (row.sets[set.name] as RowSetJson | undefined)?.quality?.[sub.name];
          if (isQuality(q) && q.falseAlarms) kinds = [...q.falseAlarms];
        }
        out.push('', 'False alarms on the negatives: negative sentences with any predicted span / negatives of that kind.', '');
        out.push(
          mdTable(
            ['row', ...kinds.map((k) => `${k.kind} (${k.negatives})`)],
            scoredRows.map((row) => {
              const rs = row.sets[set.name] as RowSetJson | undefined;
              const q = rs?.quality?.[sub.name];
              if (!isQuality(q) || !q.falseAlarms) return [row.name, rs?.reason ?? 'not run', ...kinds.slice(1).map(() => '')];
              return [row.name, ...q.falseAlarms.map((k) => `${k.flagged} (${(100 * k.rate).toFixed(0)}%)`)];
            }),
          ),
        );
      }
    }
  }

  out.push('', '## Speed and memory', '');
  out.push(
    'notes/s is the median over the timed passes of one process, by the process\'s CPU time ' +
      '(user + system; the machine is shared, so CPU time is the steadier figure) and by wall clock. ' +
      'The ratio is the row\'s CPU notes/s divided by phi-redact (rules) CPU notes/s in the same round; one column per round. ' +
      'Peak RSS is process.resourceUsage().maxRSS after the timed passes (Node and the harness included: see the harness-only row). ' +
      'Load is the one-off library or model load, not in notes/s. Before the timed passes one untimed pass over the set ' +
      'gives the predictions that are scored (and warms up the JIT); each timed pass repeats the set until it lasts ' +
      `${r.minPassMs} ms (reps), so that fast libraries on small sets are not timed at clock resolution; at most ` +
      `${r.passesPerRow} timed passes, fewer once a row's passes took ${r.budgetSecondsPerRow} s.`,
  );
  for (const set of r.sets) {
    out.push('', `### ${set.title} (${set.notes} notes)`, '');
    const ratioCols = Array.from({ length: r.rounds }, (_, k) => `× rules, round ${k + 1}`);
    out.push(
      mdTable(
        ['row', 'notes/s (CPU)', ...ratioCols, 'notes/s (wall)', 'peak RSS MiB', 'load ms', 'passes × reps'],
        r.rows.map((row) => {
          const rs = row.sets[set.name] as RowSetJson | undefined;
          const sp = rs?.speed?.[0];
          if (rs?.status !== 'ok' || !sp) return [row.name, rs?.reason ?? rs?.status ?? 'not run', ...ratioCols.map(() => ''), '', '', '', ''];
          const ratios = r.speedRatioVsRulesCpu[set.name]?.[row.lib] ?? [];
          return [
            row.name,
            sp.notesPerSecCpu.toFixed(0),
            ...ratioCols.map((_, k) => (ratios[k] == null || row.lib === 'harness-only' ? '-' : ratios[k]!.toFixed(2))),
            sp.notesPerSecWall.toFixed(0),
            sp.peakRssMiB.toFixed(0),
            sp.loadMs.toFixed(0),
            `${sp.passes} × ${sp.repsPerPass}`,
          ];
        }),
      ),
    );
  }

  out.push('', '## Span recovery and determinism', '');
  out.push(
    'Notes per recovery method for text-only libraries (identical: output equals input, nothing predicted; anchors: the ' +
      'anchor walk; diff: the Myers-diff fallback; prefix-suffix: last resort), output characters the diff could not place, ' +
      'notes on which the library threw, and whether every pass and round gave the same output.',
  );
  for (const set of r.sets) {
    out.push('', `### ${set.title}`, '');
    out.push(
      mdTable(
        ['row', 'identical', 'anchors', 'diff', 'prefix-suffix', 'unplaced chars', 'failed notes', 'deterministic'],
        r.rows.map((row) => {
          const rs = row.sets[set.name] as RowSetJson | undefined;
          if (rs?.status !== 'ok') return [row.name, rs?.reason ?? 'not run', '', '', '', '', '', ''];
          const a = rs.align ?? {};
          const textOnly = (a.identical ?? 0) + (a.anchors ?? 0) + (a.diff ?? 0) + (a['prefix-suffix'] ?? 0) > 0;
          const cell = (k: string): string => (textOnly ? String(a[k] ?? 0) : 'spans API');
          return [row.name, cell('identical'), cell('anchors'), cell('diff'), cell('prefix-suffix'), cell('inserted'), String(rs.failedNotes ?? 0), rs.deterministic ? 'yes' : 'NO'];
        }),
      ),
    );
  }
  out.push('');
  return out.join('\n');
}

function statusOf(row: CompareReport['rows'][number], r: CompareReport): string | undefined {
  for (const set of r.sets) {
    const rs = row.sets[set.name] as RowSetJson | undefined;
    if (rs?.reason) return rs.reason;
  }
  return undefined;
}

/** The short table for the project README: headline quality on each set, false alarms, speed and memory. */
export function renderSummary(r: CompareReport): string {
  const gold = r.sets.find((s) => s.name === 'physionet-dev');
  const goldSub = gold?.subsets[0];
  const structured = r.sets.find((s) => s.name === 'structured-pii');
  const speedSet = gold ?? structured;
  const header = [
    'row',
    ...(gold && goldSub ? [`dev gold, ${goldSub.notes} held-out notes: token R / P / F1`] : []),
    ...(structured ? ['structured-PII set: token R / P / F1', `negatives flagged (of ${negativesOf(r, structured.name)})`] : []),
    ...(speedSet ? [`notes/s (CPU), × rules per round`, 'peak RSS MiB'] : []),
  ];
  const rows = r.rows
    .filter((row) => row.lib !== 'harness-only')
    .map((row) => {
      const cells = [row.name];
      const rs = (name: string): RowSetJson | undefined => row.sets[name] as RowSetJson | undefined;
      const prf = (setName: string, sub: string): string => {
        const q = rs(setName)?.quality?.[sub];
        if (!isQuality(q)) return rs(setName)?.reason ?? (q && 'reason' in q ? q.reason : 'not run');
        return `${f3(q.tokenRecall)} / ${f3(q.tokenPrecision)} / ${f3(q.tokenF1)}`;
      };
      if (gold && goldSub) cells.push(prf(gold.name, goldSub.name));
      if (structured) {
        cells.push(prf(structured.name, 'all'));
        const q = rs(structured.name)?.quality?.all;
        const all = isQuality(q) ? q.falseAlarms?.find((k) => k.kind === 'all') : undefined;
        cells.push(all ? String(all.flagged) : '');
      }
      if (speedSet) {
        const x = rs(speedSet.name);
        const sp = x?.speed?.[0];
        const ratios = r.speedRatioVsRulesCpu[speedSet.name]?.[row.lib] ?? [];
        cells.push(sp ? `${sp.notesPerSecCpu.toFixed(0)} (${ratios.map((v) => (v == null ? '-' : v.toFixed(2))).join(' / ')})` : '');
        cells.push(sp ? sp.peakRssMiB.toFixed(0) : '');
      }
      return cells;
    });
  return `${mdTable(header, rows)}\n`;
}

function negativesOf(r: CompareReport, setName: string): number {
  for (const row of r.rows) {
    const q = (row.sets[setName] as RowSetJson | undefined)?.quality?.all;
    const all = isQuality(q) ? q.falseAlarms?.find((k) => k.kind === 'all') : undefined;
    if (all) return all.negatives;
  }
  return 0;
}
