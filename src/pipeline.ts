import type { Config } from './core/config.js';
import { tidySpans } from './core/hygiene.js';
import { mergeSpans } from './core/merge.js';
import { assertValidSpan, type Span } from './core/span.js';
import type { DetectContext, Detector } from './detect/types.js';
import { applyOperators, BUILTIN_OPERATORS, operatorFor } from './transform/apply.js';
import { referenceYearOf } from './transform/dates.js';
import type { Operator, OperatorName, TransformContext, TransformResult } from './transform/types.js';

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
 * Called with every finished transform (the input note, its result, the context): how the
 * re-identification vault learns where each surrogate was written. Must not throw for PHI
 * reasons; an error it throws fails the note (fail closed).
 */
export type RedactionObserver = (input: string, result: TransformResult, ctx: TransformContext) => void;

/**
 * text → detectors → spans → merge → transform. Holds loaded detectors (real state: a
 * model session, compiled rules), so it is a class; everything it calls is pure.
 */
export class Pipeline {
  private constructor(
    readonly detectors: readonly Detector[],
    readonly config: Config,
    private readonly operators: Readonly<Partial<Record<OperatorName, Operator>>>,
    private readonly keyFp?: string,
    private readonly observer?: RedactionObserver,
  ) {}

  /** Loads every detector once (model sessions, compiled patterns) before any note is read. */
  static async create(
    detectors: readonly Detector[],
    config: Config,
    operators: Readonly<Partial<Record<OperatorName, Operator>>> = {},
    /** Fingerprint of the surrogate key (never the key), for manifests and --resume. */
    keyFingerprint?: string,
    /** Sees every transform's input and result (the vault records surrogate positions). */
    observer?: RedactionObserver,
  ): Promise<Pipeline> {
    for (const d of detectors) await d.load?.();
    return new Pipeline(detectors, config, { ...BUILTIN_OPERATORS, ...operators }, keyFingerprint, observer);
  }

  /** The surrogate key's fingerprint, or 'none' when no operator uses a key. */
  keyFingerprint(): string {
    return this.keyFp ?? 'none';
  }

  async analyzeBatch(texts: readonly string[], ctxs: readonly DetectContext[] = []): Promise<Analysis[]> {
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
      const merged = mergeSpans(phi, {
        threshold: this.config.merge.threshold,
        safe,
        safeOverride: this.config.merge.safeOverride,
      });
      // Whatever the detectors found: no span across a line break, inside a word, half a clock time or on a field label.
      const spans = tidySpans(merged, text);
      return { spans, raw: phi };
    });
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

  /** PHI-free identity of everything that changes output: detectors' assets and the config. */
  fingerprints(): Record<string, string> {
    return Object.fromEntries(this.detectors.map((d) => [d.id, d.fingerprint?.() ?? 'none']));
  }

  async dispose(): Promise<void> {
    for (const d of this.detectors) await d.dispose?.();
  }
}
