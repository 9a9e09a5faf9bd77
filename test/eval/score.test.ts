import { describe, expect, it } from 'vitest';
import type { Label } from '../../src/core/labels.js';
import type { Span } from '../../src/core/span.js';
import { evaluate } from '../../src/eval/score.js';
import type { EvalDoc, GoldSpan, Scored } from '../../src/eval/types.js';

/** A span over the first occurrence of `fragment` (after `from`) in `text`. */
function at(text: string, fragment: string, from = 0): { start: number; end: number } {
  const start = text.indexOf(fragment, from);
  if (start < 0) throw new Error(`fixture: ${fragment} not in text`);
  return { start, end: start + fragment.length };
}
const gold = (text: string, fragment: string, label: Label, subtype?: string): GoldSpan => ({
  ...at(text, fragment),
  label,
  ...(subtype ? { subtype } : {}),
});
const pred = (text: string, fragment: string, label: Label, source: string, extra: Partial<Span> = {}): Span => ({
  ...at(text, fragment),
  label,
  source,
  score: 0.9,
  ...extra,
});

function expectScore(s: Scored, counts: Partial<Scored>, precision: number, recall: number, f1: number): void {
  expect(s).toMatchObject(counts);
  expect(s.precision).toBeCloseTo(precision, 10);
  expect(s.recall).toBeCloseTo(recall, 10);
  expect(s.f1).toBeCloseTo(f1, 10);
}

// Tokens: Pt John Smith seen 3 4 2020 by Dr Lee  (10)
// Gold:   NAME "John Smith" (John, Smith), DATE "3/4/2020" (3, 4, 2020), NAME "Lee" (Lee) → 6 gold tokens
// Pred:   NAME "John" (rules/a), DATE "3/4/2020" (rules/date), NAME "seen" (ner/x), LOCATION "Lee" (ner/x)
const TEXT = 'Pt John Smith seen 3/4/2020 by Dr Lee.';
const DOC: EvalDoc = {
  id: 'a',
  text: TEXT,
  spans: [gold(TEXT, 'John Smith', 'NAME', 'PATIENT'), gold(TEXT, '3/4/2020', 'DATE'), gold(TEXT, 'Lee', 'NAME', 'DOCTOR')],
  pred: [
    pred(TEXT, 'John', 'NAME', 'rules/a'),
    pred(TEXT, '3/4/2020', 'DATE', 'rules/date'),
    pred(TEXT, 'seen', 'NAME', 'ner/x'),
    pred(TEXT, 'Lee', 'LOCATION', 'ner/x'),
  ],
};

describe('evaluate: a hand-computed note', () => {
  const r = evaluate([DOC]);

  it('binary token level', () => {
    // predicted tokens: John, 3, 4, 2020, seen, Lee = 6; false alarm: seen
    // caught gold tokens: John, 3, 4, 2020, Lee = 5 of 6 (Smith missed)
    // P = 5/6, R = 5/6, F1 = 5/6
    expectScore(r.token.overall, { gold: 6, goldHit: 5, pred: 6, predHit: 5 }, 5 / 6, 5 / 6, 5 / 6);
  });

  it('binary token level per label', () => {
    const row = (l: string): Scored => r.token.perLabel.find((x) => x.label === l)!.score;
    expect(r.token.perLabel.map((x) => x.label)).toEqual(['NAME', 'DATE', 'LOCATION']);
    // NAME gold tokens John, Smith, Lee: caught John, Lee → R 2/3. NAME pred tokens John, seen: John is gold → P 1/2.
    expectScore(row('NAME'), { gold: 3, goldHit: 2, pred: 2, predHit: 1 }, 1 / 2, 2 / 3, 4 / 7);
    expectScore(row('DATE'), { gold: 3, goldHit: 3, pred: 3, predHit: 3 }, 1, 1, 1);
    // LOCATION: no gold (recall 1 by definition), its one token (Lee) is PHI → P 1: the PHI was removed.
    expectScore(row('LOCATION'), { gold: 0, goldHit: 0, pred: 1, predHit: 1 }, 1, 1, 1);
  });

  it('gold subtypes: recall only', () => {
    // NAME/PATIENT = John Smith (John caught, Smith missed); NAME/DOCTOR = Lee (caught); the DATE has no subtype
    expect(r.token.perGoldSubtype.map((x) => [x.label, x.score.gold, x.score.goldHit, x.score.pred])).toEqual([
      ['NAME/DOCTOR', 1, 1, 0],
      ['NAME/PATIENT', 2, 1, 0],
    ]);
  });

  it('entity level strict, exact, partial', () => {
    // strict: only the DATE matches (extent + label): R 1/3, P 1/4, F1 = 2·(1/4·1/3)/(1/4+1/3) = 2/7
    expectScore(r.entity.strict, { gold: 3, goldHit: 1, pred: 4, predHit: 1 }, 1 / 4, 1 / 3, 2 / 7);
    // exact: DATE and Lee (same extent, label ignored): R 2/3, P 2/4, F1 = 4/7
    expectScore(r.entity.exact, { gold: 3, goldHit: 2, pred: 4, predHit: 2 }, 1 / 2, 2 / 3, 4 / 7);
    // partial: every gold span is touched; "seen" touches nothing: R 1, P 3/4, F1 = 6/7
    expectScore(r.entity.partial, { gold: 3, goldHit: 3, pred: 4, predHit: 3 }, 3 / 4, 1, 6 / 7);
  });

  it('entity level per label', () => {
    const row = (l: string) => r.entity.perLabel.find((x) => x.label === l)!.score;
    // NAME: gold John Smith, Lee — neither strict; pred John, seen — neither strict
    expectScore(row('NAME').strict, { gold: 2, goldHit: 0, pred: 2, predHit: 0 }, 0, 0, 0);
    // NAME partial: both gold touched; of the predictions only John touches gold
    expectScore(row('NAME').partial, { gold: 2, goldHit: 2, pred: 2, predHit: 1 }, 1 / 2, 1, 2 / 3);
    expectScore(row('DATE').strict, { gold: 1, goldHit: 1, pred: 1, predHit: 1 }, 1, 1, 1);
    // LOCATION: one prediction with the wrong label → strict P 0, exact P 1
    expectScore(row('LOCATION').strict, { gold: 0, pred: 1, predHit: 0 }, 0, 1, 0);
    expectScore(row('LOCATION').exact, { gold: 0, pred: 1, predHit: 1 }, 1, 1, 1);
  });

  it('attribution from merged spans when no raw spans are given', () => {
    expect(r.attribution.basis).toBe('merged');
    expect(r.attribution.goldTokens).toBe(6);
    expect(r.attribution.families).toEqual([
      // ner: seen (false alarm) + Lee (caught, nobody else) → 2 tokens, 1 caught, 1 unique, 1 false
      { detector: 'ner', predTokens: 2, caught: 1, unique: 1, falseAlarms: 1 },
      // rules: John + 3 4 2020 → 4 tokens, all gold, all only by rules
      { detector: 'rules', predTokens: 4, caught: 4, unique: 4, falseAlarms: 0 },
    ]);
    expect(r.attribution.detectors).toEqual([
      { detector: 'ner/x', predTokens: 2, caught: 1, unique: 1, falseAlarms: 1 },
      { detector: 'rules/a', predTokens: 1, caught: 1, unique: 1, falseAlarms: 0 },
      { detector: 'rules/date', predTokens: 3, caught: 3, unique: 3, falseAlarms: 0 },
    ]);
  });

  it('error list: partial miss, false alarm, wrong label', () => {
    expect(r.errors).toEqual([
      { kind: 'partial-miss', id: 'a', ...at(TEXT, 'John Smith'), goldLabel: 'NAME', goldSubtype: 'PATIENT', detectors: ['rules/a'], tokens: 1 },
      { kind: 'false-alarm', id: 'a', ...at(TEXT, 'seen'), predLabel: 'NAME', detectors: ['ner/x'], tokens: 1 },
      { kind: 'wrong-label', id: 'a', ...at(TEXT, 'Lee'), predLabel: 'LOCATION', goldLabel: 'NAME', goldSubtype: 'DOCTOR', detectors: ['ner/x'], tokens: 0 },
    ]);
  });

  it('a note without gold or predictions changes nothing', () => {
    const both = evaluate([DOC, { id: 'b', text: 'Vitals stable overnight.', spans: [], pred: [] }]);
    expect(both.token).toEqual(r.token);
    expect(both.entity).toEqual(r.entity);
    expect(both.docs).toBe(2);
  });
});

describe('evaluate: raw spans and unique contribution', () => {
  // Raw: rules/a found John and Lee, ner/x found Lee and Smith, rules/date the date.
  // Merged (what was redacted) keeps the same extents with `sources`.
  const text = 'Pt John Smith seen 3/4/2020 by Dr Lee.';
  const raw: Span[] = [
    pred(text, 'John', 'NAME', 'rules/a'),
    pred(text, 'Lee', 'NAME', 'rules/a'),
    pred(text, 'Smith', 'NAME', 'ner/x'),
    pred(text, 'Lee', 'NAME', 'ner/x'),
    pred(text, '3/4/2020', 'DATE', 'rules/date'),
    pred(text, 'Dr', 'NAME', 'ner/x'),
  ];
  const doc: EvalDoc = { ...DOC, raw, pred: raw.filter((s) => s.source !== 'ner/x' || s.end - s.start !== 3) };
  const r = evaluate([doc]);

  it('uses raw spans for attribution', () => {
    expect(r.attribution.basis).toBe('raw');
    // Lee is caught by rules/a and ner/x: unique for neither at detector level.
    // Families: rules covers John, Lee, 3, 4, 2020 (5 gold); ner covers Smith, Lee (gold), Dr (false).
    //   gold tokens covered by one family only: rules John 3 4 2020 (4); ner Smith (1).
    expect(r.attribution.families).toEqual([
      { detector: 'ner', predTokens: 3, caught: 2, unique: 1, falseAlarms: 1 },
      { detector: 'rules', predTokens: 5, caught: 5, unique: 4, falseAlarms: 0 },
    ]);
    expect(r.attribution.detectors).toEqual([
      { detector: 'ner/x', predTokens: 3, caught: 2, unique: 1, falseAlarms: 1 },
      { detector: 'rules/a', predTokens: 2, caught: 2, unique: 1, falseAlarms: 0 },
      { detector: 'rules/date', predTokens: 3, caught: 3, unique: 3, falseAlarms: 0 },
    ]);
  });

  it('names the detectors whose raw spans touched a gold span that was still missed', () => {
    const onlyRaw: EvalDoc = { id: 'c', text, spans: [gold(text, 'Lee', 'NAME')], pred: [], raw: [pred(text, 'Lee', 'NAME', 'rules/a')] };
    expect(evaluate([onlyRaw]).errors).toEqual([
      { kind: 'miss', id: 'c', ...at(text, 'Lee'), goldLabel: 'NAME', detectors: ['rules/a'], tokens: 1 },
    ]);
  });

  it('falls back to merged attribution when any note lacks raw spans', () => {
    expect(evaluate([doc, { ...DOC, id: 'z' }]).attribution.basis).toBe('merged');
  });

  it('credits every source of a merged span', () => {
    const merged: EvalDoc = {
      id: 'm',
      text,
      spans: [gold(text, 'Lee', 'NAME')],
      pred: [pred(text, 'Dr Lee', 'NAME', 'rules/a', { sources: ['ner/x', 'rules/a'] })],
    };
    const rows = evaluate([merged]).attribution.detectors;
    // "Dr Lee" covers Dr (false alarm) and Lee (gold), credited to both detectors → no unique tokens
    expect(rows).toEqual([
      { detector: 'ner/x', predTokens: 2, caught: 1, unique: 0, falseAlarms: 1 },
      { detector: 'rules/a', predTokens: 2, caught: 1, unique: 0, falseAlarms: 1 },
    ]);
    // and the extra token is reported as overreach, not as a false alarm span
    expect(evaluate([merged]).errors).toEqual([
      { kind: 'overreach', id: 'm', ...at(text, 'Dr Lee'), predLabel: 'NAME', detectors: ['ner/x', 'rules/a'], tokens: 1 },
    ]);
  });
});

describe('evaluate: edge cases have defined values', () => {
  const allScores = (r: ReturnType<typeof evaluate>): Scored[] => [
    r.token.overall,
    r.entity.strict,
    r.entity.exact,
    r.entity.partial,
    ...r.token.perLabel.map((x) => x.score),
    ...r.entity.perLabel.flatMap((x) => [x.score.strict, x.score.exact, x.score.partial]),
  ];

  it('no notes at all', () => {
    const r = evaluate([]);
    expect(r.docs).toBe(0);
    expectScore(r.token.overall, { gold: 0, pred: 0 }, 1, 1, 1);
    expect(r.attribution).toEqual({ basis: 'merged', goldTokens: 0, families: [], detectors: [] });
  });

  it('no gold spans, no predictions', () => {
    const r = evaluate([{ id: 'x', text: 'Nothing here.', spans: [], pred: [] }]);
    for (const s of allScores(r)) expectScore(s, {}, 1, 1, 1);
    expect(r.errors).toEqual([]);
  });

  it('no gold spans, one false alarm', () => {
    const text = 'BP 120/80 stable.';
    const r = evaluate([{ id: 'x', text, spans: [], pred: [pred(text, '120/80', 'DATE', 'rules/date')] }]);
    expectScore(r.token.overall, { gold: 0, pred: 2, predHit: 0 }, 0, 1, 0);
    expectScore(r.entity.partial, { gold: 0, pred: 1 }, 0, 1, 0);
    expect(r.errors.map((e) => e.kind)).toEqual(['false-alarm']);
  });

  it('gold spans, no predictions', () => {
    const text = 'Seen by Ann.';
    const r = evaluate([{ id: 'x', text, spans: [gold(text, 'Ann', 'NAME')], pred: [] }]);
    for (const s of allScores(r)) {
      expect(s.recall).toBe(0);
      expect(s.precision).toBe(1);
      expect(s.f1).toBe(0);
    }
    expect(r.errors).toEqual([{ kind: 'miss', id: 'x', ...at(text, 'Ann'), goldLabel: 'NAME', detectors: [], tokens: 1 }]);
  });

  it('a punctuation-only gold span has no tokens but still counts as an entity', () => {
    const text = 'a -- b';
    const r = evaluate([{ id: 'x', text, spans: [gold(text, '--', 'OTHER')], pred: [] }]);
    expect(r.token.overall.gold).toBe(0);
    expect(r.entity.partial.gold).toBe(1);
    expect(r.errors).toEqual([{ kind: 'miss', id: 'x', ...at(text, '--'), goldLabel: 'OTHER', detectors: [], tokens: 0 }]);
  });
});
