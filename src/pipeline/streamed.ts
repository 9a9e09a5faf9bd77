import type { Config } from '../core/config.js';
import { tidySpans } from '../core/hygiene.js';
import { mergeSpans, SUPPORT_REACH } from '../core/merge.js';
import { spansToOriginal, type TextView, toViewRange, unitRange } from '../core/normalize.js';
import { segmentsOf } from '../core/segments.js';
import { compareSpans, type Span } from '../core/span.js';
import { SpanStore } from '../core/spanStore.js';
import { type RepeatLexicon, RepeatMemory, rememberable, repeatSpans } from '../detect/repeats/index.js';
import type { DetectContext } from '../detect/types.js';
import { applyOperatorsInRange } from '../transform/apply.js';
import { referenceYearOf } from '../transform/dates.js';
import type { Operator, OperatorName, OutputSpan, TransformContext } from '../transform/types.js';
import { detectInGroups, type DetectTexts } from './segmentGroups.js';

/**
 * A long note redacted piece by piece, so memory stays flat however long it is: detection,
 * merging, hygiene and the operators run over one stretch of the note (a chunk) at a time, and
 * the redacted text goes to a sink in pieces instead of being built whole. What is held for the
 * whole note is its text, its detection view, and, where a later step needs the whole note
 * first, a compact span list (SpanStore, about 18 bytes a span):
 *
 *   pass 1  detect segment groups (src/core/segments.ts, as Pipeline does); cut the note into
 *           chunks; merge each chunk's spans. With the consistency step on, remember each
 *           chunk's confident names and places, and keep its merged spans in a store: their
 *           other occurrences anywhere in the note are found only once the whole note is read.
 *   pass 2  per chunk: spread the remembered strings, tidy, map back onto the original note.
 *           A surrogate date policy without a reference year needs the note's first full date
 *           first: chunks wait in a store until it is found.
 *   pass 3  per chunk: the operators, output offsets carried on; the piece goes to the sink.
 *
 * Same bytes as the whole-note path (Pipeline.redact), because a chunk ends just after a
 * character no detector span (PHI or safe) covers, chosen so that no later step can join
 * or grow spans across it: a line break, else punctuation that is no part of a word, a number,
 * a clock time or a blank run between words (see `isCutChar`). Merging joins only spans that
 * overlap or touch, hygiene grows spans over letters, digits, clock times and field labels, a
 * repeat runs over words with blanks between them: none of them crosses such a character, so
 * each chunk's result is exactly the whole-note result restricted to it. The property test
 * (test/pipeline/streamed.test.ts) checks it on random notes with PHI at the cuts.
 */

/** Where the redacted note goes: each piece in order, with the spans replaced in it (output offsets into the whole output). */
export interface PieceSink {
  write(piece: string, spans: readonly OutputSpan[]): Promise<void> | void;
  /** Called after each group of segments is detected (the edge may collect garbage there: src/node/runs/heapBound.ts). */
  between?(): void;
}

/** What a streamed redaction reports besides its pieces. */
export interface StreamedSummary {
  /** Every detector's raw PHI spans, counted per detector (the whole-note path's `analysis.raw`). */
  readonly detections: Readonly<Record<string, number>>;
  /** Merged spans replaced. */
  readonly spans: number;
  /** Length of the output text. */
  readonly outLength: number;
}

/** What the pipeline lends a streamed redaction: its detection step, its settings and its state. */
export interface StreamParts {
  readonly config: Config;
  readonly segmentChars: number;
  readonly segmentOverlap: number;
  readonly segmentsPerCall: number;
  /** Every detector over each text (whole), PHI and safe spans apart, validated. */
  readonly detect: DetectTexts;
  /** The word lists' view for the consistency step (undefined: the step is off). */
  readonly repeats: RepeatLexicon | undefined;
  /** The run's memory of confident strings (config consistency.run), updated as the whole-note path does. */
  readonly memory: RepeatMemory | undefined;
  readonly operators: Readonly<Partial<Record<OperatorName, Operator>>>;
  /** True when dates are shifted and the context gives no reference year: the note's first full date sets it. */
  readonly needsReferenceYear: boolean;
}

/** A chunk: view [start, end); original [origStart, origEnd). Chunks tile both. */
interface Chunk {
  readonly start: number;
  readonly end: number;
  readonly origStart: number;
  readonly origEnd: number;
}

/**
 * Redacts `text` (whose detection view is `view`, undefined when it equals the note) into `sink`.
 * `ctx` is the detect and transform context, as for Pipeline.redact.
 */
export async function redactStreamed(
  parts: StreamParts,
  text: string,
  view: TextView | undefined,
  ctx: DetectContext & TransformContext,
  sink: PieceSink,
): Promise<StreamedSummary> {
  const seen = view?.text ?? text;
  const detections: Record<string, number> = {};
  const { config } = parts;

  // Consistency state: with run memory, the run's memory; without it, the note's own strings
  // (a memory that never forgets keeps lookupOf's order: first insertion, last value).
  const { consistency } = config;
  const remembering = parts.repeats !== undefined && (parts.memory !== undefined || consistency.note);
  const noteStrings = remembering && parts.memory === undefined ? new RepeatMemory(Number.POSITIVE_INFINITY) : undefined;
  const mergedStore = remembering ? new SpanStore() : undefined;
  const mergedChunks: { chunk: Chunk; from: number; to: number }[] = [];

  // Pass 3 state: the output so far, and chunks waiting for the reference year.
  let year: number | undefined;
  let yearKnown = !parts.needsReferenceYear;
  const waiting = new SpanStore();
  const waitingChunks: { chunk: Chunk; from: number; to: number }[] = [];
  let outLength = 0;
  let spanCount = 0;

  const transformChunk = async (chunk: Chunk, spans: readonly Span[]): Promise<void> => {
    // As Pipeline.transform: the year found (or undefined) is set exactly when it was looked for.
    const tctx = parts.needsReferenceYear ? { ...ctx, referenceYear: year } : ctx;
    const r = applyOperatorsInRange(text, spans, chunk.origStart, chunk.origEnd, outLength, config.policy, tctx, parts.operators);
    outLength += r.text.length;
    spanCount += r.spans.length;
    await sink.write(r.text, r.spans);
  };

  const finishChunk = async (chunk: Chunk, merged: readonly Span[]): Promise<void> => {
    const local = tidySpans(withRepeats(seen, chunk, merged), seen.slice(chunk.start, chunk.end));
    const final = view === undefined ? shift(local, chunk.start) : spansToOriginal(view, shift(local, chunk.start), true);
    if (!yearKnown) {
      year = referenceYearOnView(text, final, view);
      yearKnown = year !== undefined;
      if (!yearKnown) {
        waitingChunks.push({ chunk, from: waiting.length, to: waiting.length + final.length });
        for (const s of final) waiting.push(s);
        return;
      }
      await drainWaiting();
    }
    await transformChunk(chunk, final);
  };

  const drainWaiting = async (): Promise<void> => {
    for (const w of waitingChunks) await transformChunk(w.chunk, waiting.slice(w.from, w.to));
    waitingChunks.length = 0;
  };

  /** The whole-note path's withRepeats, on one chunk (chunk-local offsets in and out). */
  const withRepeats = (note: string, chunk: Chunk, merged: readonly Span[]): Span[] => {
    const local = shift(merged, -chunk.start);
    const lookup = parts.memory ?? noteStrings;
    if (!remembering || lookup === undefined || lookup.size === 0) return local;
    const source = parts.memory !== undefined ? 'consistency/run' : 'consistency/note';
    const extra = repeatSpans(note.slice(chunk.start, chunk.end), local, lookup, source, consistency.minScore);
    return extra.length === 0 ? local : [...local, ...extra].sort(compareSpans);
  };

  const mergeChunk = async (chunk: Chunk, phi: readonly Span[], safe: readonly Span[]): Promise<void> => {
    const merged = mergeSpans(phi, { threshold: config.merge.threshold, safe, safeOverride: config.merge.safeOverride, text: seen });
    if (!remembering) {
      await finishChunk(chunk, merged);
      return;
    }
    const lookup = parts.memory ?? noteStrings!;
    for (const r of rememberable(seen, merged, parts.repeats!, consistency)) lookup.add(r);
    mergedChunks.push({ chunk, from: mergedStore!.length, to: mergedStore!.length + merged.length });
    for (const s of merged) mergedStore!.push(s);
  };

  // Pass 1: detection by segment groups, cut into chunks as soon as a safe cut is known.
  const segments = segmentsOf(seen, parts.segmentChars, parts.segmentOverlap);
  let phi: Span[] = [];
  let safe: Span[] = [];
  let chunkStart = 0;
  for await (const group of detectInGroups(seen, segments, parts.segmentsPerCall, parts.detect, ctx)) {
    for (const s of group.phi) {
      phi.push(s);
      detections[s.source] = (detections[s.source] ?? 0) + 1;
    }
    for (const s of group.safe) safe.push(s);
    sink.between?.();
    const { detectedTo } = group;
    const cut = detectedTo === seen.length ? seen.length : safeCut(seen, chunkStart, detectedTo, phi, safe);
    if (cut === undefined) continue;
    const chunk = chunkOf(view, text, chunkStart, cut);
    const [phiIn, phiOut] = splitAt(phi, cut);
    const [safeIn, safeOut] = splitAt(safe, cut);
    phi = phiOut;
    safe = safeOut;
    chunkStart = cut;
    await mergeChunk(chunk, phiIn, safeIn);
  }
  // (The last group always cuts at the note's end, so every span has gone into a chunk.)

  // Pass 2 (consistency on): spread the whole note's remembered strings chunk by chunk.
  for (const m of mergedChunks) await finishChunk(m.chunk, mergedStore!.slice(m.from, m.to));
  // No full date anywhere: the chunks that waited for one go out without it.
  await drainWaiting();
  return { detections, spans: spanCount, outLength };
}

/**
 * A character after which a chunk may end when no span covers it: a line break, or punctuation
 * that is never inside a word, a number or a clock time (so not `-`, `'`, `:`, `/`, `.`'s
 * digit neighbours are covered by the no-span test), and never a blank that a repeated name runs over.
 */
function isCutChar(c: number): boolean {
  return c === 0x0a || c === 0x2c /* , */ || c === 0x3b /* ; */ || c === 0x21 /* ! */ || c === 0x3f /* ? */ || c === 0x29 /* ) */ || c === 0x5d /* ] */ || c === 0x2e /* . */;
}

/**
 * The end of the next chunk: just after the last cut character in (from, to) that no span
 * (starting before it) covers, preferring a line break; undefined when there is none yet.
 */
function safeCut(text: string, from: number, to: number, phi: readonly Span[], safe: readonly Span[]): number | undefined {
  const covered = coverage([...phi, ...safe], from, to);
  let fallback: number | undefined;
  for (let i = to - 1; i > from; i--) {
    const c = text.charCodeAt(i);
    if (!isCutChar(c) || covered[i - from] === 1) continue;
    if (c === 0x0a) return i + 1;
    fallback ??= i + 1;
    // A line break close behind is worth more than punctuation now: look back a little further.
    if (i < to - 4096) return fallback;
  }
  return fallback;
}

/** 1 for each character of [from, to) inside a span, or within reach of a tentative span's support (merge.ts dropUnsupported). */
function coverage(spans: readonly Span[], from: number, to: number): Uint8Array {
  const covered = new Uint8Array(to - from);
  for (const s of spans) {
    const reach = s.tentative === true ? SUPPORT_REACH : 0;
    const a = Math.max(s.start - reach, from);
    const b = Math.min(s.end + reach, to);
    if (b > a) covered.fill(1, a - from, b - from);
  }
  return covered;
}

/** Spans starting before `cut`, and the rest. */
function splitAt(spans: readonly Span[], cut: number): [Span[], Span[]] {
  const before: Span[] = [];
  const after: Span[] = [];
  for (const s of spans) (s.start < cut ? before : after).push(s);
  return [before, after];
}

function chunkOf(view: TextView | undefined, text: string, start: number, end: number): Chunk {
  if (view === undefined) return { start, end, origStart: start, origEnd: end };
  // A chunk's original stretch ends where its last view character ends there; hidden characters after it open the next chunk.
  const origAt = (c: number): number => (c === 0 ? 0 : c >= view.text.length ? text.length : unitRange(view, c - 1).to);
  return { start, end, origStart: origAt(start), origEnd: origAt(end) };
}

function shift(spans: readonly Span[], by: number): Span[] {
  return by === 0 ? [...spans] : spans.map((s) => ({ ...s, start: s.start + by, end: s.end + by }));
}

/** As Pipeline.transform finds it: the first full date of the final spans, read on the view. */
function referenceYearOnView(text: string, spans: readonly Span[], view: TextView | undefined): number | undefined {
  if (view === undefined) return referenceYearOf(text, spans);
  return referenceYearOf(
    view.text,
    spans.map((s) => ({ ...s, ...toViewRange(view, s.start, s.end) })),
  );
}
