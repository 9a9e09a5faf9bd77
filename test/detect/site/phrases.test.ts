import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPhraseIndex, matchPhrases, noteWords, oneSlip, wordKey } from '../../../src/detect/site/phrases.js';

// Invented words only.
const found = (text: string, phrases: string[], fuzzy = true): string[] =>
  matchPhrases(text, buildPhraseIndex(phrases.map((p, tag) => ({ words: noteWords(p).map((w) => w.key), tag })), fuzzy)).map((m) => text.slice(m.start, m.end));

describe('oneSlip', () => {
  it.each([
    ['quillon', 'quillon', true],
    ['quillon', 'quilon', true], // dropped
    ['quillon', 'quilllon', true], // added
    ['quillon', 'quellon', true], // changed
    ['quillon', 'qiullon', true], // swapped
    ['quillon', 'qullin', false],
    ['quillon', 'quill', false],
    ['abcde', 'badce', false],
    ['', 'a', true],
  ])('%s ~ %s: %s', (a, b, want) => {
    expect(oneSlip(a, b)).toBe(want);
    expect(oneSlip(b, a)).toBe(want);
  });

  it('holds for every single edit of a random word', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 2, maxLength: 12, unit: fc.constantFrom(...'abcdefgh') }), fc.nat(), fc.constantFrom('del', 'ins', 'sub', 'swap'), (w, at, op) => {
        const i = at % w.length;
        const edited =
          op === 'del' ? w.slice(0, i) + w.slice(i + 1) : op === 'ins' ? `${w.slice(0, i)}z${w.slice(i)}` : op === 'sub' ? `${w.slice(0, i)}z${w.slice(i + 1)}` : i + 1 < w.length ? w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2) : w;
        expect(oneSlip(w, edited)).toBe(true);
      }),
    );
  });
});

describe('matchPhrases', () => {
  it.each([
    ['at Brindlecombe Hall today', ['Brindlecombe Hall'], ['Brindlecombe Hall']],
    ['at BRINDLECOMBE HALL today', ['Brindlecombe Hall'], ['BRINDLECOMBE HALL']],
    ['at brindlecombe-hall', ['Brindlecombe Hall'], ['brindlecombe-hall']],
    ['at Brindlecombe, Hall', ['Brindlecombe Hall'], ['Brindlecombe, Hall']],
    ['to Brindlcombe Hall', ['Brindlecombe Hall'], ['Brindlcombe Hall']], // a slip in a capitalised word
    ["Brindlecombe's wing", ['Brindlecombe'], ['Brindlecombe']], // possessive left out
    ['Ward7 then ward 7', ['Ward'], ['Ward', 'ward']],
    ['Brindlecombes wing', ['Brindlecombe'], ['Brindlecombes']], // a possessive without its apostrophe is one slip
    // Negatives: part of a word, across a line, slips in lower case or short words, and too far apart.
    ['Brindlecombeshire', ['Brindlecombe'], []],
    ['Brindlecombe\nHall', ['Brindlecombe Hall'], []],
    ['a brindlcombe hall', ['Brindlecombe Hall'], []],
    ['at OPX or OPZ', ['OPQ'], []],
    ['Brindlecombe - / - Hall', ['Brindlecombe Hall'], []],
  ])('%j with %j', (text, phrases, want) => {
    expect(found(text, phrases)).toEqual(want);
  });

  it('without slips, only exact words', () => {
    expect(found('to Brindlcombe Hall', ['Brindlecombe Hall'], false)).toEqual([]);
  });

  it('keys fold case, accents and curly apostrophes', () => {
    expect(wordKey('Ó’Brèaca')).toBe("o'breaca");
  });

  it('every match lies inside the note and on word boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('Quillon', 'quillon', 'Hale', 'x', ',', ' ', '-', '\n', 'Quilon', '7'), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        const index = buildPhraseIndex([{ words: ['quillon', 'hale'], tag: 0 }, { words: ['quillon'], tag: 1 }]);
        for (const m of matchPhrases(text, index)) {
          expect(m.start).toBeGreaterThanOrEqual(0);
          expect(m.end).toBeLessThanOrEqual(text.length);
          expect(/[\p{L}]/u.test(text[m.start - 1] ?? ' ')).toBe(false);
          expect(/[\p{L}]/u.test(text[m.end] ?? ' ')).toBe(false);
        }
      }),
    );
  });
});
