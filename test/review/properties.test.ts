import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABELS } from '../../src/core/labels.js';
import { exportGold } from '../../src/review/exportGold.js';
import { buildReport } from '../../src/review/reviewReport.js';
import type { ReviewItem, SetInfo, VerdictEvent } from '../../src/review/types.js';
import { reduceVerdicts } from '../../src/review/verdicts.js';

const label = fc.constantFrom(...LABELS);

/** A note of random letters and spaces with disjoint detected spans, plus random reviewer events on it. */
const noteWithEvents = fc
  .tuple(
    fc.stringMatching(/^[a-z ]{5,60}$/),
    fc.array(fc.tuple(fc.nat(60), fc.integer({ min: 1, max: 8 }), label), { maxLength: 6 }),
    fc.constantFrom('S1', 'S2'),
  )
  .chain(([text, raw, stratum]) => {
    const spans: ReviewItem['spans'][number][] = [];
    let cursor = 0;
    for (const [start, len, l] of [...raw].sort((a, b) => a[0] - b[0])) {
      const s = Math.max(start, cursor);
      const e = Math.min(s + len, text.length);
      if (s >= e) continue;
      spans.push({ start: s, end: e, label: l, source: 'rules/x', score: 0.5 });
      cursor = e;
    }
    const id = `n${Math.abs(text.length * 7919 + spans.length)}-${text.replaceAll(' ', '_')}`;
    const item: ReviewItem = { id, stratum, weight: 1, text, redacted: text, spans };
    const span = spans.length
      ? fc.record({
          kind: fc.constant('span' as const),
          span: fc.nat(spans.length - 1),
          verdict: fc.constantFrom('confirm', 'reject', 'relabel', 'clear'),
          label,
        })
      : fc.constant(null);
    const miss = fc
      .tuple(fc.nat(text.length - 1), fc.integer({ min: 1, max: 10 }), label, fc.constantFrom('m1', 'm2', 'm3'))
      .map(([start, len, l, m]) => ({ kind: 'miss' as const, miss: m, start, end: Math.min(text.length, start + len), label: l }));
    const other = fc.constantFrom({ kind: 'done' as const }, { kind: 'undone' as const }, { kind: 'unmiss' as const, miss: 'm1' });
    const event = fc.oneof(span, miss, other).filter((e) => e !== null);
    const reviewer = fc.constantFrom('ann', 'bob');
    return fc.tuple(
      fc.constant(item),
      fc.array(fc.tuple(reviewer, event), { maxLength: 25 }).map((evs) =>
        evs.map(([r, e], i) => ({ ...e, item: id, reviewer: r, ts: String(i) }) as VerdictEvent),
      ),
    );
  });

const info: SetInfo = {
  version: 1,
  createdAt: 'x',
  run: 'x',
  seed: 1,
  n: 10,
  stratify: 'label',
  population: 100,
  failed: 0,
  strata: [
    { key: 'S1', population: 40, sampled: 5, weight: 8 },
    { key: 'S2', population: 60, sampled: 5, weight: 12 },
  ],
};

describe('review algebra', () => {
  it('gold export: sorted, disjoint spans inside the text that quote it; false alarms never exported', () => {
    fc.assert(
      fc.property(fc.array(noteWithEvents, { minLength: 1, maxLength: 5 }), (notes) => {
        const unique = [...new Map(notes.map(([it, evs]) => [it.id, [it, evs] as const])).values()];
        const items = unique.map(([it]) => it);
        const state = reduceVerdicts(unique.flatMap(([, evs]) => evs));
        for (const g of exportGold(items, state)) {
          let end = 0;
          for (const s of g.spans) {
            expect(s.start).toBeGreaterThanOrEqual(end);
            expect(s.end).toBeGreaterThan(s.start);
            expect(s.end).toBeLessThanOrEqual(g.text.length);
            expect(g.text.slice(s.start, s.end)).toBe(s.text);
            end = s.end;
          }
        }
      }),
    );
  });

  it('report: counts add up, proportions sit inside their intervals, estimates are never negative', () => {
    fc.assert(
      fc.property(fc.array(noteWithEvents, { minLength: 1, maxLength: 5 }), (notes) => {
        const unique = [...new Map(notes.map(([it, evs]) => [it.id, [it, evs] as const])).values()];
        const items = unique.map(([it]) => it);
        const state = reduceVerdicts(unique.flatMap(([, evs]) => evs));
        const r = buildReport(info, items, state);
        const doneItems = items.filter((it) => [...state.reviews.values()].some((m) => m.get(it.id)?.done));
        expect(r.set.reviewedNotes).toBe(doneItems.length);
        expect(r.counts.confirmed + r.counts.rejected + r.counts.unjudged).toBe(doneItems.reduce((a, it) => a + it.spans.length, 0));
        expect(r.counts.relabelled).toBeLessThanOrEqual(r.counts.confirmed);
        for (const p of [r.precision, r.recall, r.notesWithResidual, ...r.perLabel.flatMap((l) => [l.precision, l.recall])]) {
          if (p.value === null) continue;
          expect(p.ci!.low).toBeLessThanOrEqual(p.value + 1e-12);
          expect(p.ci!.high).toBeGreaterThanOrEqual(p.value - 1e-12);
        }
        if (r.residual.per1000 !== null) {
          expect(r.residual.per1000).toBeGreaterThanOrEqual(0);
          expect(r.residual.per1000Ci!.low).toBeLessThanOrEqual(r.residual.per1000 + 1e-9);
          expect(r.residual.per1000Ci!.high).toBeGreaterThanOrEqual(r.residual.per1000 - 1e-9);
        }
        for (const a of r.agreement) if (a.spans.kappa !== null) expect(Math.abs(a.spans.kappa)).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });
});
