import type { Label } from '../core/labels.js';
import { ReviewError } from './store.js';
import type { ReviewItem } from './types.js';
import { combineReviews, type VerdictState } from './verdicts.js';

export interface GoldLine {
  readonly id: string;
  readonly text: string;
  readonly spans: readonly { readonly start: number; readonly end: number; readonly label: Label; readonly subtype?: string; readonly text: string }[];
}

/**
 * Corrected gold notes from the review, in the JSONL format `phi-redact eval --gold` reads:
 * spans reviewers confirmed (with their label changes), plus their misses; false alarms are
 * dropped. Only notes a reviewer (or adjudicator) marked done are exported; where reviewers
 * disagree, an adjudicator's decision wins, else the rule in `combineReviews` (PHI wins). Overlapping spans are joined (the
 * longer part's label wins) so gold spans stay disjoint. A detector's subtype is kept only
 * when the label was not changed.
 */
export function exportGold(items: readonly ReviewItem[], state: VerdictState, opts: { requireAdjudication?: boolean } = {}): GoldLine[] {
  const notes = combineReviews(items, state);
  if (opts.requireAdjudication) {
    const open = notes.filter((n) => n.disagreements.some((d) => !d.resolved));
    if (open.length > 0) {
      throw new ReviewError(
        'E153',
        `${open.length} note(s) hold disagreements no adjudicator has decided (first: ${open[0]!.item.id}); run review serve --adjudicate, or drop --require-adjudication to let the rule decide (PHI wins)`,
      );
    }
  }
  return notes.map((note) => {
    const { item } = note;
    const parts: { start: number; end: number; label: Label; subtype?: string }[] = [];
    for (const s of note.spans) {
      if (s.outcome !== 'phi') continue;
      const span = item.spans[s.index]!;
      const subtype = !s.relabelled ? span.subtype : undefined;
      parts.push({ start: span.start, end: span.end, label: s.label, ...(subtype ? { subtype } : {}) });
    }
    for (const m of note.misses) parts.push({ start: m.start, end: m.end, label: m.label });
    parts.sort((a, b) => a.start - b.start || b.end - a.end);
    const joined: (typeof parts[number] & { longest: number })[] = [];
    for (const p of parts) {
      const last = joined[joined.length - 1];
      const len = p.end - p.start;
      if (last && p.start < last.end) {
        if (len > last.longest) {
          last.label = p.label;
          last.longest = len;
          if (p.subtype) last.subtype = p.subtype;
          else delete last.subtype;
        }
        last.end = Math.max(last.end, p.end);
      } else {
        joined.push({ ...p, longest: len });
      }
    }
    return {
      id: item.id,
      text: item.text,
      spans: joined.map(({ start, end, label, subtype }) => ({
        start,
        end,
        label,
        ...(subtype ? { subtype } : {}),
        text: item.text.slice(start, end),
      })),
    };
  });
}
