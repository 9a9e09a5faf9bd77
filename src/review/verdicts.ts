import type { Label } from '../core/labels.js';
import type { ReviewItem, Role, VerdictEvent } from './types.js';

/** One reviewer's current view of one note, after replaying their events in file order. */
export interface ReviewerItemState {
  readonly spans: Record<number, { readonly verdict: 'confirm' | 'reject' | 'relabel'; readonly label?: Label }>;
  readonly misses: Record<string, { readonly start: number; readonly end: number; readonly label: Label }>;
  readonly comment?: string;
  readonly done: boolean;
}

/** person → note id → state. */
export type StatesByPerson = Map<string, Map<string, ReviewerItemState>>;

/**
 * Everything the verdict log says, replayed: each reviewer's own view of each note, kept apart
 * from the adjudicators' (a person may review some notes and adjudicate others).
 */
export interface VerdictState {
  readonly reviews: StatesByPerson;
  readonly adjudications: StatesByPerson;
}

export const EMPTY_ITEM_STATE: ReviewerItemState = { spans: {}, misses: {}, done: false };

export function emptyVerdictState(): VerdictState {
  return { reviews: new Map(), adjudications: new Map() };
}

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
export function reduceVerdicts(events: readonly VerdictEvent[], into: VerdictState = emptyVerdictState()): VerdictState {
  for (const e of events) {
    const people = e.role === 'adjudicator' ? into.adjudications : into.reviews;
    const byItem = people.get(e.reviewer) ?? new Map<string, ReviewerItemState>();
    people.set(e.reviewer, byItem);
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

/**
 * Where reviewers who finished a note differ: on a detected span (PHI or not, or which label),
 * or on a stretch one of them marked as missed and another did not (or with another label).
 * `resolved`: an adjudicator decided it (judged the span / finished the note, for misses).
 * Offsets and labels only: reports print these, never note text.
 */
export type Disagreement =
  | {
      readonly kind: 'span';
      readonly span: number;
      readonly start: number;
      readonly end: number;
      readonly detected: Label;
      readonly verdicts: readonly { readonly reviewer: string; readonly verdict: string }[];
      readonly resolved: boolean;
    }
  | {
      readonly kind: 'miss';
      readonly start: number;
      readonly end: number;
      readonly label: Label;
      readonly markedBy: readonly { readonly reviewer: string; readonly label: Label }[];
      readonly notBy: readonly string[];
      readonly resolved: boolean;
    };

/** The combined review of one note: what `report` and `export-gold` use. */
export interface ReviewedNote {
  readonly item: ReviewItem;
  /** Reviewers who marked the note done. */
  readonly reviewers: readonly string[];
  /** Adjudicators who marked the note done. */
  readonly adjudicators: readonly string[];
  readonly spans: readonly JudgedSpan[];
  readonly misses: readonly MissSpan[];
  readonly disagreements: readonly Disagreement[];
}

type SpanVerdict = ReviewerItemState['spans'][number];

/** PHI if any verdict says so (recall first); the label of the last relabel among those, else the detected one. */
function decideSpan(index: number, detected: Label, verdicts: readonly SpanVerdict[]): JudgedSpan {
  const phi = verdicts.filter((v) => v.verdict !== 'reject');
  if (phi.length > 0) {
    const relabel = [...phi].reverse().find((v) => v.verdict === 'relabel');
    const label = relabel?.label ?? detected;
    return { index, detected, outcome: 'phi', label, relabelled: label !== detected };
  }
  return { index, detected, outcome: verdicts.length > 0 ? 'false-alarm' : 'unjudged', label: detected, relabelled: false };
}

const doneBy = (people: StatesByPerson, itemId: string): string[] =>
  [...people.keys()].filter((p) => people.get(p)?.get(itemId)?.done).sort();

const validMisses = (item: ReviewItem, st: ReviewerItemState): MissSpan[] =>
  Object.values(st.misses).filter((m) => m.start < m.end && m.end <= item.text.length);

/**
 * Combines the review of each note that someone finished (README "Several reviewers"):
 *  - a span an adjudicator judged takes the adjudicators' verdict (finished or not); otherwise the verdicts of the
 *    reviewers who finished the note, erring toward recall: PHI if any of them said so (a false
 *    alarm only if all who judged it rejected it), with the last relabel's label;
 *  - the misses are the union of the reviewers' (overlapping misses joined); where reviewers
 *    disagree on one (see `findDisagreements`) and an adjudicator finished the note, it is kept
 *    only if an adjudicator marked it too, and the adjudicators' own misses are added.
 * Notes nobody marked done are left out: an unfinished note must not count as "nothing missed".
 */
export function combineReviews(items: readonly ReviewItem[], state: VerdictState): ReviewedNote[] {
  const out: ReviewedNote[] = [];
  for (const item of items) {
    const reviewers = doneBy(state.reviews, item.id);
    const adjudicators = doneBy(state.adjudications, item.id);
    if (reviewers.length === 0 && adjudicators.length === 0) continue;
    const states = reviewers.map((r) => state.reviews.get(r)!.get(item.id)!);
    const adjStates = adjudicators.map((a) => state.adjudications.get(a)!.get(item.id)!);
    // An adjudicator's verdict on a span counts as soon as it is given; their misses once they finish the note.
    const spanRulings = [...state.adjudications.values()].flatMap((byItem) => (byItem.has(item.id) ? [byItem.get(item.id)!] : []));
    const spans = item.spans.map((s, index): JudgedSpan => {
      const adjudicated = spanRulings.map((st) => st.spans[index]).filter((v) => v !== undefined);
      const reviewed = states.map((st) => st.spans[index]).filter((v) => v !== undefined);
      return decideSpan(index, s.label, adjudicated.length > 0 ? adjudicated : reviewed);
    });
    const found = findDisagreements(item, reviewers, states);
    const regions = joinOverlapping(states.flatMap((st) => validMisses(item, st)));
    const disputed = (m: MissSpan): boolean => found.some((d) => d.kind === 'miss' && d.start === m.start && d.end === m.end);
    // An adjudicator who finished the note decides the disputed misses (kept where they marked one) and may add more.
    const misses =
      adjStates.length > 0 ? joinOverlapping([...regions.filter((m) => !disputed(m)), ...adjStates.flatMap((st) => validMisses(item, st))]) : regions;
    const disagreements = found.map((d) =>
      d.kind === 'span' ? { ...d, resolved: spanRulings.some((st) => st.spans[d.span] !== undefined) } : { ...d, resolved: adjStates.length > 0 },
    );
    out.push({ item, reviewers, adjudicators, spans, misses, disagreements });
  }
  return out;
}

const verdictName = (v: SpanVerdict): string => (v.verdict === 'relabel' ? `relabel ${v.label}` : v.verdict);

/** Disagreements among the reviewers who finished a note (`resolved` still false). */
export function findDisagreements(item: ReviewItem, reviewers: readonly string[], states: readonly ReviewerItemState[]): Disagreement[] {
  if (reviewers.length < 2) return [];
  const out: Disagreement[] = [];
  item.spans.forEach((s, index) => {
    const said = reviewers.flatMap((reviewer, i) => {
      const v = states[i]!.spans[index];
      return v ? [{ reviewer, v }] : [];
    });
    // What each one means: not PHI, or PHI with this label.
    const meanings = new Set(said.map(({ v }) => (v.verdict === 'reject' ? '-' : v.verdict === 'relabel' ? v.label : s.label)));
    if (meanings.size > 1) {
      out.push({ kind: 'span', span: index, start: s.start, end: s.end, detected: s.label, verdicts: said.map(({ reviewer, v }) => ({ reviewer, verdict: verdictName(v) })), resolved: false });
    }
  });
  const own = states.map((st) => joinOverlapping(validMisses(item, st)));
  for (const region of joinOverlapping(own.flat())) {
    const markedBy: { reviewer: string; label: Label }[] = [];
    const notBy: string[] = [];
    reviewers.forEach((reviewer, i) => {
      const hit = own[i]!.find((m) => m.start < region.end && region.start < m.end);
      if (hit) markedBy.push({ reviewer, label: hit.label });
      else notBy.push(reviewer);
    });
    if (notBy.length > 0 || new Set(markedBy.map((m) => m.label)).size > 1) {
      out.push({ kind: 'miss', start: region.start, end: region.end, label: region.label, markedBy, notBy, resolved: false });
    }
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

/** For the page: one person's state of one note, as plain JSON. */
export function itemStateFor(state: VerdictState, person: string, itemId: string, role: Role = 'reviewer'): ReviewerItemState {
  return (role === 'adjudicator' ? state.adjudications : state.reviews).get(person)?.get(itemId) ?? EMPTY_ITEM_STATE;
}
