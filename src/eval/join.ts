import type { Span } from '../core/span.js';
import { EvalInputError } from './errors.js';
import type { EvalDoc, GoldDoc } from './types.js';

/** Predictions for one note, as read from a prediction file (`line` for messages). */
export interface PredictionLine {
  readonly id: string;
  readonly line: number;
  readonly spans: readonly Span[];
  readonly raw?: readonly Span[];
  /** From a run's manifest: other names of the note, and the gold may be a sample of the run. */
  readonly fromManifest?: { readonly aliases: readonly string[] };
}

/**
 * Joins gold notes with prediction lines by id. Every gold note needs a prediction line (an
 * empty `spans` list is fine) and every prediction line a gold note: a mismatch means the
 * files are not about the same notes, and scoring them would be meaningless.
 */
export function joinPredictions(gold: readonly GoldDoc[], preds: readonly PredictionLine[], predFile: string): EvalDoc[] {
  const byId = new Map(preds.map((p) => [p.id, p]));
  // A manifest names notes by output path; gold ids are often that path without its extension.
  for (const p of preds) for (const a of p.fromManifest?.aliases ?? []) if (!byId.has(a)) byId.set(a, p);
  const goldIds = new Set(gold.map((g) => g.id));
  // A run may hold more notes than the gold (a reviewed sample of it); other prediction files may not.
  const extra = preds.find((p) => p.fromManifest === undefined && !goldIds.has(p.id));
  if (extra) throw new EvalInputError('E079', `${predFile}:${extra.line}`, 'note id not in the gold file');
  const missing = gold.filter((g) => !byId.has(g.id));
  if (missing.length > 0) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    throw new EvalInputError('E079', predFile, `no prediction for gold note ${JSON.stringify(missing[0]!.id)}${more}`);
  }
  return gold.map((g) => {
    const p = byId.get(g.id)!;
    const check = (spans: readonly Span[], field: string): void =>
      spans.forEach((s, k) => {
        if (s.end > g.text.length) {
          throw new EvalInputError('E074', `${predFile}:${p.line}`, `${field}[${k}] [${s.start}, ${s.end}) does not fit the gold note of length ${g.text.length}`);
        }
      });
    check(p.spans, 'spans');
    if (p.raw) check(p.raw, 'raw');
    return { ...g, pred: p.spans, ...(p.raw ? { raw: p.raw } : {}) };
  });
}
