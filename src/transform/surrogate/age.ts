/**
 * Ages: Safe Harbor aggregates every age over 89 into one bucket ("90+" by default); ages up
 * to 89 are not identifiers and are kept unless the policy asks to tag them.
 */

const WORD_VALUES: Record<string, number> = {
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, hundred: 100,
};

/** The age written in the span, if it can be read: digits first, then simple number words. */
export function readAge(text: string): { value: number; at: number; length: number } | undefined {
  const digits = /\d{1,3}/u.exec(text);
  if (digits) return { value: Number(digits[0]), at: digits.index, length: digits[0].length };
  const words = /\b(?:one\s+)?(hundred|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(?:and\s+)?(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)?)?(?:[\s-]+(one|two|three|four|five|six|seven|eight|nine))?\b/iu.exec(text);
  if (!words) return undefined;
  const value = [words[1], words[2], words[3]].reduce((sum, w) => sum + (w ? (WORD_VALUES[w.toLowerCase()] ?? 10) : 0), 0);
  return { value, at: words.index, length: words[0].length };
}

export interface AgeOptions {
  /** The bucket written for ages over 89. */
  readonly over89: string;
  /** Ages ≤ 89: keep them (Safe Harbor allows it) or tag them. */
  readonly under90: 'keep' | 'tag';
}

/** The replacement for an AGE span, or undefined when it must be tagged. */
export function ageSurrogate(original: string, options: AgeOptions): string | undefined {
  const age = readAge(original);
  if (!age) return undefined;
  if (age.value > 89) return original.slice(0, age.at) + options.over89 + original.slice(age.at + age.length);
  return options.under90 === 'keep' ? original : undefined;
}
