/** What a runner (bench/compare/runner.ts) reports to the parent (bench/compare/run.ts) on stdout. */
import type { AlignMethod } from './align.js';

export const LIBS = [
  'phi-redact-rules',
  'phi-redact-dictionaries',
  'phi-redact-hybrid',
  'arcjet',
  'redact-pii',
  'redactpii-node',
  'remove-pii',
  'openredaction',
  'harness-only',
] as const;
export type LibName = (typeof LIBS)[number];

/** Row names, also for rows that could not run (the runner reports the same name when it runs). */
export const ROW_NAMES: Readonly<Record<LibName, string>> = {
  'phi-redact-rules': 'phi-redact (rules)',
  'phi-redact-dictionaries': 'phi-redact (rules + dictionaries)',
  'phi-redact-hybrid': 'phi-redact (hybrid: rules + dictionaries + NER)',
  arcjet: '@arcjet/redact',
  'redact-pii': 'redact-pii',
  'redactpii-node': '@redactpii/node',
  'remove-pii': '@coffeeandfun/remove-pii',
  openredaction: '@openredaction/openredaction',
  'harness-only': 'harness only (no redaction)',
};

export interface RunnerPass {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface RunnerResult {
  readonly lib: LibName;
  readonly name: string;
  readonly pkg: string;
  readonly version: string;
  readonly config: string;
  readonly notes: number;
  readonly chars: number;
  readonly loadMs: number;
  /** The untimed first pass whose output is scored. */
  readonly warmupMs: number;
  /** Repetitions of the whole set in each timed pass (figures in `passes` are per repetition). */
  readonly repsPerPass: number;
  readonly passes: readonly RunnerPass[];
  /** process.resourceUsage().maxRSS after the timed passes, in KiB. */
  readonly maxRssKiB: number;
  /** Every pass gave the same output for every note. */
  readonly deterministic: boolean;
  /** Notes on which the library threw (scored as predicting nothing). */
  readonly failedNotes: number;
  /** How spans were recovered, per note (text-only libraries). */
  readonly align: Readonly<Record<AlignMethod, number>> & { readonly inserted: number };
  /** Per note, in input order: [start, end, label] triples. */
  readonly spans: readonly (readonly [number, number, string])[][];
}

