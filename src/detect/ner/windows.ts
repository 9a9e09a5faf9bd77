/**
 * Chunking a note's words into model windows and mapping predictions back (Presidio's text
 * chunker; transformers.js silently truncates instead). Pure: counts and ids in, plans out.
 *
 * A window is `[CLS] pieces of words first..end-1 [SEP]`, at most `capacity + 2` tokens.
 * Consecutive windows share up to `overlap` tokens of whole words. Each word is predicted by
 * the window where it sits farthest from a cut edge (a note's own start and end are not cuts:
 * nothing is missing there), so every word is read with as much context as the plan allows.
 */
export interface WindowPlan {
  /** Index of the first word in the window. */
  readonly first: number;
  /** Index one past the last word in the window. */
  readonly end: number;
}

/** Piece counts capped at the window capacity: only a word's first piece is read, so a longer word keeps its head. */
export function cappedPieceCounts(wordIds: readonly (readonly number[])[], capacity: number): number[] {
  return wordIds.map((ids) => Math.min(ids.length, capacity));
}

/**
 * Greedy plan: fill each window with whole words up to `capacity` pieces, then start the next
 * window so that it repeats at most `overlap` pieces of the previous one. Always makes
 * progress, so it terminates for any input. `pieces[i]` must be ≤ capacity.
 */
export function planWindows(pieces: readonly number[], capacity: number, overlap: number): WindowPlan[] {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`E036 window capacity must be a positive integer (got ${capacity})`);
  const n = pieces.length;
  const plans: WindowPlan[] = [];
  if (n === 0) return plans;
  let start = 0;
  for (;;) {
    let end = start;
    let used = 0;
    while (end < n && (used + pieces[end]! <= capacity || end === start)) {
      used += pieces[end]!;
      end++;
    }
    plans.push({ first: start, end });
    if (end >= n) return plans;
    let next = end;
    let shared = 0;
    while (next - 1 > start && shared + pieces[next - 1]! <= overlap) {
      shared += pieces[next - 1]!;
      next--;
    }
    start = next;
  }
}

/**
 * For each word, the index of the window whose prediction is used: the one where the word is
 * farthest (in pieces) from a cut edge; ties go to the earlier window.
 */
export function assignOwners(pieces: readonly number[], plans: readonly WindowPlan[]): Int32Array {
  const n = pieces.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + pieces[i]!;
  const owner = new Int32Array(n).fill(-1);
  const best = new Float64Array(n).fill(-1);
  plans.forEach((p, w) => {
    for (let i = p.first; i < p.end; i++) {
      const left = p.first === 0 ? Infinity : prefix[i]! - prefix[p.first]!;
      const right = p.end === n ? Infinity : prefix[p.end]! - prefix[i + 1]!;
      const margin = Math.min(left, right);
      if (margin > best[i]!) {
        best[i] = margin;
        owner[i] = w;
      }
    }
  });
  return owner;
}

export interface EncodedWindow {
  /** `[CLS] pieces… [SEP]`. */
  readonly ids: number[];
  /** For each word of the window (index − plan.first), the position of its first piece, or −1 when it has none. */
  readonly firstPiece: Int32Array;
  /** Case shape per token (words.ts WORD_SHAPES; 0 on [CLS]/[SEP]) when word shapes were given. */
  readonly shapes?: number[];
}

export function encodeWindow(
  wordIds: readonly (readonly number[])[],
  plan: WindowPlan,
  capacity: number,
  cls: number,
  sep: number,
  wordShapes?: Uint8Array,
): EncodedWindow {
  const ids = [cls];
  const shapes = wordShapes ? [0] : undefined;
  const firstPiece = new Int32Array(plan.end - plan.first).fill(-1);
  for (let i = plan.first; i < plan.end; i++) {
    const pieces = wordIds[i]!;
    if (pieces.length === 0) continue;
    firstPiece[i - plan.first] = ids.length;
    const take = Math.min(pieces.length, capacity);
    for (let k = 0; k < take; k++) {
      ids.push(pieces[k]!);
      shapes?.push(wordShapes![i]!);
    }
  }
  ids.push(sep);
  shapes?.push(0);
  return shapes ? { ids, firstPiece, shapes } : { ids, firstPiece };
}
