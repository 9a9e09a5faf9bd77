/**
 * Word pre-splitting shared with training (models/train): a word is a maximal run of
 * letters, digits and combining marks; every other non-space character is a word of its
 * own. The tokenizer gives ids but no character offsets, so offsets come from here.
 */
export interface Word {
  readonly start: number;
  /** End-exclusive JS string index. */
  readonly end: number;
}

const WORD = /[\p{L}\p{N}\p{M}]+|[^\p{L}\p{N}\p{M}\s]/gu;

export function splitWords(text: string): Word[] {
  const words: Word[] = [];
  for (const m of text.matchAll(WORD)) words.push({ start: m.index, end: m.index + m[0].length });
  return words;
}

/**
 * Case-shape classes of a word, fed to phi-ner/2 models beside the piece ids (the vocabulary
 * is lowercased, which would otherwise hide capitalisation). Same order and rules as
 * `models/train/phi_text.py` `SHAPES` / `word_shape`; index 0 is [CLS], [SEP] and padding.
 */
export const WORD_SHAPES = ['special', 'lower', 'capitalized', 'upper', 'single-upper', 'number', 'mixed', 'symbol'] as const;

const WORD_CHAR = /^[\p{L}\p{N}\p{M}]/u;
const LETTER = /\p{L}/u;
const NOT_LETTER_OR_MARK = /[^\p{L}\p{M}]/u;

/** The shape class (index into WORD_SHAPES) of one pre-split word. */
export function wordShape(word: string): number {
  if (!WORD_CHAR.test(word)) return 7;
  if (!LETTER.test(word)) return 5;
  if (NOT_LETTER_OR_MARK.test(word)) return 6;
  let upper = 0;
  let lower = 0;
  // Per code point, as Python iterates a str: a letter is upper when lower-casing changes it.
  for (const c of word) {
    if (c.toLowerCase() !== c) upper++;
    if (c.toUpperCase() !== c) lower++;
  }
  if (lower === 0 && upper >= 2) return 3;
  if (lower === 0 && upper === 1) return 4;
  const first = String.fromCodePoint(word.codePointAt(0)!);
  return first.toLowerCase() !== first ? 2 : 1;
}
