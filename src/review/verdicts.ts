import type { Label } from '../core/labels.js';
import type { ReviewItem, VerdictEvent } from './types.js';

/** One reviewer's current view of one note, after replaying their events in file order. */
export interface ReviewerItemState {
  readonly spans: Record<number, { readonly verdict: 'confirm' | 'reject' | 'relabel'; readonly label?: Label }>;
  readonly misses: Record<string, { readonly start: number; readonly end: number; readonly label: Label }>;
  readonly comment?: string;
  readonly done: boolean;
}

/** reviewer → note id → state. */
export type VerdictState = Map<string, Map<string, ReviewerItemState>>;

export const EMPTY_ITEM_STATE: ReviewerItemState = { spans: {}, misses: {}, done: false };

/** Applies one event to a reviewer's note state (returns a new state; the input is not changed). */
export function applyEvent(state: ReviewerItemState, e: VerdictEvent): ReviewerItemState {
  switch (e.kind) {
    case 'span': {
      const spans = { ...state.spans };
      if (e.verdict === 'clear') delete spans[e.span];
      else if (e.verdict === 'relabel' && e.label) spans[e.span] = { verdict: 'relabel', label: e.label };
      else if (e.verdict !== 'relabel') spans[e.span] = { verdict: e.verdict };
      return { ...state, spans };
    }
    case 'miss':
      return { ...state, misses: { ...state.misses, [e.miss]: { start: e.start, end: e.end, label: e.label } } };
    case 'unmiss': {
      const misses = { ...state.misses };
      delete misses[e.miss];
      return { ...state, misses };
    }
    case 'comment':
      return { ...state, comment: e.text };
    case 'done':
      return { ...state, done: true };
    case 'undone':
      return { ...state, done: false };
  }
}

/** Replays events in order. Later events win, so the log is the only truth and never rewritten. */
export function reduceVerdicts(events: readonly VerdictEvent[], into: VerdictState = new Map()): VerdictState {
  for (const e of events) {
    const byItem = into.get(e.reviewer) ?? new Map<string, ReviewerItemState>();
    into.set(e.reviewer, byItem);
    byItem.set(e.item, applyEvent(byItem.get(e.item) ?? EMPTY_ITEM_STATE, e));
  }
  return into;
}

/** A span the review says is PHI (the detector was right that it is PHI; maybe not its label). */
export interface JudgedSpan {
  readonly index: number;
  readonly detected: Label;
  /** 'phi' (confirmed or relabelled), 'false-alarm' (rejected) or 'unjudged'. */
  readonly outcome: 'phi' | 'false-alarm' | 'unjudged';
  /** The label the reviewers settled on (differs from `detected` when relabelled). */
  readonly label: Label;
  readonly relabelled: boolean;
}

export interface MissSpan {
  readonly start: number;
  readonly end: number;
  readonly label: Label;
}

/** The combined review of one note: what `report` and `export-gold` use. */
export interface ReviewedNote {
  readonly item: ReviewItem;
  readonly reviewers: readonly string[];
  readonly spans: readonly JudgedSpan[];
  readonly misses: readonly MissSpan[];
}

/**
 * Combines the reviewers who marked a note done, erring toward recall: a span is PHI if any of
 * them said so (a false alarm only if all who judged it rejected it), and the misses are the
 * union of everyone's (overlapping misses joined). Notes nobody marked done are left out:
 * an unfinished note must not count as "nothing missed".
 */
export function combineReviews(items: readonly ReviewItem[], state: VerdictState): ReviewedNote[] {
  const reviewers = [...state.keys()].sort();
  const out: ReviewedNote[] = [];
  for (const item of items) {
    const done = reviewers.filter((r) => state.get(r)?.get(item.id)?.done);
    if (done.length === 0) continue;
    const states = done.map((r) => state.get(r)!.get(item.id)!);
    const spans = item.spans.map((s, index): JudgedSpan => {
      const verdicts = states.map((st) => st.spans[index]).filter((v) => v !== undefined);
      const phi = verdicts.filter((v) => v.verdict !== 'reject');
      if (phi.length > 0) {
        const relabel = [...phi].reverse().find((v) => v.verdict === 'relabel');
        const label = relabel?.label ?? s.label;
        return { index, detected: s.label, outcome: 'phi', label, relabelled: label !== s.label };
      }
      const outcome = verdicts.length > 0 ? 'false-alarm' : 'unjudged';
      return { index, detected: s.label, outcome, label: s.label, relabelled: false };
    });
    const misses = joinOverlapping(
      states.flatMap((st) => Object.values(st.misses)).filter((m) => m.start < m.end && m.end <= item.text.length),
    );
    out.push({ item, reviewers: done, spans, misses });
  }
  return out;
}

/** Sorts spans and joins overlapping ones; the joined span takes the label of its longest part. */
export function joinOverlapping(spans: readonly MissSpan[]): MissSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: { start: number; end: number; label: Label; longest: number }[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    const len = s.end - s.start;
    if (last && s.start < last.end) {
      if (len > last.longest) {
        last.label = s.label;
        last.longest = len;
      }
      last.end = Math.max(last.end, s.end);
    } else {
      out.push({ start: s.start, end: s.end, label: s.label, longest: len });
    }
  }
  return out.map(({ start, end, label }) => ({ start, end, label }));
}

/** For the page: one reviewer's state of one note, as plain JSON. */
export function itemStateFor(state: VerdictState, reviewer: string, itemId: string): ReviewerItemState {
  return state.get(reviewer)?.get(itemId) ?? EMPTY_ITEM_STATE;
}
