import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PackedTable, PackedWordSet, packWords, wordIndex } from '../../src/lexicon/index.js';

// The packed table must answer exactly as the Sets it was packed from: any word, any set.
const word = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(...'abcdeéłż \'-'.split('')) });
const sets = fc.array(fc.uniqueArray(word, { maxLength: 60 }), { minLength: 1, maxLength: 5 });

function packed(lists: string[][], extra?: ReadonlySet<string>): PackedWordSet[] {
  const table = new PackedTable(packWords(new Map(lists.map((l, i) => [`s${i}`, new Set(l)]))));
  return lists.map((_, i) => new PackedWordSet(table, `s${i}`, extra));
}

describe('packWords / PackedWordSet: a packed set is the set it was packed from', () => {
  it('has, size and iteration agree with the Sets for members and random other words', () => {
    fc.assert(
      fc.property(sets, fc.array(word, { maxLength: 40 }), (lists, probes) => {
        const views = packed(lists);
        lists.forEach((list, i) => {
          const set = new Set(list);
          const view = views[i]!;
          expect(view.size).toBe(set.size);
          expect(new Set(view)).toEqual(set);
          for (const w of [...list, ...probes, ...lists.flat()]) expect(view.has(w), w).toBe(set.has(w));
        });
      }),
    );
  });

  it('joins an extra set: has, size and iteration are the union, each word once', () => {
    fc.assert(
      fc.property(fc.uniqueArray(word, { maxLength: 40 }), fc.uniqueArray(word, { maxLength: 10 }), fc.array(word, { maxLength: 20 }), (list, extraWords, probes) => {
        const extra = new Set(extraWords);
        const [view] = packed([list], extra);
        const union = new Set([...list, ...extraWords]);
        expect(view!.size).toBe(union.size);
        expect([...view!].length).toBe(union.size);
        expect(new Set(view!.keys())).toEqual(union);
        for (const w of [...union, ...probes]) expect(view!.has(w), w).toBe(union.has(w));
      }),
    );
  });

  it.each([
    ['the empty word', ''],
    ['a prefix of a member', 'ann'],
    ['a member with a suffix', 'annaa'],
    ['a member in other case', 'Anna'],
    ['two members joined by the separator', 'anna\nbob'],
  ])('does not hold %s', (_name, probe) => {
    const [view] = packed([['anna', 'bob']]);
    expect(view!.has(probe)).toBe(false);
    expect(view!.has('anna')).toBe(true);
  });

  it('asking one set after another about the same word (the memo) gives each its own answer', () => {
    const [names, common] = packed([['grace', 'okafor'], ['grace', 'period']]);
    expect([names!.has('okafor'), common!.has('okafor'), names!.has('period'), common!.has('period')]).toEqual([true, false, false, true]);
  });

  it('refuses a word holding a line break, and more than 16 sets', () => {
    expect(() => packWords(new Map([['a', new Set(['x\ny'])]]))).toThrow(RangeError);
    expect(() => packWords(new Map(Array.from({ length: 17 }, (_, i) => [`s${i}`, new Set<string>()])))).toThrow(RangeError);
    expect(wordIndex(packWords(new Map([['a', new Set<string>()]])), 'x')).toBe(-1);
  });
});
