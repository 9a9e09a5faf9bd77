import { describe, expect, it } from 'vitest';
import { exportGold } from '../../src/review/exportGold.js';
import { buildReport, formatReportHtml, formatReportText, residualTokens } from '../../src/review/reviewReport.js';
import type { ReviewItem, SetInfo, VerdictEvent, VerdictInput } from '../../src/review/types.js';
import { combineReviews, joinOverlapping, reduceVerdicts } from '../../src/review/verdicts.js';

/** An invented note with one detected span over `find`. */
function item(id: string, stratum: string, weight: number, text: string, find: string, label: ReviewItem['spans'][number]['label']): ReviewItem {
  const start = text.indexOf(find);
  return { id, stratum, weight, text, redacted: text, spans: [{ start, end: start + find.length, label, source: 'rules/test', score: 0.9 }] };
}

let clock = 0;
function ev(reviewer: string, v: VerdictInput): VerdictEvent {
  clock += 1;
  return { ...v, reviewer, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString() } as VerdictEvent;
}

function missOf(it: ReviewItem, id: string, find: string, label: 'NAME' | 'DATE'): VerdictInput {
  const start = it.text.indexOf(find);
  return { kind: 'miss', item: it.id, miss: id, start, end: start + find.length, label };
}

// Two strata: S1 holds 10 run notes (2 sampled), S2 holds 30 (4 sampled, 3 finished).
const info: SetInfo = {
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  run: '/runs/x',
  seed: 7,
  n: 6,
  stratify: 'label',
  population: 40,
  failed: 1,
  strata: [
    { key: 'S1', population: 10, sampled: 2, weight: 5 },
    { key: 'S2', population: 30, sampled: 4, weight: 7.5 },
  ],
};
const n1a = item('a.txt', 'S1', 5, 'Seen 03/04/2021 for follow-up.', '03/04/2021', 'DATE');
const n1b = item('b.txt', 'S1', 5, 'Dr. Quill saw Ann Lee today.', 'Quill', 'NAME');
const n2a = item('c.txt', 'S2', 7.5, 'Patient walked in Hall B.', 'Hall', 'NAME');
const n2b = item('d.txt', 'S2', 7.5, 'Lives in Dunmore with family.', 'Dunmore', 'NAME');
const n2c = item('e.txt', 'S2', 7.5, 'Spoke to Bob about 05/06.', '05/06', 'DATE');
const n2d = item('f.txt', 'S2', 7.5, 'Unfinished note by Zed.', 'Zed', 'NAME');
const items = [n1a, n1b, n2a, n2b, n2c, n2d];

const events: VerdictEvent[] = [
  ev('ann', { kind: 'span', item: 'a.txt', span: 0, verdict: 'reject' }),
  ev('ann', { kind: 'span', item: 'a.txt', span: 0, verdict: 'confirm' }), // later verdict wins
  ev('ann', { kind: 'done', item: 'a.txt' }),
  ev('ann', { kind: 'span', item: 'b.txt', span: 0, verdict: 'confirm' }),
  ev('ann', missOf(n1b, 'm1', 'Ann Lee', 'NAME')), // 2 residual tokens
  ev('ann', { kind: 'done', item: 'b.txt' }),
  ev('ann', { kind: 'span', item: 'c.txt', span: 0, verdict: 'reject' }), // a false alarm
  ev('ann', { kind: 'done', item: 'c.txt' }),
  ev('ann', { kind: 'span', item: 'd.txt', span: 0, verdict: 'relabel', label: 'LOCATION' }),
  ev('ann', { kind: 'done', item: 'd.txt' }),
  ev('ann', { kind: 'span', item: 'e.txt', span: 0, verdict: 'confirm' }),
  ev('ann', missOf(n2c, 'm2', 'Bob', 'NAME')), // 1 residual token
  ev('ann', missOf(n2c, 'm3', 'about', 'NAME')),
  ev('ann', { kind: 'unmiss', item: 'e.txt', miss: 'm3' }), // deleted again
  ev('ann', { kind: 'comment', item: 'e.txt', text: 'checked' }),
  ev('ann', { kind: 'done', item: 'e.txt' }),
  // f.txt: judged but never marked done, so it must not count anywhere.
  ev('ann', { kind: 'span', item: 'f.txt', span: 0, verdict: 'reject' }),
  ev('ann', missOf(n2d, 'm4', 'Unfinished', 'NAME')),
];

describe('buildReport on a hand-computed example', () => {
  const report = buildReport(info, items, reduceVerdicts(events));

  it('counts only finished notes', () => {
    expect(report.set).toEqual({ population: 40, failed: 1, sampled: 6, reviewedNotes: 5, stratify: 'label', seed: 7 });
    // phi: a, b, d (relabelled), e = 4; false alarms: c = 1; misses: Ann Lee, Bob = 2
    expect(report.counts).toEqual({ confirmed: 4, relabelled: 1, rejected: 1, unjudged: 0, missed: 2, residualTokens: 3 });
  });

  it('precision 4/5 and recall 4/6 with their Wilson intervals (values from stats.test.ts)', () => {
    expect(report.precision.value).toBeCloseTo(0.8, 10);
    expect(report.precision.ci!.low).toBeCloseTo(0.375536, 4);
    expect(report.precision.ci!.high).toBeCloseTo(0.963776, 4);
    expect(report.recall.successes).toBe(4);
    expect(report.recall.trials).toBe(6);
    expect(report.recall.ci!.low).toBeCloseTo(0.299989, 4);
    expect(report.recall.ci!.high).toBeCloseTo(0.903233, 4);
    expect(report.notesWithResidual.successes).toBe(2);
    expect(report.notesWithResidual.trials).toBe(5);
  });

  // Residual tokens per finished note: S1 [a 0, b 2], S2 [c 0, d 0, e 1].
  // S1: ȳ = 1, s² = 2, fpc = 1 − 2/10 = .8, W = .25;  S2: ȳ = 1/3, s² = 1/3, fpc = 1 − 3/30 = .9, W = .75
  // mean = .25 + .25 = .5 per note → 500 per 1,000 notes
  // var = .0625·.8·2/2 + .5625·.9·(1/3)/3 = .05 + .05625 = .10625, se = .325960
  // 95%: .5 ± .638870 → [0, 1.138870] per note → [0, 1138.87] per 1,000 notes
  it('weights the residual estimate by the strata', () => {
    expect(report.residual.per1000).toBeCloseTo(500, 6);
    expect(report.residual.per1000Ci!.low).toBe(0);
    expect(report.residual.per1000Ci!.high).toBeCloseTo(1138.87, 1);
    expect(report.residual.coverage).toBe(1);
  });

  it('breaks counts down by label', () => {
    const row = (label: string) => report.perLabel.find((r) => r.label === label)!;
    // Detected NAME: b confirmed, c rejected, d relabelled to LOCATION → precision 2/3
    expect(row('NAME')).toMatchObject({ confirmed: 2, relabelled: 1, rejected: 1, caught: 1, missed: 2 });
    expect(row('NAME').precision.value).toBeCloseTo(2 / 3, 10);
    expect(row('NAME').recall.value).toBeCloseTo(1 / 3, 10);
    expect(row('NAME').residual.per1000).toBeCloseTo(500, 6);
    expect(row('DATE')).toMatchObject({ confirmed: 2, rejected: 0, caught: 2, missed: 0 });
    expect(row('DATE').residual.per1000).toBe(0);
    // No DATE residual anywhere: rule of three per stratum, .25·(3/2)·(1 − 2/10) + .75·(3/3)·(1 − 3/30) = .3 + .675
    expect(row('DATE').residual.per1000Ci!.high).toBeCloseTo(975, 6);
    expect(row('LOCATION')).toMatchObject({ confirmed: 0, rejected: 0, caught: 1, missed: 0 });
    expect(report.perLabel.map((r) => r.label)).not.toContain('ID');
  });

  it('renders text and escaped HTML without note text or comments', () => {
    const text = formatReportText(report);
    expect(text).toContain('Precision 80.0% [37.6%, 96.4%] (4/5)');
    expect(text).toContain('Recall    66.7% [30.0%, 90.3%] (4/6)');
    const html = formatReportHtml(report);
    for (const out of [text, html]) {
      for (const it of items) expect(out).not.toContain(it.text);
      expect(out).not.toContain('checked');
      expect(out).not.toContain('Ann Lee');
    }
    expect(html).toContain('<table>');
  });

  it('escapes reviewer names in the HTML report', () => {
    const evil = buildReport(info, items, reduceVerdicts([ev('<b>x</b>', { kind: 'done', item: 'a.txt' })]));
    const html = formatReportHtml(evil);
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('agreement', () => {
  // a: [phi, phi, fa, fa], b: [phi, fa, fa, fa] → p_o = 3/4; p_e = .5·.25 + .5·.75 = .5; κ = .5
  it('computes Cohen\'s kappa over spans both reviewers judged', () => {
    const four = ['a.txt', 'b.txt', 'c.txt', 'd.txt'];
    const say = (r: string, v: ('confirm' | 'reject' | 'relabel')[]) =>
      four.map((id, i) => ev(r, { kind: 'span', item: id, span: 0, verdict: v[i]!, ...(v[i] === 'relabel' ? { label: 'DATE' as const } : {}) }));
    const state = reduceVerdicts([...say('a', ['confirm', 'relabel', 'reject', 'reject']), ...say('b', ['confirm', 'reject', 'reject', 'reject'])]);
    const report = buildReport(info, items, state);
    expect(report.agreement).toHaveLength(1);
    expect(report.agreement[0]!.reviewers).toEqual(['a', 'b']);
    expect(report.agreement[0]!.spans.n).toBe(4);
    expect(report.agreement[0]!.spans.kappa).toBeCloseTo(0.5, 10);
  });

  it('combines reviewers toward recall: PHI if anyone says so, misses joined', () => {
    const state = reduceVerdicts([
      ev('a', { kind: 'span', item: 'b.txt', span: 0, verdict: 'reject' }),
      ev('b', { kind: 'span', item: 'b.txt', span: 0, verdict: 'confirm' }),
      ev('a', missOf(n1b, 'x', 'Ann', 'NAME')),
      ev('b', missOf(n1b, 'y', 'Ann Lee', 'NAME')),
      ev('a', { kind: 'done', item: 'b.txt' }),
      ev('b', { kind: 'done', item: 'b.txt' }),
    ]);
    const [note] = combineReviews(items, state);
    expect(note!.spans[0]!.outcome).toBe('phi');
    expect(note!.misses).toEqual([{ start: n1b.text.indexOf('Ann'), end: n1b.text.indexOf('Ann') + 7, label: 'NAME' }]);
    expect(residualTokens(note!).get('NAME')).toBe(2);
  });
});

describe('joinOverlapping', () => {
  it.each([
    [[], []],
    [[{ start: 0, end: 3, label: 'NAME' }], [{ start: 0, end: 3, label: 'NAME' }]],
    [
      [{ start: 0, end: 3, label: 'NAME' }, { start: 3, end: 5, label: 'DATE' }],
      [{ start: 0, end: 3, label: 'NAME' }, { start: 3, end: 5, label: 'DATE' }],
    ],
    [
      [{ start: 2, end: 9, label: 'DATE' }, { start: 0, end: 3, label: 'NAME' }],
      [{ start: 0, end: 9, label: 'DATE' }],
    ],
  ] as const)('%j → %j', (input, expected) => {
    expect(joinOverlapping(input)).toEqual(expected);
  });
});

describe('exportGold', () => {
  it('writes confirmed and relabelled spans plus misses, drops false alarms and unfinished notes', () => {
    const gold = exportGold(items, reduceVerdicts(events));
    expect(gold.map((g) => g.id)).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']);
    const byId = new Map(gold.map((g) => [g.id, g]));
    expect(byId.get('a.txt')!.spans).toEqual([{ start: 5, end: 15, label: 'DATE', text: '03/04/2021' }]);
    expect(byId.get('b.txt')!.spans.map((s) => [s.label, s.text])).toEqual([
      ['NAME', 'Quill'],
      ['NAME', 'Ann Lee'],
    ]);
    expect(byId.get('c.txt')!.spans).toEqual([]);
    expect(byId.get('d.txt')!.spans.map((s) => [s.label, s.text])).toEqual([['LOCATION', 'Dunmore']]);
    expect(byId.get('e.txt')!.spans.map((s) => [s.label, s.text])).toEqual([
      ['NAME', 'Bob'],
      ['DATE', '05/06'],
    ]);
    for (const g of gold) {
      expect(g.text).toBe(items.find((i) => i.id === g.id)!.text);
      for (const s of g.spans) expect(g.text.slice(s.start, s.end)).toBe(s.text);
    }
  });

  it('joins a miss that overlaps a confirmed span into one gold span', () => {
    const state = reduceVerdicts([
      ev('a', { kind: 'span', item: 'b.txt', span: 0, verdict: 'confirm' }),
      ev('a', missOf(n1b, 'x', 'Dr. Quill', 'NAME')),
      ev('a', { kind: 'done', item: 'b.txt' }),
    ]);
    const [g] = exportGold(items, state);
    expect(g!.spans).toEqual([{ start: 0, end: 9, label: 'NAME', text: 'Dr. Quill' }]);
  });
});

describe('several reviewers: disagreements and adjudication', () => {
  const adj = (who: string, v: VerdictInput): VerdictEvent => ({ ...ev(who, v), role: 'adjudicator' });
  const done = (who: string, id: string): VerdictEvent => ev(who, { kind: 'done', item: id });
  const span = (who: string, id: string, verdict: 'confirm' | 'reject' | 'relabel', label?: 'LOCATION' | 'DATE'): VerdictEvent =>
    ev(who, { kind: 'span', item: id, span: 0, verdict, ...(label ? { label } : {}) });
  const spanIn = (id: string, events: VerdictEvent[]) => combineReviews(items, reduceVerdicts(events)).find((n) => n.item.id === id)!;

  // What becomes gold for b.txt's detected span ("Quill") under the README's rule.
  it.each([
    ['one reviewer rejects', [span('r1', 'b.txt', 'reject'), done('r1', 'b.txt')], 'false-alarm', 0, 0],
    ['two agree it is PHI', [span('r1', 'b.txt', 'confirm'), span('r2', 'b.txt', 'confirm'), done('r1', 'b.txt'), done('r2', 'b.txt')], 'phi', 0, 0],
    ['two agree it is not', [span('r1', 'b.txt', 'reject'), span('r2', 'b.txt', 'reject'), done('r1', 'b.txt'), done('r2', 'b.txt')], 'false-alarm', 0, 0],
    ['they disagree, no adjudicator: PHI wins', [span('r1', 'b.txt', 'confirm'), span('r2', 'b.txt', 'reject'), done('r1', 'b.txt'), done('r2', 'b.txt')], 'phi', 1, 1],
    ['they disagree on the label', [span('r1', 'b.txt', 'confirm'), span('r2', 'b.txt', 'relabel', 'LOCATION'), done('r1', 'b.txt'), done('r2', 'b.txt')], 'phi', 1, 1],
    [
      'they disagree, the adjudicator rejects',
      [span('r1', 'b.txt', 'confirm'), span('r2', 'b.txt', 'reject'), done('r1', 'b.txt'), done('r2', 'b.txt'), adj('cy', { kind: 'span', item: 'b.txt', span: 0, verdict: 'reject' })],
      'false-alarm',
      1,
      0,
    ],
    [
      'an unfinished second reviewer does not count',
      [span('r1', 'b.txt', 'reject'), span('r2', 'b.txt', 'confirm'), done('r1', 'b.txt')],
      'false-alarm',
      0,
      0,
    ],
  ] as const)('%s', (_, events, outcome, disagreements, open) => {
    const note = spanIn('b.txt', [...events]);
    expect(note.spans[0]!.outcome).toBe(outcome);
    expect(note.disagreements).toHaveLength(disagreements);
    expect(note.disagreements.filter((d) => !d.resolved)).toHaveLength(open);
  });

  it('lists a miss one reviewer marked and another did not; the adjudicator decides whether it stays', () => {
    const base = [
      span('r1', 'b.txt', 'confirm'),
      span('r2', 'b.txt', 'confirm'),
      ev('r1', missOf(n1b, 'x', 'Ann Lee', 'NAME')),
      ev('r1', missOf(n1b, 'y', 'today', 'DATE')),
      ev('r2', missOf(n1b, 'z', 'Ann', 'NAME')),
      done('r1', 'b.txt'),
      done('r2', 'b.txt'),
    ];
    const open = spanIn('b.txt', base);
    expect(open.disagreements).toEqual([
      { kind: 'miss', start: 22, end: 27, label: 'DATE', markedBy: [{ reviewer: 'r1', label: 'DATE' }], notBy: ['r2'], resolved: false },
    ]);
    // Until adjudicated, PHI wins: both misses are gold.
    expect(open.misses.map((m) => n1b.text.slice(m.start, m.end))).toEqual(['Ann Lee', 'today']);
    // The adjudicator finishes the note without keeping "today": only the agreed miss stays.
    const dropped = spanIn('b.txt', [...base, adj('cy', { kind: 'done', item: 'b.txt' })]);
    expect(dropped.misses.map((m) => n1b.text.slice(m.start, m.end))).toEqual(['Ann Lee']);
    expect(dropped.disagreements[0]!.resolved).toBe(true);
    // ... or keeps it.
    const kept = spanIn('b.txt', [...base, adj('cy', missOf(n1b, 'k', 'today', 'DATE')), adj('cy', { kind: 'done', item: 'b.txt' })]);
    expect(kept.misses.map((m) => n1b.text.slice(m.start, m.end))).toEqual(['Ann Lee', 'today']);
  });

  it('the report lists each disagreement (ids, offsets, labels, who said what; no note text), apart from agreement', () => {
    const events = [span('r1', 'b.txt', 'confirm'), span('r2', 'b.txt', 'reject'), done('r1', 'b.txt'), done('r2', 'b.txt'), span('r1', 'a.txt', 'confirm'), done('r1', 'a.txt')];
    const report = buildReport(info, items, reduceVerdicts(events));
    expect(report.reviewers).toEqual(['r1', 'r2']);
    expect(report.adjudicators).toEqual([]);
    expect(report.disagreements).toEqual([
      { item: 'b.txt', kind: 'span', span: 0, start: 4, end: 9, detected: 'NAME', verdicts: [{ reviewer: 'r1', verdict: 'confirm' }, { reviewer: 'r2', verdict: 'reject' }], resolved: false },
    ]);
    const text = formatReportText(report);
    expect(text).toContain('Disagreements: 1 (1 open, decided by the rule until adjudicated: PHI wins; 0 adjudicated)');
    expect(text).toContain('  b.txt span 1 [4, 9) NAME: r1 confirm, r2 reject (open)');
    expect(text).not.toContain('Quill');
    expect(formatReportHtml(report)).toContain('<li>b.txt span 1 [4, 9) NAME: r1 confirm, r2 reject (open)</li>');
    // Adjudicators' verdicts are not a reviewer's: no kappa pair with them.
    const judged = buildReport(info, items, reduceVerdicts([...events, { ...span('cy', 'b.txt', 'reject'), role: 'adjudicator' }]));
    expect(judged.reviewers).toEqual(['r1', 'r2']);
    expect(judged.adjudicators).toEqual(['cy']);
    expect(judged.disagreements[0]!.resolved).toBe(true);
    expect(formatReportText(judged)).toContain('0 open, decided by the rule until adjudicated: PHI wins; 1 adjudicated by cy');
  });

  it('export-gold --require-adjudication refuses open disagreements (E153), and exports once they are decided', () => {
    const events = [span('r1', 'b.txt', 'confirm'), span('r2', 'b.txt', 'reject'), done('r1', 'b.txt'), done('r2', 'b.txt')];
    expect(() => exportGold(items, reduceVerdicts(events), { requireAdjudication: true })).toThrow(/^E153 1 note\(s\) hold disagreements no adjudicator has decided \(first: b\.txt\)/);
    expect(exportGold(items, reduceVerdicts(events))[0]!.spans.map((s) => s.text)).toEqual(['Quill']);
    const decided = [...events, { ...span('cy', 'b.txt', 'reject'), role: 'adjudicator' as const }];
    expect(exportGold(items, reduceVerdicts(decided), { requireAdjudication: true })[0]!.spans).toEqual([]);
  });
});
