import { CONFUSABLE_LETTERS } from './confusables.js';

/**
 * The detection view: what every detector reads instead of the note itself.
 *
 * Why: a zero-width space inside a name (`Kowal\u200bski`), one between every digit of an SSN,
 * Cyrillic look-alike letters, full-width or mathematical-bold letters all read as the same PHI
 * to a person, but split a regex match, a dictionary word or a model token. So before detection
 * the note is rewritten into a plain view, and every span found there is mapped back onto the
 * ORIGINAL note, which is what gets transformed (its bytes outside spans never change).
 *
 * The view:
 * - drops format characters (general category Cf: zero-width space/joiner/non-joiner, word
 *   joiner, soft hyphen, BOM, bidi marks, embeddings and isolates, tag characters) and the other
 *   default-ignorable code points (variation selectors, combining grapheme joiner, Hangul fillers);
 * - folds each character (a base plus its combining marks) with NFKC: full-width, mathematical,
 *   circled and superscript letters and digits become ASCII, ligatures split (ﬁ → fi);
 * - folds the remaining look-alike LETTERS to the ASCII letter they imitate (Unicode
 *   confusables, table in confusables.ts: Cyrillic А → A, а → a, Greek Ο → O), keeping case;
 *   digits of other scripts become ASCII digits by value (٣ → 3);
 * - drops combining marks left on an ASCII letter or digit (strike-through, "Zalgo" stacks),
 *   while accented letters that NFKC composes (é) stay as they are.
 * Line breaks (CR, LF, CRLF, U+2028) are never removed, added or changed, so the view has the
 * same lines as the note.
 *
 * Offsets: the map is kept as segments, so it costs memory only where the view differs from the
 * note: a run of characters that map one unit to one unit (plain ASCII, Cyrillic а → a, full-width
 * Ａ → A) is one segment; a character whose length changes (𝐉 → J, ﬁ → fi, a letter with its
 * marks, a surrogate pair) is a segment of its own whose view units all map to the whole
 * character; dropped hidden characters are the gaps between segments. A note the view would not
 * change (any all-ASCII note: the fast path) has no view at all (undefined), so its spans are the
 * detectors' spans, untouched.
 */
export interface TextView {
  /** The text the detectors read. */
  readonly text: string;
  /** Length of the original note. */
  readonly originalLength: number;
  /** Segment j is view [viewStart[j], viewStart[j + 1]) (the last one ends at the view's end)... */
  readonly viewStart: Int32Array;
  /** ...from original [origStart[j], origEnd[j]). */
  readonly origStart: Int32Array;
  readonly origEnd: Int32Array;
  /** 1: unit k of the segment is original unit origStart + k; 0: every unit is the whole range. */
  readonly oneToOne: Uint8Array;
}

const NON_ASCII = /[^\p{ASCII}]/u;
/** Characters dropped from the view: invisible, and never part of what a reader sees. */
const HIDDEN = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const MARK = /\p{M}/u;
const DECIMAL_DIGIT = /\p{Nd}/u;
const ALNUM_THEN_MARKS = /(?<=[A-Za-z0-9])\p{M}+/gu;

const hiddenCodePoint = (cp: number): boolean => cp >= 0xad && HIDDEN.test(String.fromCodePoint(cp));
const isMark = (cp: number): boolean => cp >= 0x300 && MARK.test(String.fromCodePoint(cp));

/** ASCII digit of a non-ASCII decimal digit: Unicode encodes them in runs of ten from 0 to 9. */
function digitValue(cp: number): string {
  let zero = cp;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
  return String((cp - zero) % 10);
}

/** One character (base + marks, hidden characters already left out) as the view writes it. */
function fold(cluster: string): string {
  const nfkc = cluster.normalize('NFKC');
  let out = '';
  for (const ch of nfkc) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
    else out += CONFUSABLE_LETTERS.get(cp) ?? (DECIMAL_DIGIT.test(ch) ? digitValue(cp) : ch);
  }
  return out.length > 1 ? out.replace(ALNUM_THEN_MARKS, '') : out;
}

/** Per-note answers for the non-ASCII code points seen, so a long note asks each question once per code point. */
interface Memo {
  readonly hidden: Map<number, boolean>;
  readonly folded: Map<number, string>;
}

interface Sink {
  /** Original [start, end) is plain ASCII without marks: the view copies it unit for unit. */
  run(start: number, end: number): boolean;
  /** One character (original [start, end): a base, its marks and hidden characters between them) and its view. */
  char(view: string, start: number, end: number, same: boolean): boolean;
}

/**
 * Walks the note: runs of plain ASCII in bulk, every other character alone; hidden characters
 * outside a character are passed on with an empty view. Returns false as soon as the sink does.
 */
function walk(text: string, sink: Sink, memo: Memo): boolean {
  const n = text.length;
  const isHidden = (cp: number): boolean => {
    const known = memo.hidden.get(cp);
    if (known !== undefined) return known;
    const h = hiddenCodePoint(cp);
    memo.hidden.set(cp, h);
    return h;
  };
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n && text.charCodeAt(j) < 0x80) j++;
    // The last ASCII character before a non-ASCII one may carry combining marks: it goes alone.
    if (j < n && j > i) j--;
    if (j > i) {
      if (!sink.run(i, j)) return false;
      i = j;
      if (i >= n) break;
    }
    const start = i;
    const cp = text.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    if (cp >= 0x80 && isHidden(cp)) {
      // Hidden characters between a CR and an LF stay: dropping them would join two line breaks into one CRLF.
      let k = i;
      while (k < n && text.charCodeAt(k) >= 0x80 && isHidden(text.codePointAt(k)!)) k += text.codePointAt(k)! > 0xffff ? 2 : 1;
      if (text.charCodeAt(start - 1) === 0x0d && text.charCodeAt(k) === 0x0a) {
        if (!sink.char(text.slice(start, k), start, k, true)) return false;
        i = k;
        continue;
      }
      if (!sink.char('', start, i, false)) return false;
      continue;
    }
    // Take the marks that follow, even past hidden characters between them.
    let end = i;
    let marks = '';
    let hiddenInside = false;
    while (i < n) {
      const c = text.codePointAt(i)!;
      if (c < 0x80) break;
      const w = c > 0xffff ? 2 : 1;
      if (isHidden(c)) {
        i += w;
        continue;
      }
      if (!isMark(c)) break;
      i += w;
      if (i - w > end) hiddenInside = true;
      end = i;
      marks += String.fromCodePoint(c);
    }
    i = end;
    const base = String.fromCodePoint(cp);
    let view: string;
    if (marks !== '') view = fold(base + marks);
    else if (cp < 0x80) view = base;
    else {
      const known = memo.folded.get(cp);
      view = known ?? fold(base);
      if (known === undefined) memo.folded.set(cp, view);
    }
    if (!sink.char(view, start, end, !hiddenInside && view === text.slice(start, end))) return false;
  }
  return true;
}

/** An Int32Array that grows as it is written. */
class Ints {
  buf: Int32Array;
  length = 0;
  constructor(capacity = 64) {
    this.buf = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  done(): Int32Array {
    return this.buf.slice(0, this.length);
  }
}

const UNCHANGED: Sink = { run: () => true, char: (_v, _s, _e, same) => same };

/** The detection view of a note, or undefined when it would equal the note (every all-ASCII note). */
export function normalizeForDetection(text: string): TextView | undefined {
  if (!NON_ASCII.test(text)) return undefined;
  const memo: Memo = { hidden: new Map(), folded: new Map() };
  if (walk(text, UNCHANGED, memo)) return undefined;
  // The view text in chunks (a part per character of a long non-ASCII note would cost more than the text).
  const chunks: string[] = [];
  let parts: string[] = [];
  const viewStart = new Ints();
  const origStart = new Ints();
  const origEnd = new Ints();
  const oneToOne = new Ints();
  let viewLength = 0;
  const segment = (view: string, start: number, end: number, unitForUnit: boolean): void => {
    if (view === '') return;
    parts.push(view);
    if (parts.length >= 4096) {
      chunks.push(parts.join(''));
      parts = [];
    }
    const last = origStart.length - 1;
    if (unitForUnit && last >= 0 && oneToOne.buf[last] === 1 && origEnd.buf[last] === start) {
      origEnd.buf[last] = end;
    } else {
      viewStart.push(viewLength);
      origStart.push(start);
      origEnd.push(end);
      oneToOne.push(unitForUnit ? 1 : 0);
    }
    viewLength += view.length;
  };
  walk(text, {
    run(start, end) {
      segment(text.slice(start, end), start, end, true);
      return true;
    },
    char(view, start, end) {
      segment(view, start, end, view.length === 1 && end - start === 1);
      return true;
    },
  }, memo);
  chunks.push(parts.join(''));
  return {
    text: chunks.join(''),
    originalLength: text.length,
    viewStart: viewStart.done(),
    origStart: origStart.done(),
    origEnd: origEnd.done(),
    oneToOne: Uint8Array.from(oneToOne.done()),
  };
}

/** The original range of the character view unit i came from (both units of a pair, every unit of an expansion, share it). */
export function unitRange(view: TextView, i: number): { from: number; to: number } {
  const { viewStart } = view;
  let lo = 0;
  let hi = viewStart.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (viewStart[mid]! <= i) lo = mid;
    else hi = mid - 1;
  }
  if (view.oneToOne[lo] === 1) {
    const from = view.origStart[lo]! + i - viewStart[lo]!;
    return { from, to: from + 1 };
  }
  return { from: view.origStart[lo]!, to: view.origEnd[lo]! };
}

/**
 * The original range of view range [start, end). The start is the original start of the first
 * view character, the end the original end of the last one; hidden characters that touch the
 * range (between it and the neighbouring kept characters) are taken in too.
 */
export function toOriginalRange(view: TextView, start: number, end: number): { start: number; end: number } {
  const n = view.text.length;
  const first = unitRange(view, start);
  const before = start > 0 ? unitRange(view, start - 1) : undefined;
  const s = before === undefined ? 0 : before.from === first.from ? first.from : before.to;
  const last = unitRange(view, end - 1);
  const after = end < n ? unitRange(view, end) : undefined;
  const e = after === undefined ? view.originalLength : after.from === last.from ? last.to : after.from;
  return { start: s, end: e };
}

/** The view range whose characters come from inside original range [start, end) (a mapped span's own view text). */
export function toViewRange(view: TextView, start: number, end: number): { start: number; end: number } {
  // First view unit whose character starts at or after `start`; first one ending after `end`.
  const firstWhere = (lo: number, test: (i: number) => boolean): number => {
    let hi = view.text.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (test(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const s = firstWhere(0, (i) => unitRange(view, i).from >= start);
  const e = firstWhere(s, (i) => unitRange(view, i).to > end);
  return { start: s, end: Math.max(s, e) };
}

/**
 * Spans found on the view, placed on the original note. With `disjoint` (merged spans), a hidden
 * character both neighbours took in goes to the earlier span, and a span left with nothing of its
 * own (two spans inside one expanded character, ﬁ) is dropped: the earlier one covers it.
 */
export function spansToOriginal<T extends { readonly start: number; readonly end: number }>(
  view: TextView | undefined,
  spans: readonly T[],
  disjoint = false,
): T[] {
  if (view === undefined) return [...spans];
  const out: T[] = [];
  let prevEnd = 0;
  for (const s of disjoint ? [...spans].sort((a, b) => a.start - b.start) : spans) {
    const r = toOriginalRange(view, s.start, s.end);
    if (disjoint) {
      r.start = Math.max(r.start, prevEnd);
      if (r.start >= r.end) continue;
      prevEnd = r.end;
    }
    out.push({ ...s, start: r.start, end: r.end });
  }
  return out;
}
