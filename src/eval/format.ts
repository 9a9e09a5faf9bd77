import type { DetectorRow, ErrorKind, EvalResult, Scored } from './types.js';

/**
 * Human and machine renderings of an EvalResult. Neither contains note text: only counts,
 * labels and detector ids, so both may go to stdout and CI logs.
 */

const num = (x: number): string => x.toFixed(3);

/** Precision with no predictions, or recall with no gold, is shown as "-" (the JSON keeps the defined value 1). */
const ratio = (x: number, denominator: number): string => (denominator === 0 ? '-' : num(x));
const f1Of = (s: Scored): string => (s.gold === 0 && s.pred === 0 ? '-' : num(s.f1));

function table(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function tokenRow(label: string, s: Scored): string[] {
  return [label, String(s.gold), String(s.goldHit), String(s.gold - s.goldHit), String(s.pred), String(s.pred - s.predHit), ratio(s.precision, s.pred), ratio(s.recall, s.gold), f1Of(s)];
}

/** Gold subtypes: recall only (predictions do not use the gold corpus's subtypes). */
function subtypeRow(label: string, s: Scored): string[] {
  return [`  ${label.slice(label.indexOf('/') + 1)}`, String(s.gold), String(s.goldHit), String(s.gold - s.goldHit), '', '', '', ratio(s.recall, s.gold), ''];
}

function entityRow(name: string, s: Scored): string[] {
  return [name, String(s.gold), String(s.goldHit), String(s.pred), String(s.predHit), ratio(s.precision, s.pred), ratio(s.recall, s.gold), f1Of(s)];
}

function detectorRow(r: DetectorRow, goldTokens: number, indent: string): string[] {
  return [indent + r.detector, String(r.predTokens), String(r.caught), String(r.unique), String(r.falseAlarms), ratio(goldTokens === 0 ? 0 : r.caught / goldTokens, goldTokens)];
}

export function errorCounts(result: EvalResult): Record<ErrorKind, number> {
  const counts: Record<ErrorKind, number> = { miss: 0, 'partial-miss': 0, 'false-alarm': 0, 'wrong-label': 0, overreach: 0 };
  for (const e of result.errors) counts[e.kind]++;
  return counts;
}

/** `preamble` lines (what was evaluated, e.g. which predictions) go first; they must be PHI-free. */
export function formatText(result: EvalResult, preamble: readonly string[] = []): string {
  const t = result.token;
  const e = result.entity;
  const a = result.attribution;
  const out: string[] = [...preamble];
  out.push(`Evaluated ${result.docs} notes: ${result.goldSpans} gold spans, ${result.predSpans} predicted spans.`);
  out.push('');
  out.push('Binary token level (was the PHI removed? a token is a run of letters/digits; labels ignored when matching;');
  out.push('indented rows: gold subtypes, recall only)');
  out.push(
    table(
      ['label', 'gold', 'caught', 'missed', 'pred', 'false+', 'precision', 'recall', 'f1'],
      [
        tokenRow('ALL', t.overall),
        ...t.perLabel.flatMap((r) => [
          tokenRow(r.label, r.score),
          ...t.perGoldSubtype.filter((x) => x.label.startsWith(`${r.label}/`)).map((x) => subtypeRow(x.label, x.score)),
        ]),
      ],
    ),
  );
  out.push('');
  out.push('Entity level');
  out.push(
    table(
      ['match', 'gold', 'found', 'pred', 'correct', 'precision', 'recall', 'f1'],
      [entityRow('strict (span+label)', e.strict), entityRow('exact (span only)', e.exact), entityRow('partial (overlap)', e.partial)],
    ),
  );
  out.push('');
  out.push('Entity level per label (gold counted by gold label, predictions by predicted label)');
  out.push(
    table(
      ['label', 'gold', 'pred', 'strict P', 'strict R', 'strict F1', 'partial P', 'partial R', 'partial F1'],
      e.perLabel.map((r) => [
        r.label,
        String(r.score.strict.gold),
        String(r.score.strict.pred),
        ratio(r.score.strict.precision, r.score.strict.pred),
        ratio(r.score.strict.recall, r.score.strict.gold),
        f1Of(r.score.strict),
        ratio(r.score.partial.precision, r.score.partial.pred),
        ratio(r.score.partial.recall, r.score.partial.gold),
        f1Of(r.score.partial),
      ]),
    ),
  );
  out.push('');
  const basis = a.basis === 'raw' ? 'each detector\'s raw spans before merging' : 'merged spans, credited to every contributing detector';
  out.push(`Detectors (basis: ${basis}; ${a.goldTokens} gold tokens; unique = caught by no other detector at the same level)`);
  out.push(
    table(
      ['detector', 'tokens', 'caught', 'unique', 'false+', 'recall'],
      [...a.families.map((r) => detectorRow(r, a.goldTokens, '')), ...a.detectors.map((r) => detectorRow(r, a.goldTokens, '  '))],
    ),
  );
  out.push('');
  const c = errorCounts(result);
  out.push(
    `Errors: ${c.miss} missed, ${c['partial-miss']} partly missed, ${c['false-alarm']} false alarms, ${c['wrong-label']} wrong label, ${c.overreach} overreaching (use --report FILE.md for the list).`,
  );
  return `${out.join('\n')}\n`;
}

/** The result without the error list (offsets only, but long), plus error counts. */
export function toJson(result: EvalResult): unknown {
  const { errors: _errors, ...rest } = result;
  return { ...rest, errorCounts: errorCounts(result) };
}
