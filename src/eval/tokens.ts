/** A token of a note: end-exclusive JS string offsets. */
export interface Token {
  readonly start: number;
  readonly end: number;
}

/**
 * Tokens for binary scoring are maximal runs of letters, combining marks and digits.
 * Punctuation and whitespace are not tokens: PHI lives in the alphanumeric runs
 * ("5/13" is the tokens 5 and 13; "O'Brien" is O and Brien), and counting separators
 * would reward or punish a detector for where it put a span's edge around a slash.
 * A gold span of punctuation alone therefore has no tokens; entity-level scores still count it.
 */
const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

/** Index range [from, to) of the sorted, disjoint `tokens` that share a character with [start, end). */
export function tokensOverlapping(tokens: readonly Token[], start: number, end: number): [number, number] {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  let to = lo;
  while (to < tokens.length && tokens[to]!.start < end) to++;
  return [lo, to];
}
