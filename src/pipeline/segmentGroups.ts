import { ownedSpans, type Segment } from '../core/segments.js';
import type { Span } from '../core/span.js';
import type { DetectContext } from '../detect/types.js';

/** Every detector over each text (whole), PHI and safe spans apart: what a pipeline lends. */
export type DetectTexts = (texts: readonly string[], ctxs: readonly DetectContext[]) => Promise<{ phi: Span[]; safe: Span[] }[]>;

/** One group of segments, detected: the spans its segments own, in note offsets, and where its last core ends. */
export interface DetectedGroup {
  readonly phi: Span[];
  readonly safe: Span[];
  readonly detectedTo: number;
}

/**
 * The detectors over a long note's segments, `perCall` segments to a call (so a model batches
 * their windows), yielding each group's owned spans as soon as it is detected: the whole-note
 * path (Pipeline) collects them all, the streamed path (streamed.ts) cuts chunks as it goes.
 */
export async function* detectInGroups(
  text: string,
  segments: readonly Segment[],
  perCall: number,
  detect: DetectTexts,
  ctx: DetectContext,
): AsyncGenerator<DetectedGroup> {
  for (let g = 0; g < segments.length; g += perCall) {
    const group = segments.slice(g, g + perCall);
    const results = await detect(
      group.map((s) => text.slice(s.start, s.end)),
      group.map(() => ctx),
    );
    const phi: Span[] = [];
    const safe: Span[] = [];
    group.forEach((seg, k) => {
      for (const s of ownedSpans(seg, results[k]!.phi)) phi.push(s);
      for (const s of ownedSpans(seg, results[k]!.safe)) safe.push(s);
    });
    yield { phi, safe, detectedTo: group[group.length - 1]!.ownEnd };
  }
}
