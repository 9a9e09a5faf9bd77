import { z } from 'zod';
import { LABELS, type Label } from '../core/labels.js';
import type { Stratify } from './stratify.js';

/**
 * The review set on disk (a folder the user names; it holds PHI, files are mode 0600):
 *   set.json       how the sample was drawn (seed, strata, weights); no note text
 *   items.jsonl    one sampled note per line: original text, detected spans, redacted text
 *   verdicts.jsonl append-only reviewer events (see VerdictEvent); offsets only
 */

export const SET_FILE = 'set.json';
export const ITEMS_FILE = 'items.jsonl';
export const VERDICTS_FILE = 'verdicts.jsonl';

export { STRATIFY_MODES, type Stratify } from './stratify.js';

export interface Stratum {
  readonly key: string;
  /** Notes of the run in this stratum (N_h). */
  readonly population: number;
  /** Notes drawn from it (n_h). */
  readonly sampled: number;
  /** N_h / n_h: how many run notes each sampled note stands for. */
  readonly weight: number;
}

export interface SetInfo {
  readonly version: 1;
  readonly createdAt: string;
  /** The run output folder the sample was drawn from. */
  readonly run: string;
  readonly seed: number;
  /** Requested sample size (the drawn size is the sum of `strata[].sampled`). */
  readonly n: number;
  readonly stratify: Stratify;
  /** Notes the run finished (`status: "done"`): the population sampled from. */
  readonly population: number;
  /** Notes the run failed on; not sampled (they have no redacted output). */
  readonly failed: number;
  readonly strata: readonly Stratum[];
  /** For `--stratify length`: upper bounds (exclusive, in bytes) of all but the last bucket. */
  readonly lengthBounds?: readonly number[];
  /** The run's config/rules/model/key fingerprints as its manifest recorded them (PHI-free). */
  readonly runFingerprints?: readonly string[];
  /** Drawn notes that could not be read (moved, changed, unreadable) and were left out; each was
   *  replaced by another note of its stratum while the stratum had one. */
  readonly skipped?: readonly SkippedNote[];
  /** Files of several notes (JSONL, CSV, FHIR) the run redacted: not sampled (the page shows one note per file). */
  readonly recordFiles?: number;
}

export interface SkippedNote {
  readonly id: string;
  /** The coded reason (E093 unreadable, E094 changed, E095 spans do not fit). */
  readonly reason: string;
}

export interface ItemSpan {
  readonly start: number;
  readonly end: number;
  readonly label: Label;
  readonly subtype?: string;
  readonly source: string;
  readonly score: number;
  /** Where the replacement sits in the redacted text, when the run recorded it. */
  readonly outStart?: number;
  readonly outEnd?: number;
}

export interface ReviewItem {
  /** Input path relative to the run's common input folder, "/"-separated. */
  readonly id: string;
  readonly stratum: string;
  readonly weight: number;
  readonly text: string;
  readonly redacted: string;
  /** Sorted by start; a verdict names a span by its index here. */
  readonly spans: readonly ItemSpan[];
}

const label = z.enum(LABELS);

export const itemSpanSchema = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().positive(),
  label,
  subtype: z.string().optional(),
  source: z.string(),
  score: z.number(),
  outStart: z.number().int().nonnegative().optional(),
  outEnd: z.number().int().nonnegative().optional(),
});

export const reviewItemSchema = z.object({
  id: z.string().min(1),
  stratum: z.string(),
  weight: z.number().positive(),
  text: z.string(),
  redacted: z.string(),
  spans: z.array(itemSpanSchema),
});

export const setInfoSchema = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  run: z.string(),
  seed: z.number().int(),
  n: z.number().int().positive(),
  stratify: z.enum(['none', 'label', 'detector', 'length']),
  population: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  strata: z.array(
    z.object({
      key: z.string(),
      population: z.number().int().nonnegative(),
      sampled: z.number().int().nonnegative(),
      weight: z.number().nonnegative(),
    }),
  ),
  lengthBounds: z.array(z.number()).optional(),
  runFingerprints: z.array(z.string()).optional(),
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })).optional(),
});

/**
 * What the page posts. The server adds `reviewer` and `ts` and appends it to verdicts.jsonl.
 *  - span:    a verdict on detected span `span` of note `item`: confirm, reject (false alarm),
 *             relabel (it is PHI, of another label) or clear (undo)
 *  - miss:    text the detectors missed, [start, end) of the original, with its label; `miss`
 *             is a client-chosen id so the reviewer can relabel or delete it later
 *  - unmiss:  deletes miss `miss`
 *  - comment: free text about the note (replaces the previous comment)
 *  - done:    the reviewer finished the note (every span judged, misses marked); only done
 *             notes count in the report, so an unopened note never counts as "nothing missed"
 *  - undone:  reopens a note
 */
export const verdictInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('span'),
    item: z.string(),
    span: z.number().int().nonnegative(),
    verdict: z.enum(['confirm', 'reject', 'relabel', 'clear']),
    label: label.optional(),
  }),
  z.object({
    kind: z.literal('miss'),
    item: z.string(),
    miss: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
    start: z.number().int().nonnegative(),
    end: z.number().int().positive(),
    label,
  }),
  z.object({ kind: z.literal('unmiss'), item: z.string(), miss: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) }),
  z.object({ kind: z.literal('comment'), item: z.string(), text: z.string().max(4000) }),
  z.object({ kind: z.literal('done'), item: z.string() }),
  z.object({ kind: z.literal('undone'), item: z.string() }),
]);
export type VerdictInput = z.infer<typeof verdictInputSchema>;

/**
 * Who made a verdict: a reviewer (the default; older logs have no `role`), or an adjudicator
 * (`review serve --adjudicate`), whose verdicts decide where reviewers disagree (README
 * "Several reviewers").
 */
export type Role = 'reviewer' | 'adjudicator';

export type VerdictEvent = VerdictInput & { readonly reviewer: string; readonly ts: string; readonly role?: 'adjudicator' };

export const verdictEventSchema = z.intersection(
  verdictInputSchema,
  z.object({ reviewer: z.string().min(1), ts: z.string(), role: z.literal('adjudicator').optional() }),
);
