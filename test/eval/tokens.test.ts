import { describe, expect, it } from 'vitest';
import { tokenize, tokensOverlapping } from '../../src/eval/tokens.js';

const words = (text: string): string[] => tokenize(text).map((t) => text.slice(t.start, t.end));

describe('tokenize', () => {
  it.each([
    ['Pt John Smith seen 3/4/2020.', ['Pt', 'John', 'Smith', 'seen', '3', '4', '2020']],
    ["O'Brien", ['O', 'Brien']],
    ['555-201-7788', ['555', '201', '7788']],
    ['Zoë café', ['Zoë', 'café']],
    ['e\u0301t\u00e9', ['e\u0301t\u00e9']], // combining acute stays inside the token
    ['🙂 Ann', ['Ann']],
    ['', []],
    ['  ,.;:  ', []],
    ['a1b2', ['a1b2']],
  ])('%j', (text, expected) => {
    expect(words(text)).toEqual(expected);
  });

  it('gives JS string offsets after astral characters', () => {
    expect(tokenize('🙂 Ann')).toEqual([{ start: 3, end: 6 }]);
  });
});

describe('tokensOverlapping', () => {
  // tokens of "ab cd ef": [0,2) [3,5) [6,8)
  const tokens = tokenize('ab cd ef');
  it.each([
    [0, 2, [0, 1]],
    [1, 4, [0, 2]], // touches ab and cd
    [2, 3, [1, 1]], // only the space: no token
    [2, 6, [1, 2]], // [2,6) covers cd and ends where ef starts
    [5, 7, [2, 3]],
    [0, 8, [0, 3]],
    [8, 9, [3, 3]],
  ] as const)('[%i, %i) → %j', (start, end, expected) => {
    expect(tokensOverlapping(tokens, start, end)).toEqual(expected);
  });
});
