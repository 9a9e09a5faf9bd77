import type { KeyedStream } from '../keyed.js';

/** How a word is capitalized, so a surrogate can be written the same way (SMITH/Smith/smith). */
export type CaseShape = 'upper' | 'lower' | 'title' | 'other';

export function caseShape(word: string): CaseShape {
  const letters = word.replace(/[^\p{L}]/gu, '');
  if (letters.length === 0) return 'other';
  if (letters.length > 1 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) return 'upper';
  if (letters === letters.toLowerCase()) return 'lower';
  if (letters[0] === letters[0]!.toUpperCase()) return 'title';
  return 'other';
}

/** Writes `surrogate` in `shape`; 'title' and 'other' keep the list's own capitalization (McDermott). */
export function withCase(surrogate: string, shape: CaseShape): string {
  switch (shape) {
    case 'upper':
      return surrogate.toUpperCase();
    case 'lower':
      return surrogate.toLowerCase();
    default:
      return surrogate;
  }
}

export function applyCaseOf(original: string, surrogate: string): string {
  return withCase(surrogate, caseShape(original));
}

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();

/**
 * Format-preserving scramble: every digit becomes a keyed digit, every ASCII letter a keyed
 * letter of the same case; everything else (separators, spaces) is kept. Same length, same
 * character class at every position.
 */
export function scrambleChars(original: string, stream: KeyedStream): string {
  let out = '';
  for (const ch of original) {
    if (ch >= '0' && ch <= '9') out += DIGITS[stream.int(10)];
    else if (ch >= 'a' && ch <= 'z') out += LOWER[stream.int(26)];
    else if (ch >= 'A' && ch <= 'Z') out += UPPER[stream.int(26)];
    else if (/\p{L}/u.test(ch)) out += ch === ch.toUpperCase() ? UPPER[stream.int(26)] : LOWER[stream.int(26)];
    else if (/\p{N}/u.test(ch)) out += DIGITS[stream.int(10)];
    else out += ch;
  }
  return out;
}

/** True when two renderings are the same text apart from case (the "never equal" rule). */
export function sameIgnoringCase(a: string, b: string): boolean {
  return a.normalize('NFKC').toLowerCase() === b.normalize('NFKC').toLowerCase();
}

/**
 * Draws until the result differs from the original (case-insensitively). Each attempt reads
 * the next numbers of the same keyed stream, so the re-draw is deterministic.
 */
export function drawDifferent(original: string, draw: () => string, attempts = 32): string | undefined {
  for (let i = 0; i < attempts; i++) {
    const candidate = draw();
    if (!sameIgnoringCase(candidate, original)) return candidate;
  }
  return undefined;
}
