/**
 * Recovers predicted spans from a library that only returns redacted text, by aligning its output
 * with its input. Pure: strings in, offsets out. The method (also in bench/compare/README.md):
 *
 * 1. Slots. The library's replacement tokens (`[email removed]`, `PHONE_NUMBER`,
 *    `<Redacted email #0>`) are found in the output with a per-library pattern. Touching tokens form
 *    one slot. The output text between slots is the anchors a0 … ak: text the library copied.
 * 2. Anchor walk. The input must read a0 g1 a1 g2 … gk ak with every gap g non-empty: a0 is a
 *    prefix, ak a suffix, and each middle anchor is taken at its leftmost occurrence after the
 *    previous one plus one character. Leftmost is complete: it leaves the longest rest of the input,
 *    so if any split exists, this one succeeds. Each gap is a predicted span, labelled by its slot's
 *    token. When anchors repeat inside PHI (an anchor " " between two tokens), the split is one of
 *    several equally valid ones; token-level scores do not depend on which (spaces are not tokens).
 * 3. Diff fallback, when the walk fails (the library also changed text outside its tokens, or
 *    deleted text with no token): the tokens are stripped from the output and a Myers diff (shortest
 *    edit script, after trimming the common prefix and suffix) matches output characters to input
 *    characters. Every input character not matched is predicted PHI; runs of them are spans, each
 *    labelled by the nearest slot. Output characters that match nothing are counted (`inserted`).
 *    If the edit script is longer than `maxEdits`, everything between the common prefix and suffix
 *    is predicted (a superset) and the method is `prefix-suffix`.
 */

export interface AlignedSpan {
  readonly start: number;
  readonly end: number;
  /** The replacement token(s) that stood for this span in the output ('' when none was near). */
  readonly token: string;
}

export type AlignMethod = 'identical' | 'anchors' | 'diff' | 'prefix-suffix';

export interface Alignment {
  readonly spans: readonly AlignedSpan[];
  readonly method: AlignMethod;
  /** Output characters outside tokens that the diff could not match to the input (0 for anchors). */
  readonly inserted: number;
}

interface Slot {
  /** Offsets in the output. */
  readonly start: number;
  readonly end: number;
  readonly token: string;
}

export const DEFAULT_MAX_EDITS = 4000;

export function alignRedaction(input: string, output: string, tokenPattern: RegExp, maxEdits = DEFAULT_MAX_EDITS): Alignment {
  if (input === output) return { spans: [], method: 'identical', inserted: 0 };
  const slots = findSlots(output, tokenPattern);
  const walked = anchorWalk(input, output, slots);
  if (walked) return { spans: walked, method: 'anchors', inserted: 0 };
  return diffAlign(input, output, slots, maxEdits);
}

function findSlots(output: string, tokenPattern: RegExp): Slot[] {
  const flags = tokenPattern.flags.includes('g') ? tokenPattern.flags : `${tokenPattern.flags}g`;
  const re = new RegExp(tokenPattern.source, flags);
  const slots: Slot[] = [];
  for (const m of output.matchAll(re)) {
    if (m[0].length === 0) continue;
    const start = m.index;
    const end = start + m[0].length;
    const last = slots[slots.length - 1];
    if (last && last.end === start) slots[slots.length - 1] = { start: last.start, end, token: last.token + m[0] };
    else slots.push({ start, end, token: m[0] });
  }
  return slots;
}

function anchorWalk(input: string, output: string, slots: readonly Slot[]): AlignedSpan[] | undefined {
  if (slots.length === 0) return undefined;
  const anchors: string[] = [];
  let from = 0;
  for (const s of slots) {
    anchors.push(output.slice(from, s.start));
    from = s.end;
  }
  anchors.push(output.slice(from));
  if (!input.startsWith(anchors[0]!)) return undefined;
  let pos = anchors[0]!.length;
  const spans: AlignedSpan[] = [];
  for (let i = 1; i < anchors.length; i++) {
    const a = anchors[i]!;
    let at: number;
    if (i === anchors.length - 1) {
      at = input.length - a.length;
      if (at < pos + 1 || !input.endsWith(a)) return undefined;
    } else {
      at = input.indexOf(a, pos + 1);
      if (at < 0) return undefined;
    }
    spans.push({ start: pos, end: at, token: slots[i - 1]!.token });
    pos = at + a.length;
  }
  return spans;
}

function diffAlign(input: string, output: string, slots: readonly Slot[], maxEdits: number): Alignment {
  // Strip the tokens, remembering where each slot sat in the stripped output.
  let stripped = '';
  const slotAt: { pos: number; token: string }[] = [];
  let from = 0;
  for (const s of slots) {
    stripped += output.slice(from, s.start);
    slotAt.push({ pos: stripped.length, token: s.token });
    from = s.end;
  }
  stripped += output.slice(from);

  let pre = 0;
  const maxPre = Math.min(input.length, stripped.length);
  while (pre < maxPre && input.charCodeAt(pre) === stripped.charCodeAt(pre)) pre++;
  let suf = 0;
  while (
    suf < maxPre - pre &&
    input.charCodeAt(input.length - 1 - suf) === stripped.charCodeAt(stripped.length - 1 - suf)
  )
    suf++;
  const a = input.slice(pre, input.length - suf);
  const b = stripped.slice(pre, stripped.length - suf);
  const nearestToken = (outPos: number): string => {
    let best = '';
    let dist = Infinity;
    for (const s of slotAt) {
      const d = Math.abs(s.pos - outPos);
      if (d < dist) {
        dist = d;
        best = s.token;
      }
    }
    return best;
  };

  const matched = myersMatchedA(a, b, maxEdits);
  if (!matched) {
    const spans = a.length > 0 ? [{ start: pre, end: pre + a.length, token: nearestToken(pre) }] : [];
    return { spans, method: 'prefix-suffix', inserted: b.length };
  }
  const spans: AlignedSpan[] = [];
  let runStart = -1;
  let bPos = 0;
  let runB = 0;
  for (let i = 0; i <= a.length; i++) {
    const isMatch = i === a.length || matched.aToB[i]! >= 0;
    if (isMatch) {
      if (runStart >= 0) {
        spans.push({ start: pre + runStart, end: pre + i, token: nearestToken(pre + runB) });
        runStart = -1;
      }
      if (i < a.length) bPos = matched.aToB[i]! + 1;
    } else if (runStart < 0) {
      runStart = i;
      runB = bPos;
    }
  }
  return { spans, method: 'diff', inserted: b.length - matched.matches };
}

/**
 * Myers' O((N+M)D) shortest edit script (Myers 1986, "An O(ND) difference algorithm"), keeping
 * the furthest-reaching x per diagonal for each edit distance d so the path can be traced back.
 * Returns, for each character of `a`, the index in `b` it is matched to (-1: deleted), or
 * undefined when more than `maxD` edits are needed.
 */
export function myersMatchedA(a: string, b: string, maxD: number): { aToB: Int32Array; matches: number } | undefined {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(n + m, maxD);
  const off = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  // trace[d] holds v for diagonals -d-1 … d+1 as it stood before step d.
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= limit && found < 0; d++) {
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a.charCodeAt(x) === b.charCodeAt(y)) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return undefined;
  const aToB = new Int32Array(n).fill(-1);
  let matches = 0;
  let x = n;
  let y = m;
  for (let d = found; d >= 0; d--) {
    const w = trace[d]!;
    const at = (k: number): number => w[k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      aToB[x] = y;
      matches++;
    }
    x = prevX;
    y = prevY;
  }
  return { aToB, matches };
}
