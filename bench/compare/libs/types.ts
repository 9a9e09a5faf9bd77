import type { Label } from '../../../src/core/labels.js';

/** A predicted span as a runner reports it: offsets into the input note, our label. */
export interface PredSpan {
  readonly start: number;
  readonly end: number;
  readonly label: Label;
}

/**
 * How one library is driven. `text` libraries return only redacted text: the harness recovers
 * spans with bench/compare/align.ts using `tokenPattern` (the library's replacement tokens) and
 * labels each span with `labelOf(token)`. `spans` libraries report offsets themselves.
 */
export type Redactor =
  | {
      readonly kind: 'text';
      readonly tokenPattern: RegExp;
      labelOf(token: string): Label;
      redact(text: string): string | Promise<string>;
    }
  | {
      readonly kind: 'spans';
      detect(text: string): readonly PredSpan[] | Promise<readonly PredSpan[]>;
    };

export interface LoadOptions {
  /** NER model folder for the hybrid row (default: models/phi-ner). */
  readonly modelDir?: string;
}

export interface LibAdapter {
  /** Row name in the table. */
  readonly name: string;
  /** npm package whose version is reported (read from its package.json at run time). */
  readonly pkg: string;
  /** The configuration used, in one line, for the table's notes. */
  readonly config: string;
  load(options: LoadOptions): Promise<Redactor>;
}
