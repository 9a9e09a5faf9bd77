import type { Config } from './core/config.js';
import { tidySpans } from './core/hygiene.js';
import { mergeSpans } from './core/merge.js';
import { SEGMENT_CHARS, SEGMENT_OVERLAP, segmentsOf } from './core/segments.js';
import { assertValidSpan, compareSpans, type Span } from './core/span.js';
import { rememberable, type RepeatLexicon, RepeatMemory, repeatSpans } from './detect/repeats/index.js';
import type { DetectContext, Detector } from './detect/types.js';
import { applyOperators, BUILTIN_OPERATORS, operatorFor } from './transform/apply.js';
import { referenceYearOf } from './transform/dates.js';
import type { Operator, OperatorName, TransformContext, TransformResult } from './transform/types.js';

/** Segments handed to the detectors in one call: NER batches their windows, memory stays a few segments' worth. */
const SEGMENTS_PER_CALL = 4;

export interface Analysis {
  /** The merged, disjoint PHI spans (what gets replaced). */
  readonly spans: readonly Span[];
  /** Every detector's raw PHI spans before merging (for per-detector attribution in eval). */
  readonly raw: readonly Span[];
}

export interface Redaction extends TransformResult {
  readonly analysis: Analysis;
}

/**
 * text → detectors → spans → merge → transform. Holds loaded detectors (real state: a
 * model session, compiled rules), so it is a class; everything it calls is pure.
 */
export class Pipeline {
  /** Confident names and places of earlier notes (config `consistency.run`); PHI, in memory only. */
  private readonly memory: RepeatMemory | undefined;
  /** Notes longer than this are detected in overlapping segments (src/core/segments.ts; tests set them smaller). */
  segmentChars = SEGMENT_CHARS;
  segmentOverlap = SEGMENT_OVERLAP;

  private constructor(
    readonly detectors: readonly Detector[],
    readonly config: Config,
    private readonly operators: Readonly<Partial<Record<OperatorName, Operator>>>,
    private readonly keyFp?: string,
    private readonly repeats?: RepeatLexicon,
  ) {
    this.memory = repeats !== undefined && config.consistency.run ? new RepeatMemory(config.consistency.memory) : undefined;
  }

  /** Loads every detector once (model sessions, compiled patterns) before any note is read. */
  static async create(
    detectors: readonly Detector[],
    config: Config,
    operators: Readonly<Partial<Record<OperatorName, Operator>>> = {},
    /** Fingerprint of the surrogate key (never the key), for manifests and --resume. */
    keyFingerprint?: string,
    /** The word lists' view for the consistency step; without it the step is off. */
    repeats?: RepeatLexicon,
  ): Promise<Pipeline> {
    for (const d of detectors) await d.load?.();
    return new Pipeline(detectors, config, { ...BUILTIN_OPERATORS, ...operators }, keyFingerprint, repeats);
  }

  /** The surrogate key's fingerprint, or 'none' when no operator uses a key. */
  keyFingerprint(): string {
    return this.keyFp ?? 'none';
  }

  async analyzeBatch(texts: readonly string[], ctxs: readonly DetectContext[] = []): Promise<Analysis[]> {
    // Notes up to one segment are detected together (NER batches windows across them); a longer
    // note alone, segment group by segment group, so detectors' working memory stays flat.
    const short = texts.flatMap((t, i) => (t.length <= this.segmentChars ? [i] : []));
    const found: ({ phi: Span[]; safe: Span[] } | undefined)[] = new Array(texts.length);
    const shortFound = await this.detectWhole(
      short.map((i) => texts[i]!),
      short.map((i) => ctxs[i] ?? {}),
    );
    for (const [k, i] of short.entries()) found[i] = shortFound[k];
    for (const [i, text] of texts.entries()) found[i] ??= await this.detectSegmented(text, ctxs[i] ?? {});
    return texts.map((text, i) => {
      const { phi, safe } = found[i]!;
      found[i] = undefined;
      const merged = mergeSpans(phi, {
        threshold: this.config.merge.threshold,
        safe,
        safeOverride: this.config.merge.safeOverride,
      });
      // Whatever the detectors found: no span across a line break, inside a word, half a clock time or on a field label.
      const spans = tidySpans(this.withRepeats(text, merged), text);
      return { spans, raw: phi };
    });
  }

  /** Every detector over every text (each text whole), PHI and safe spans apart. */
  private async detectWhole(texts: readonly string[], ctxs: readonly DetectContext[]): Promise<{ phi: Span[]; safe: Span[] }[]> {
    if (texts.length === 0) return [];
    const perDetector = await Promise.all(
      this.detectors.map(async (d) =>
        d.detectBatch ? d.detectBatch(texts, ctxs) : Promise.all(texts.map((t, i) => d.detect(t, ctxs[i]))),
      ),
    );
    return texts.map((text, i) => {
      const phi: Span[] = [];
      const safe: Span[] = [];
      this.detectors.forEach((d, k) => {
        for (const s of perDetector[k]![i]!) {
          assertValidSpan(s, text.length);
          (d.kind === 'safe' ? safe : phi).push(s);
        }
      });
      return { phi, safe };
    });
  }

  /**
   * A long note in overlapping segments (src/core/segments.ts), a few at a time: each segment's
   * spans are kept when they start in the core it owns, shifted to note offsets.
   */
  private async detectSegmented(text: string, ctx: DetectContext): Promise<{ phi: Span[]; safe: Span[] }> {
    const phi: Span[] = [];
    const safe: Span[] = [];
    const segments = segmentsOf(text, this.segmentChars, this.segmentOverlap);
    for (let g = 0; g < segments.length; g += SEGMENTS_PER_CALL) {
      const group = segments.slice(g, g + SEGMENTS_PER_CALL);
      const results = await this.detectWhole(
        group.map((s) => text.slice(s.start, s.end)),
        group.map(() => ctx),
      );
      group.forEach((seg, k) => {
        const { phi: p, safe: q } = results[k]!;
        for (const [from, to] of [[p, phi], [q, safe]] as const) {
          for (const s of from) {
            const start = s.start + seg.start;
            if (start >= seg.ownStart && start < seg.ownEnd) to.push({ ...s, start, end: s.end + seg.start });
          }
        }
      });
    }
    return { phi, safe };
  }

  /** Adds the other occurrences of this note's (and, with run memory, earlier notes') confident names and places. */
  private withRepeats(text: string, merged: Span[]): Span[] {
    const { consistency } = this.config;
    if (this.repeats === undefined) return merged;
    const found = rememberable(text, merged, this.repeats, consistency);
    let extra: Span[];
    if (this.memory !== undefined) {
      for (const r of found) this.memory.add(r);
      extra = repeatSpans(text, merged, this.memory.values(), 'consistency/run', consistency.minScore);
    } else if (consistency.note) {
      extra = repeatSpans(text, merged, found, 'consistency/note', consistency.minScore);
    } else {
      return merged;
    }
    return extra.length === 0 ? merged : [...merged, ...extra].sort(compareSpans);
  }

  async analyze(text: string, ctx: DetectContext = {}): Promise<Analysis> {
    const [a] = await this.analyzeBatch([text], [ctx]);
    return a!;
  }

  transform(text: string, analysis: Analysis, ctx: TransformContext = {}): Redaction {
    // Year-less dates are shifted in the note's own year, so their intervals to dated entries hold.
    const dateCtx =
      operatorFor({ label: 'DATE' } as Span, this.config.policy) === 'surrogate' && ctx.referenceYear === undefined
        ? { ...ctx, referenceYear: referenceYearOf(text, analysis.spans) }
        : ctx;
    const result = applyOperators(text, analysis.spans, this.config.policy, dateCtx, this.operators);
    return { ...result, analysis };
  }

  async redact(text: string, ctx: DetectContext & TransformContext = {}): Promise<Redaction> {
    return this.transform(text, await this.analyze(text, ctx), ctx);
  }

  async redactBatch(texts: readonly string[], ctxs: readonly (DetectContext & TransformContext)[] = []): Promise<Redaction[]> {
    const analyses = await this.analyzeBatch(texts, ctxs);
    return analyses.map((a, i) => this.transform(texts[i]!, a, ctxs[i] ?? {}));
  }

  /** PHI-free identity of everything that changes output: detectors' assets and the config. */
  fingerprints(): Record<string, string> {
    return Object.fromEntries(this.detectors.map((d) => [d.id, d.fingerprint?.() ?? 'none']));
  }

  async dispose(): Promise<void> {
    for (const d of this.detectors) await d.dispose?.();
  }
}
