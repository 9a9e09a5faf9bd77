import type { Label } from './labels.js';
import type { Span } from './span.js';

/**
 * A long list of spans held compactly: offsets and scores in typed arrays, everything else
 * (label, subtype, detector, explanation, contributing detectors) as one interned id per span.
 * What a huge note's spans cost while they wait between two passes (src/segmentedRedact.ts):
 * about 18 bytes a span instead of the 150 or more of a Span object with its arrays. Spans come
 * back out as ordinary `Span` objects, equal field for field to the ones put in.
 */

/** Everything of a span but its offsets and score: few distinct values in any note. */
interface Meta {
  readonly label: Label;
  readonly subtype?: string;
  readonly source: string;
  readonly explanation?: string;
  readonly sources?: readonly string[];
}

export class SpanStore {
  private starts = new Int32Array(1024);
  private ends = new Int32Array(1024);
  private scores = new Float64Array(1024);
  private metaIds = new Uint32Array(1024);
  private readonly metas: Meta[] = [];
  private readonly metaIndex = new Map<string, number>();
  length = 0;

  push(s: Span): void {
    if (this.length === this.starts.length) this.grow();
    const i = this.length++;
    this.starts[i] = s.start;
    this.ends[i] = s.end;
    this.scores[i] = s.score;
    this.metaIds[i] = this.metaIdOf(s);
  }

  /** Span i as a plain Span (the optional fields present exactly when they were). */
  get(i: number): Span {
    const m = this.metas[this.metaIds[i]!]!;
    return {
      start: this.starts[i]!,
      end: this.ends[i]!,
      label: m.label,
      ...(m.subtype !== undefined ? { subtype: m.subtype } : {}),
      source: m.source,
      score: this.scores[i]!,
      ...(m.explanation !== undefined ? { explanation: m.explanation } : {}),
      ...(m.sources !== undefined ? { sources: m.sources } : {}),
    };
  }

  start(i: number): number {
    return this.starts[i]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  /** Spans [from, to) as Span objects. */
  slice(from: number, to: number): Span[] {
    const out: Span[] = [];
    for (let i = from; i < Math.min(to, this.length); i++) out.push(this.get(i));
    return out;
  }

  private metaIdOf(s: Span): number {
    const key = JSON.stringify([s.label, s.subtype ?? null, s.source, s.explanation ?? null, s.sources ?? null]);
    let id = this.metaIndex.get(key);
    if (id === undefined) {
      id = this.metas.length;
      this.metas.push({
        label: s.label,
        ...(s.subtype !== undefined ? { subtype: s.subtype } : {}),
        source: s.source,
        ...(s.explanation !== undefined ? { explanation: s.explanation } : {}),
        ...(s.sources !== undefined ? { sources: [...s.sources] } : {}),
      });
      this.metaIndex.set(key, id);
    }
    return id;
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const grown = <T extends Int32Array | Float64Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.starts = grown(this.starts, (k) => new Int32Array(k));
    this.ends = grown(this.ends, (k) => new Int32Array(k));
    this.scores = grown(this.scores, (k) => new Float64Array(k));
    this.metaIds = grown(this.metaIds, (k) => new Uint32Array(k));
  }
}
