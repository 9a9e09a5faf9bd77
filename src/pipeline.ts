import type { Config } from './core/config.js';
import { tidySpans } from './core/hygiene.js';
import { mergeSpans } from './core/merge.js';
import { normalizeForDetection, spansToOriginal, type TextView, toViewRange } from './core/normalize.js';
import { SEGMENT_CHARS, SEGMENT_OVERLAP, segmentsOf } from './core/segments.js';
import { detectInGroups } from './pipeline/segmentGroups.js';
import { type PieceSink, redactStreamed, type StreamedSummary } from './pipeline/streamed.js';
import { assertValidSpan, compareSpans, type Span } from './core/span.js';
import { lookupOf, rememberable, type RepeatLexicon, RepeatMemory, repeatSpans } from './detect/repeats/index.js';
import { applyAllowList, knownSpans, type PhraseIndex } from './detect/site/index.js';
import type { DetectContext, Detector } from './detect/types.js';
import { applyOperators, BUILTIN_OPERATORS, operatorFor } from './transform/apply.js';
import { referenceYearOf } from './transform/dates.js';
import { usesSurrogate } from './transform/safeHarbor.js';
import type { Operator, OperatorName, TransformContext, TransformResult } from './transform/types.js';

/** Segments handed to the detectors in one call: NER batches their windows, memory stays a few segments' worth. */
const SEGMENTS_PER_CALL = 4;

export interface Analysis {
  /** The merged, disjoint PHI spans (what gets replaced), on the original note: detectors read its
   *  normalised view (core/normalize.ts) and their spans are mapped back, hidden characters included. */
  readonly spans: readonly Span[];
  /** Every detector's raw PHI spans before merging (for per-detector attribution in eval), mapped back the same way. */
  readonly raw: readonly Span[];
}

export interface Redaction extends TransformResult {
  readonly analysis: Analysis;
}

/**
 * Called with every finished transform (the input note, its result, the context): how the
 * re-identification vault learns where each surrogate was written. Must not throw for PHI
 * reasons; an error it throws fails the note (fail closed).
 */
export type RedactionObserver = (input: string, result: TransformResult, ctx: TransformContext) => void;

/** What a Pipeline may be given besides its detectors, config and operators (src/node/createPipeline.ts wires them). */
export interface PipelineExtras {
  /** Fingerprint of the surrogate key (never the key), for manifests and --resume. */
  readonly keyFingerprint?: string;
  /** Sees every transform's input and result (the vault records surrogate positions). */
  readonly observer?: RedactionObserver;
  /** The word lists' view for the consistency step; without it the step is off. */
  readonly repeats?: RepeatLexicon;
  /** The site's allow list (config `site.allow`), compiled, and its files' fingerprint. */
  readonly allow?: { readonly index: PhraseIndex; readonly fingerprint: string };
  /** Other inputs that change outputs (a `--known` sidecar), by name: part of `fingerprints()`. */
  readonly fingerprints?: Readonly<Record<string, string>>;
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
  segmentsPerCall = SEGMENTS_PER_CALL;

  private constructor(
    readonly detectors: readonly Detector[],
    readonly config: Config,
    private readonly operators: Readonly<Partial<Record<OperatorName, Operator>>>,
    private readonly keyFp?: string,
    private readonly observer?: RedactionObserver,
    private readonly repeats?: RepeatLexicon,
    private readonly allow?: PipelineExtras['allow'],
    private readonly extraFingerprints: Readonly<Record<string, string>> = {},
  ) {
    this.memory = repeats !== undefined && config.consistency.run ? new RepeatMemory(config.consistency.memory) : undefined;
  }

  /** Loads every detector once (model sessions, compiled patterns) before any note is read. */
  static async create(
    detectors: readonly Detector[],
    config: Config,
    operators: Readonly<Partial<Record<OperatorName, Operator>>> = {},
    extras: PipelineExtras = {},
  ): Promise<Pipeline> {
    for (const d of detectors) await d.load?.();
    return new Pipeline(detectors, config, { ...BUILTIN_OPERATORS, ...operators }, extras.keyFingerprint, extras.observer, extras.repeats, extras.allow, extras.fingerprints);
  }

  /** The surrogate key's fingerprint, or 'none' when no operator uses a key. */
  keyFingerprint(): string {
    return this.keyFp ?? 'none';
  }

  async analyzeBatch(texts: readonly string[], ctxs: readonly DetectContext[] = []): Promise<Analysis[]> {
    // Detectors read the normalised view (hidden characters out, look-alikes folded: core/normalize.ts);
    // spans are mapped back onto the original note, which is what gets transformed.
    const views = texts.map(normalizeForDetection);
    const seen = texts.map((t, i) => views[i]?.text ?? t);
    // Notes up to one segment are detected together (NER batches windows across them); a longer
    // note alone, segment group by segment group, so detectors' working memory stays flat.
    const short = seen.flatMap((t, i) => (t.length <= this.segmentChars ? [i] : []));
    const found: ({ phi: Span[]; safe: Span[] } | undefined)[] = new Array(seen.length);
    const shortFound = await this.detectWhole(
      short.map((i) => seen[i]!),
      short.map((i) => ctxs[i] ?? {}),
    );
    for (const [k, i] of short.entries()) found[i] = shortFound[k];
    for (const [i, text] of seen.entries()) found[i] ??= await this.detectSegmented(text, ctxs[i] ?? {});
    return seen.map((text, i) => {
      const { safe, phi: detected } = found[i]!;
      found[i] = undefined;
      // The note's known identifiers (issue 16) join the detectors' spans, and no allow list cuts them.
      const ctx = ctxs[i];
      const known = ctx?.known !== undefined ? knownSpans(text, ctx.known) : [];
      const phi = known.length > 0 ? [...detected, ...known] : detected;
      const merged = mergeSpans(phi, {
        threshold: this.config.merge.threshold,
        safe,
        safeOverride: this.config.merge.safeOverride,
        text,
      });
      const repeated = this.withRepeats(text, merged);
      // The site's allow list beats every detector; it runs last so nothing re-adds what it took out.
      const allowed = this.allow === undefined ? repeated : applyAllowList(text, repeated, this.allow.index, known);
      // Whatever the detectors found: no span across a line break, inside a word, half a clock time or on a field label.
      const spans = tidySpans(allowed, text);
      const view = views[i];
      return view === undefined ? { spans, raw: phi } : { spans: spansToOriginal(view, spans, true), raw: spansToOriginal(view, phi) };
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
    for await (const group of detectInGroups(text, segments, this.segmentsPerCall, (texts, ctxs) => this.detectWhole(texts, ctxs), ctx)) {
      for (const s of group.phi) phi.push(s);
      for (const s of group.safe) safe.push(s);
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
      if (this.memory.size === 0) return merged;
      extra = repeatSpans(text, merged, this.memory, 'consistency/run', consistency.minScore);
    } else if (consistency.note) {
      if (found.length === 0) return merged;
      extra = repeatSpans(text, merged, lookupOf(found), 'consistency/note', consistency.minScore);
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
    // Surrogates are drawn from what the detectors read (the view), so `Kowal\u200bski` gets the
    // surrogate of `Kowalski` and a full-width SSN a surrogate, not its own digits back.
    const view = usesSurrogate(this.config.policy) ? normalizeForDetection(text) : undefined;
    const operators = view === undefined ? this.operators : surrogateOnView(this.operators, view);
    // Year-less dates are shifted in the note's own year, so their intervals to dated entries hold.
    const dateCtx =
      operatorFor({ label: 'DATE' } as Span, this.config.policy) === 'surrogate' && ctx.referenceYear === undefined
        ? { ...ctx, referenceYear: referenceYearOnView(text, analysis.spans, view) }
        : ctx;
    const result = applyOperators(text, analysis.spans, this.config.policy, dateCtx, operators);
    this.observer?.(text, result, ctx);
    return { ...result, analysis };
  }

  async redact(text: string, ctx: DetectContext & TransformContext = {}): Promise<Redaction> {
    return this.transform(text, await this.analyze(text, ctx), ctx);
  }

  async redactBatch(texts: readonly string[], ctxs: readonly (DetectContext & TransformContext)[] = []): Promise<Redaction[]> {
    const analyses = await this.analyzeBatch(texts, ctxs);
    return analyses.map((a, i) => this.transform(texts[i]!, a, ctxs[i] ?? {}));
  }

  /**
   * Whether `redactInPieces` gives this pipeline's output: not with a vault observer, which
   * records the whole output text of each note (such notes go through `redact`, held whole).
   */
  get streamable(): boolean {
    return this.observer === undefined;
  }

  /**
   * `redact` for a long note with flat memory (src/pipeline/streamed.ts): the same output, written
   * to `sink` in pieces with their output spans, instead of one string and a span list.
   */
  async redactInPieces(text: string, ctx: DetectContext & TransformContext, sink: PieceSink): Promise<StreamedSummary> {
    if (!this.streamable) throw new Error('redactInPieces: this pipeline records every output whole (a vault); use redact');
    // The site allow list and a note's known identifiers are steps of the whole-note path only
    // (issue 16): such a note is redacted whole and handed over as one piece (same bytes, not flat memory).
    if (this.allow !== undefined || ctx.known !== undefined) {
      const r = await this.redact(text, ctx);
      const detections: Record<string, number> = {};
      for (const s of r.analysis.raw) detections[s.source] = (detections[s.source] ?? 0) + 1;
      await sink.write(r.text, r.spans);
      return { detections, spans: r.spans.length, outLength: r.text.length };
    }
    const view = normalizeForDetection(text);
    const surrogates = usesSurrogate(this.config.policy);
    return redactStreamed(
      {
        config: this.config,
        segmentChars: this.segmentChars,
        segmentOverlap: this.segmentOverlap,
        segmentsPerCall: this.segmentsPerCall,
        detect: (texts, ctxs) => this.detectWhole(texts, ctxs),
        repeats: this.repeats,
        memory: this.memory,
        // Surrogates are drawn from the view, as in `transform` (which rebuilds the same view).
        operators: surrogates && view !== undefined ? surrogateOnView(this.operators, view) : this.operators,
        needsReferenceYear: operatorFor({ label: 'DATE' } as Span, this.config.policy) === 'surrogate' && ctx.referenceYear === undefined,
      },
      text,
      view,
      ctx,
      sink,
    );
  }

  /** PHI-free identity of everything that changes output: detectors' assets and the config. */
  fingerprints(): Record<string, string> {
    const detectors = this.detectors.map((d) => [d.id, d.fingerprint?.() ?? 'none'] as const);
    const site = this.allow === undefined ? [] : [['site/allow', this.allow.fingerprint] as const];
    return Object.fromEntries([...detectors, ...site, ...Object.entries(this.extraFingerprints)]);
  }

  async dispose(): Promise<void> {
    for (const d of this.detectors) await d.dispose?.();
  }
}

/** The surrogate operator fed each span's view text instead of its original text. */
function surrogateOnView(
  operators: Readonly<Partial<Record<OperatorName, Operator>>>,
  view: TextView,
): Readonly<Partial<Record<OperatorName, Operator>>> {
  const surrogate = operators.surrogate;
  if (surrogate === undefined) return operators;
  return {
    ...operators,
    surrogate: (span, original, ctx) => {
      const r = toViewRange(view, span.start, span.end);
      return r.end > r.start ? surrogate(span, view.text.slice(r.start, r.end), ctx) : surrogate(span, original, ctx);
    },
  };
}

function referenceYearOnView(text: string, spans: readonly Span[], view: TextView | undefined): number | undefined {
  if (view === undefined) return referenceYearOf(text, spans);
  return referenceYearOf(
    view.text,
    spans.map((s) => ({ ...s, ...toViewRange(view, s.start, s.end) })),
  );
}
