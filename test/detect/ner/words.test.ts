import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitWords } from '../../../src/detect/ner/words.js';

const pieces = (text: string): string[] => splitWords(text).map((w) => text.slice(w.start, w.end));

describe('splitWords', () => {
  it.each([
    ['Dr. Smith', ['Dr', '.', 'Smith']],
    ['3/4/2020', ['3', '/', '4', '/', '2020']],
    ['555-1234', ['555', '-', '1234']],
    ["O'Neil", ['O', "'", 'Neil']],
    ['a.b@c.org', ['a', '.', 'b', '@', 'c', '.', 'org']],
    ['José Müller', ['José', 'Müller']],
    ['Jose\u0301', ['Jose\u0301']], // a combining accent stays inside its word
    ['x2y', ['x2y']],
    ['😀ok', ['😀', 'ok']], // an astral symbol is one word, not two halves
    ['BP 120/80mmHg', ['BP', '120', '/', '80mmHg']],
  ])('%j → %j', (text, expected) => {
    expect(pieces(text)).toEqual(expected);
  });

  it.each([[''], ['   '], ['\n\t \r\n'], ['\u00a0\u2003']])('no words in whitespace-only %j', (text) => {
    expect(splitWords(text)).toEqual([]);
  });

  it('words are in order, non-empty, disjoint, and only whitespace lies between them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const words = splitWords(text);
        let prev = 0;
        for (const w of words) {
          expect(w.start).toBeGreaterThanOrEqual(prev);
          expect(w.end).toBeGreaterThan(w.start);
          expect(text.slice(prev, w.start).trim()).toBe('');
          prev = w.end;
        }
        expect(text.slice(prev).trim()).toBe('');
      }),
    );
  });
});
