import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignOwners, cappedPieceCounts, encodeWindow, planWindows } from '../../../src/detect/ner/windows.js';

const CLS = 2;
const SEP = 3;

const caseArb = fc
  .record({
    capacity: fc.integer({ min: 1, max: 40 }),
    overlap: fc.integer({ min: 0, max: 40 }),
    raw: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 120 }),
  })
  .map(({ capacity, overlap, raw }) => ({ capacity, overlap, pieces: raw.map((n) => Math.min(n, capacity)) }));

const total = (pieces: readonly number[], from: number, to: number): number => pieces.slice(from, to).reduce((a, b) => a + b, 0);

describe('planWindows', () => {
  it('windows cover every word, stay within capacity, move forward and overlap by at most `overlap` pieces', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, overlap, pieces }) => {
        const plans = planWindows(pieces, capacity, overlap);
        if (pieces.length === 0) {
          expect(plans).toEqual([]);
          return;
        }
        expect(plans[0]!.first).toBe(0);
        expect(plans.at(-1)!.end).toBe(pieces.length);
        plans.forEach((p, i) => {
          expect(p.end).toBeGreaterThan(p.first);
          expect(total(pieces, p.first, p.end)).toBeLessThanOrEqual(capacity);
          if (i > 0) {
            const prev = plans[i - 1]!;
            expect(p.first).toBeGreaterThan(prev.first);
            expect(p.first).toBeLessThanOrEqual(prev.end); // no gap: every word is in some window
            expect(total(pieces, p.first, prev.end)).toBeLessThanOrEqual(overlap);
          }
        });
      }),
    );
  });

  it('a note that fits is one window', () => {
    expect(planWindows([3, 1, 4, 1, 5], 14, 4)).toEqual([{ first: 0, end: 5 }]);
  });

  it('a long note is cut into overlapping windows of whole words', () => {
    expect(planWindows([2, 2, 2, 2, 2, 2], 6, 2)).toEqual([
      { first: 0, end: 3 },
      { first: 2, end: 5 },
      { first: 4, end: 6 },
    ]);
  });

  it('rejects a capacity below one token', () => {
    expect(() => planWindows([1], 0, 0)).toThrow(/E036/);
  });
});

describe('assignOwners', () => {
  it('every word is owned by a window that contains it', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, overlap, pieces }) => {
        const plans = planWindows(pieces, capacity, overlap);
        const owner = assignOwners(pieces, plans);
        owner.forEach((w, i) => {
          const p = plans[w]!;
          expect(p.first <= i && i < p.end).toBe(true);
        });
      }),
    );
  });

  it('in an overlap, each word goes to the window where it is farther from the cut', () => {
    // Windows [0,4) and [2,6) share words 2 and 3. Word 2 has one piece to the cut in window 0
    // but none in window 1; word 3 the other way round. The note's own ends are not cuts.
    const pieces = [1, 1, 1, 1, 1, 1];
    const plans = planWindows(pieces, 4, 2);
    expect(plans).toEqual([
      { first: 0, end: 4 },
      { first: 2, end: 6 },
    ]);
    expect(Array.from(assignOwners(pieces, plans))).toEqual([0, 0, 0, 1, 1, 1]);
  });
});

describe('encodeWindow', () => {
  it('maps every word with pieces to the position of its first piece, in bounds', () => {
    const wordArb = fc.array(fc.integer({ min: 5, max: 99 }), { maxLength: 8 });
    fc.assert(
      fc.property(fc.array(wordArb, { maxLength: 60 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 10 }), (wordIds, capacity, overlap) => {
        const pieces = cappedPieceCounts(wordIds, capacity);
        for (const plan of planWindows(pieces, capacity, overlap)) {
          const { ids, firstPiece } = encodeWindow(wordIds, plan, capacity, CLS, SEP);
          expect(ids[0]).toBe(CLS);
          expect(ids.at(-1)).toBe(SEP);
          expect(ids.length).toBeLessThanOrEqual(capacity + 2);
          firstPiece.forEach((pos, k) => {
            const word = wordIds[plan.first + k]!;
            if (word.length === 0) {
              expect(pos).toBe(-1);
              return;
            }
            expect(pos).toBeGreaterThan(0);
            expect(pos).toBeLessThan(ids.length - 1);
            expect(ids[pos]).toBe(word[0]);
          });
        }
      }),
    );
  });
});
