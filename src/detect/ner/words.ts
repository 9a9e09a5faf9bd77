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
