/**
 * Word tokens with offsets into the note, and the note's case style. Names in nursing notes
 * come in three styles (Title Case prose, ALL CAPS notes, all-lowercase notes); capitalisation
 * is evidence only in the first, so every rule asks `caseMode` before trusting shape.
 */

export type Shape = 'cap' | 'upper' | 'lower' | 'other';
export type CaseMode = 'mixed' | 'upper' | 'lower';

export interface WordToken {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Lowercase, without a possessive 's (Mary's → mary): the dictionary key. */
  readonly key: string;
  readonly shape: Shape;
}

/** A word: letters, inner apostrophes, hyphenated parts (O'Brien-Smith's). Shared with cue parsing. */
export const WORD_SOURCE = "[\\p{L}\\p{M}][\\p{L}\\p{M}'’]*(?:-[\\p{L}\\p{M}][\\p{L}\\p{M}'’]*)*";
const WORD = new RegExp(WORD_SOURCE, 'gu');
const POSSESSIVE = /['’]s$/;

function isUpperLetter(s: string): boolean {
  return s === s.toUpperCase() && s !== s.toLowerCase();
}

export function shapeOf(word: string): Shape {
  const lower = word.toLowerCase();
  if (word === lower) return 'lower';
  if (word === word.toUpperCase()) return 'upper';
  // Capitalised, including McDonald, O'Brien, DeLuca: an upper-case first letter and some lower case.
  return isUpperLetter(word[0] ?? '') ? 'cap' : 'other';
}

export function wordTokens(text: string): WordToken[] {
  const out: WordToken[] = [];
  for (const m of text.matchAll(WORD)) {
    const raw = m[0].replace(/['’]+$/, '');
    const start = m.index;
    const lower = raw.toLowerCase();
    out.push({ start, end: start + raw.length, text: raw, key: lower.replace(POSSESSIVE, ''), shape: shapeOf(raw) });
  }
  return out;
}

/**
 * `upper`: most letters are capitals (ALL CAPS notes); `lower`: almost no word is
 * capitalised; `mixed`: ordinary prose, where a capitalised word is a hint of a name.
 */
export function caseMode(tokens: readonly WordToken[]): CaseMode {
  let upper = 0;
  let cap = 0;
  let words = 0;
  for (const t of tokens) {
    if (t.text.length < 2) continue;
    words++;
    if (t.shape === 'upper') upper++;
    else if (t.shape === 'cap') cap++;
  }
  if (words === 0) return 'mixed';
  if (upper / words > 0.6) return 'upper';
  if (cap / words < 0.03) return 'lower';
  return 'mixed';
}
