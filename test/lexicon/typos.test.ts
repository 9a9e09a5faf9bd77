import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { typoOf } from '../../src/lexicon/typos.js';

const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 2, maxLength: 12 });
const inSet = (words: readonly string[]) => (w: string): boolean => words.includes(w);

describe('typoOf: the typing slips the plain-word check forgives', () => {
  it('finds swapped neighbours, a doubled letter and a double letter written once', () => {
    const known = inSet(['review', 'chemistry', 'lasix', 'cozaar', 'primary']);
    for (const slip of ['reveiw', 'cehmistry', 'lassix', 'cozar', 'priamry', 'rreview']) expect(typoOf(slip, known), slip).toBe(true);
  });

  it('does not forgive a changed, dropped or added letter (how rare surnames sit next to medical words)', () => {
    const known = inSet(['canvas', 'resite', 'vosol', 'mackerel', 'review']);
    for (const other of ['canvan', 'mesite', 'vosolo', 'mackerer', 'revew', 'reviews', 'review']) expect(typoOf(other, known), other).toBe(false);
  });

  it('every neighbour swap and every doubling of a known word is found; an unrelated set finds nothing', () => {
    fc.assert(
      fc.property(word, fc.nat(), (w, at) => {
        const i = at % (w.length - 1);
        const swapped = w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
        const doubled = w.slice(0, i + 1) + w.slice(i);
        if (swapped !== w) expect(typoOf(swapped, inSet([w]))).toBe(true);
        expect(typoOf(doubled, inSet([w]))).toBe(true);
        expect(typoOf(w, () => false)).toBe(false);
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('only ever asks about strings of the same length or one letter shorter or longer', () => {
    fc.assert(
      fc.property(word, (w) => {
        const asked: string[] = [];
        typoOf(w, (c) => {
          asked.push(c);
          return false;
        });
        expect(asked.every((c) => Math.abs(c.length - w.length) <= 1)).toBe(true);
      }),
      { numRuns: 200, seed: 12 },
    );
  });
});
