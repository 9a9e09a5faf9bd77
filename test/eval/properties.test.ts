import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABELS, type Label } from '../../src/core/labels.js';
import type { Span } from '../../src/core/span.js';
import { evaluate } from '../../src/eval/score.js';
import type { EvalDoc, EvalResult, GoldSpan, Scored } from '../../src/eval/types.js';

/** Text from letters, digits, spaces, punctuation and an astral character, so token edges vary. */
const textArb = fc
  .array(fc.constantFrom('a', 'b', 'Z', '1', '9', ' ', ' ', '/', '-', '.', '\n', '🙂', 'é'), { maxLength: 40 })
  .map((cs) => cs.join(''));

const labelArb = fc.constantFrom<Label>(...LABELS);

function spansArb(length: number): fc.Arbitrary<{ start: number; end: number; label: Label }[]> {
  if (length === 0) return fc.constant([]);
  return fc.array(
    fc
      .tuple(fc.integer({ min: 0, max: length - 1 }), fc.integer({ min: 1, max: length }), labelArb)
      .map(([a, len, label]) => ({ start: a, end: Math.min(length, a + len), label })),
    { maxLength: 6 },
  );
}

const sources = ['rules/a', 'rules/b', 'ner/x'] as const;
const toPred = (s: { start: number; end: number; label: Label }, i: number): Span => ({ ...s, source: sources[i % sources.length]!, score: 1 });

const docArb: fc.Arbitrary<EvalDoc> = textArb.chain((text) =>
  fc.tuple(spansArb(text.length), spansArb(text.length)).map(([g, p]) => ({
    id: 'd', // docsArb numbers them
    text,
    spans: g as GoldSpan[],
    pred: p.map(toPred),
  })),
);
const docsArb = fc.array(docArb, { maxLength: 4 }).map((ds) => ds.map((d, i) => ({ ...d, id: `d${i}` })));

function everyScore(r: EvalResult): Scored[] {
  return [
    r.token.overall,
    r.entity.strict,
    r.entity.exact,
    r.entity.partial,
    ...r.token.perLabel.map((x) => x.score),
    ...r.entity.perLabel.flatMap((x) => [x.score.strict, x.score.exact, x.score.partial]),
  ];
}

const recalls = (r: EvalResult): number[] => [
  r.token.overall.recall,
  r.entity.strict.recall,
  r.entity.exact.recall,
  r.entity.partial.recall,
];

describe('evaluate properties', () => {
  it('every score is a number in [0, 1] and hits never exceed totals', () => {
    fc.assert(
      fc.property(docsArb, (docs) => {
        for (const s of everyScore(evaluate(docs))) {
          for (const v of [s.precision, s.recall, s.f1]) {
            expect(Number.isNaN(v)).toBe(false);
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
          expect(s.goldHit).toBeLessThanOrEqual(s.gold);
          expect(s.predHit).toBeLessThanOrEqual(s.pred);
        }
      }),
    );
  });

  it('perfect predictions score 1 everywhere and produce no errors', () => {
    fc.assert(
      fc.property(docsArb, (docs) => {
        const perfect = docs.map((d) => ({ ...d, pred: d.spans.map(toPred) }));
        const r = evaluate(perfect);
        for (const s of everyScore(r)) {
          expect(s.precision).toBe(1);
          expect(s.recall).toBe(1);
          expect(s.f1).toBe(1);
        }
        expect(r.errors).toEqual([]);
      }),
    );
  });

  it('predictions inside gold spans have token precision 1; a subset of gold has strict precision 1', () => {
    fc.assert(
      fc.property(docsArb, fc.infiniteStream(fc.integer({ min: 0, max: 1000 })), (docs, rand) => {
        const inside = docs.map((d) => ({
          ...d,
          pred: d.spans.map((g, i) => {
            const a = g.start + (rand.next().value % (g.end - g.start));
            const b = a + 1 + (rand.next().value % (g.end - a));
            return toPred({ start: a, end: b, label: g.label }, i);
          }),
        }));
        expect(evaluate(inside).token.overall.precision).toBe(1);
        expect(evaluate(inside).entity.partial.precision).toBe(1);
        const subset = docs.map((d) => ({ ...d, pred: d.spans.filter(() => rand.next().value % 2 === 0).map(toPred) }));
        expect(evaluate(subset).entity.strict.precision).toBe(1);
        expect(evaluate(subset).token.overall.precision).toBe(1);
      }),
    );
  });

  it('adding a prediction never lowers any recall', () => {
    fc.assert(
      fc.property(docsArb.filter((ds) => ds.length > 0 && ds[0]!.text.length > 0), fc.nat(), fc.nat(), labelArb, (docs, a, len, label) => {
        const first = docs[0]!;
        const start = a % first.text.length;
        const extra = toPred({ start, end: Math.min(first.text.length, start + 1 + (len % 8)), label }, 0);
        const more = [{ ...first, pred: [...first.pred, extra] }, ...docs.slice(1)];
        const before = recalls(evaluate(docs));
        const after = recalls(evaluate(more));
        for (const [i, r] of after.entries()) expect(r).toBeGreaterThanOrEqual(before[i]!);
      }),
    );
  });

  it('is deterministic and does not depend on prediction order', () => {
    fc.assert(
      fc.property(docsArb, (docs) => {
        const reversed = docs.map((d) => ({ ...d, pred: [...d.pred].reverse() }));
        const a = evaluate(docs);
        const b = evaluate(reversed);
        expect(b.token).toEqual(a.token);
        expect(b.entity).toEqual(a.entity);
        expect(b.attribution).toEqual(a.attribution);
      }),
    );
  });

  it('family attribution: caught never exceeds gold tokens and unique never exceeds caught', () => {
    fc.assert(
      fc.property(docsArb, (docs) => {
        const r = evaluate(docs);
        const caughtAny = r.token.overall.goldHit;
        const uniqueSum = r.attribution.families.reduce((n, f) => n + f.unique, 0);
        expect(uniqueSum).toBeLessThanOrEqual(caughtAny);
        for (const f of [...r.attribution.families, ...r.attribution.detectors]) {
          expect(f.caught).toBeLessThanOrEqual(r.attribution.goldTokens);
          expect(f.unique).toBeLessThanOrEqual(f.caught);
          expect(f.caught + f.falseAlarms).toBe(f.predTokens);
        }
      }),
    );
  });
});
