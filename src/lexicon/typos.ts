/**
 * Whether `word` is a typing slip away from a word `known` accepts: two neighbouring letters
 * swapped ("reveiw", "cehmistry"), a letter doubled ("lassix") or a double letter written once
 * ("cozar"). Only these slips: a changed, dropped or added letter turns too many rare surnames
 * into some word of a 100k-word medical vocabulary (measured on the gold and public corpora
 * names: models/MODEL_CARD.md), while these three almost never do.
 */
export function typoOf(word: string, known: (candidate: string) => boolean): boolean {
  const n = word.length;
  for (let i = 0; i + 1 < n; i++) {
    const a = word[i]!;
    const b = word[i + 1]!;
    if (a === b) {
      if (known(word.slice(0, i) + word.slice(i + 1))) return true;
    } else if (known(word.slice(0, i) + b + a + word.slice(i + 2))) return true;
  }
  for (let i = 0; i < n; i++) {
    if (word[i] !== word[i - 1] && known(word.slice(0, i + 1) + word.slice(i))) return true;
  }
  return false;
}
