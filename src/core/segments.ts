/**
 * Cutting a long note into overlapping segments, so detectors work on a bounded stretch of text
 * at a time and their working memory (token arrays, model windows, match lists) stays flat
 * however long the note is. Pure.
 *
 * Each segment OWNS a core `[ownStart, ownEnd)`; the cores tile the note, cut after a line
 * break where there is one near the cut (else after whitespace, else between two code points).
 * The segment itself reaches up to `overlap` characters past its core on both sides (again cut at
 * a line break or whitespace when one is near), so a PHI string across a cut is seen whole by the
 * segment that owns its start, with at least `overlap` characters of context before it. A span a
 * detector finds in a segment is kept only when it starts inside that segment's core, so the
 * same string found by two segments is counted once.
 *
 * A note of at most `size` characters is one segment covering all of it: detection on it is
 * exactly what it was before segmenting.
 */

export interface Segment {
  /** Where the text handed to the detectors starts and ends (note offsets). */
  readonly start: number;
  readonly end: number;
  /** The core this segment owns: keep a span when ownStart <= span.start < ownEnd. */
  readonly ownStart: number;
  readonly ownEnd: number;
}

/**
 * 64 Ki characters: a few hundred NER windows' worth of text (a window is 256 tokens, about 1 KB),
 * far more than any note of the dev and test folds needs (none reaches it), and small enough that
 * what a detector builds per call (tokens, windows, candidate lists) stays in the low megabytes.
 */
export const SEGMENT_CHARS = 64 * 1024;
/**
 * 2 Ki characters each side: longer than any PHI string (an address block is a few hundred
 * characters) and wider than an NER window's context, so a string across a cut is seen whole,
 * with its label or cue word before it.
 */
export const SEGMENT_OVERLAP = 2 * 1024;

export function segmentsOf(text: string, size = SEGMENT_CHARS, overlap = SEGMENT_OVERLAP): Segment[] {
  const n = text.length;
  if (n <= size) return [{ start: 0, end: n, ownStart: 0, ownEnd: n }];
  if (!(overlap >= 0 && size > 4 * overlap)) throw new RangeError('segment size must exceed four times the overlap');
  const core = size - 2 * overlap;
  const segments: Segment[] = [];
  let ownStart = 0;
  while (ownStart < n) {
    const ownEnd = n - ownStart <= core ? n : cutBefore(text, ownStart + core, ownStart + Math.floor(core / 2));
    segments.push({
      start: ownStart === 0 ? 0 : cutAfter(text, ownStart - overlap, ownStart),
      end: ownEnd === n ? n : cutBefore(text, Math.min(n, ownEnd + overlap), ownEnd),
      ownStart,
      ownEnd,
    });
    ownStart = ownEnd;
  }
  return segments;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;

/**
 * A cut at or before `at` and after `floor`: just after the last line break in (floor, at], else
 * after the last whitespace there, else at `at` moved off the middle of a surrogate pair.
 */
function cutBefore(text: string, at: number, floor: number): number {
  const nl = text.lastIndexOf('\n', at - 1);
  if (nl >= floor) return nl + 1;
  for (let i = at - 1; i >= floor; i--) if (isSpace(text.charCodeAt(i))) return i + 1;
  return offPair(text, at);
}

/** A cut at or after `at` and before `ceil`: just after the first line break in [at, ceil), else after whitespace, else `at`. */
function cutAfter(text: string, at: number, ceil: number): number {
  const nl = text.indexOf('\n', at);
  if (nl !== -1 && nl + 1 <= ceil) return nl + 1;
  for (let i = at; i < ceil; i++) if (isSpace(text.charCodeAt(i))) return i + 1;
  return offPair(text, at);
}

/** `at`, or one less when it would split a surrogate pair. */
function offPair(text: string, at: number): number {
  const c = text.charCodeAt(at);
  return at > 0 && c >= 0xdc00 && c <= 0xdfff && (text.charCodeAt(at - 1) & 0xfc00) === 0xd800 ? at - 1 : at;
}

/**
 * The spans a segment owns (those starting in its core), shifted from segment to note offsets:
 * how a long note's detections are put together, once each.
 */
export function ownedSpans<S extends { readonly start: number; readonly end: number }>(seg: Segment, spans: readonly S[]): S[] {
  const out: S[] = [];
  for (const s of spans) {
    const start = s.start + seg.start;
    if (start >= seg.ownStart && start < seg.ownEnd) out.push({ ...s, start, end: s.end + seg.start });
  }
  return out;
}
