import type { Label } from '../../core/labels.js';
import { nameForms, parsePersonName } from './names.js';
import { buildPhraseIndex, matchPhrases, noteWords, type Phrase } from './phrases.js';

/**
 * `phi-redact lists learn`: site list proposals from reviewed notes (issue 16). From gold notes
 * and what the current detectors found in them:
 * - deny candidates: PHI strings of place-like labels that recur across notes, by label;
 * - roster candidates: staff names that recur (gold subtypes that say patient, relative or
 *   family are left out: those belong to one patient, the known-identifier field's job);
 * - allow candidates: detector false alarms that recur and are never PHI in any gold note.
 * Each with counts and whether today's detectors already catch it. Proposals only: a person
 * reviews them and names the kept lists in the config. Pure.
 */

export interface LearnSpan {
  readonly start: number;
  readonly end: number;
  readonly label: Label;
  readonly subtype?: string;
}

export interface LearnDoc {
  readonly text: string;
  readonly spans: readonly LearnSpan[];
  /** What the detectors found (merged spans). */
  readonly pred: readonly { readonly start: number; readonly end: number }[];
}

export interface Candidate {
  /** As written most often. */
  readonly text: string;
  /** Notes it occurs in, and occurrences. */
  readonly notes: number;
  readonly count: number;
  /** Share of its occurrences the detectors already cover entirely (PHI), or flag (false alarms: 1). */
  readonly caught: number;
  /** Deny and roster: places the entry would match (as the site detector matches: variants, slips) that are not PHI in the gold. */
  readonly notPhi?: number;
}

export interface ListProposals {
  readonly deny: Readonly<Partial<Record<Label, readonly Candidate[]>>>;
  readonly roster: readonly Candidate[];
  readonly allow: readonly Candidate[];
}

export interface LearnOptions {
  /** A string must occur in this many notes (default 2). */
  readonly minNotes?: number;
  /** Allow candidates must occur in this many notes (default 3: leaving a word unredacted is the costlier mistake). */
  readonly minAllowNotes?: number;
  /** Labels whose strings become deny lists (default: places and organisations; dates and numbers are values, not a site's words). */
  readonly denyLabels?: readonly Label[];
  /**
   * A deny or roster entry is proposed only when at least this share of what it would match in
   * the gold notes is PHI (default 0.8): a state abbreviation such as `MI` also matches every
   * myocardial infarction, and the gold shows it.
   */
  readonly minPrecision?: number;
}

/** Gold subtypes of a patient's own people: never staff. */
const PERSONAL = /pt|patient|relative|proxy|family|kin/iu;
const DEFAULT_DENY: readonly Label[] = ['LOCATION', 'ORGANIZATION'];

interface Tally {
  readonly forms: Map<string, number>;
  readonly notes: Set<number>;
  count: number;
  caught: number;
}

const keyOf = (text: string): string => noteWords(text).map((w) => w.key).join(' ');

export function learnLists(docs: readonly LearnDoc[], options: LearnOptions = {}): ListProposals {
  const minNotes = options.minNotes ?? 2;
  const minAllow = options.minAllowNotes ?? 3;
  const denyLabels = new Set(options.denyLabels ?? DEFAULT_DENY);
  const deny = new Map<Label, Map<string, Tally>>();
  const roster = new Map<string, Tally>();
  const falseAlarms = new Map<string, Tally>();
  /** Every word that is PHI somewhere in the gold: never proposed for the allow list. */
  const phiWords = new Set<string>();

  const tally = (table: Map<string, Tally>, key: string, form: string, note: number, caught: boolean): void => {
    const t = table.get(key) ?? { forms: new Map<string, number>(), notes: new Set<number>(), count: 0, caught: 0 };
    table.set(key, t);
    t.forms.set(form, (t.forms.get(form) ?? 0) + 1);
    t.notes.add(note);
    t.count += 1;
    if (caught) t.caught += 1;
  };

  docs.forEach((doc, n) => {
    const words = noteWords(doc.text);
    const covered = (start: number, end: number): boolean =>
      words.filter((w) => w.start < end && start < w.end).every((w) => doc.pred.some((p) => p.start < w.end && w.start < p.end));
    for (const s of doc.spans) {
      const form = doc.text.slice(s.start, s.end).trim();
      const key = keyOf(form);
      if (key === '') continue;
      for (const w of key.split(' ')) phiWords.add(w);
      const caught = covered(s.start, s.end);
      if (s.label === 'NAME') {
        if (!PERSONAL.test(s.subtype ?? '')) tally(roster, key, form, n, caught);
      } else if (denyLabels.has(s.label) && /\p{L}/u.test(key)) {
        // A place's words, not a bare number (ZIPs, street numbers: values the rules read).
        const table = deny.get(s.label) ?? new Map<string, Tally>();
        deny.set(s.label, table);
        tally(table, key, form, n, caught);
      }
    }
    for (const p of doc.pred) {
      if (doc.spans.some((s) => s.start < p.end && p.start < s.end)) continue;
      const form = doc.text.slice(p.start, p.end).trim();
      const key = keyOf(form);
      if (key !== '' && /\p{L}/u.test(key)) tally(falseAlarms, key, form, n, true);
    }
  });

  const ranked = (table: Map<string, Tally>, min: number, keep: (key: string) => boolean = () => true): Candidate[] =>
    [...table]
      .filter(([key, t]) => t.notes.size >= min && keep(key))
      .map(([, t]) => ({
        text: [...t.forms].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0],
        notes: t.notes.size,
        count: t.count,
        caught: Math.round((t.caught / t.count) * 100) / 100,
      }))
      // Most useful first: least caught today, then most frequent.
      .sort((a, b) => a.caught - b.caught || b.notes - a.notes || (a.text < b.text ? -1 : 1));

  const denied = [...deny].map(([label, table]) => [label, ranked(table, minNotes)] as const);
  const staff = ranked(roster, minNotes);
  const checked = withPrecision(docs, [...denied.flatMap(([, cs]) => cs.map((c) => ({ c, name: false }))), ...staff.map((c) => ({ c, name: true }))]);
  const precise = (c: Candidate): boolean => {
    const n = checked.get(c)!;
    return n.phi / Math.max(1, n.phi + n.notPhi) >= (options.minPrecision ?? 0.8);
  };
  const annotated = (c: Candidate): Candidate => ({ ...c, notPhi: checked.get(c)!.notPhi });
  return {
    deny: Object.fromEntries(denied.map(([label, cs]) => [label, cs.filter(precise).map(annotated)] as const).filter(([, cs]) => cs.length > 0)),
    roster: staff.filter(precise).map(annotated),
    allow: ranked(falseAlarms, minAllow, (key) => key.split(' ').every((w) => !phiWords.has(w))),
  };
}

/** How often each entry, matched as the site detector would match it, lands on gold PHI and off it. */
function withPrecision(docs: readonly LearnDoc[], entries: readonly { c: Candidate; name: boolean }[]): Map<Candidate, { phi: number; notPhi: number }> {
  const phrases: Phrase[] = [];
  entries.forEach(({ c, name }, tag) => {
    if (!name) {
      phrases.push({ words: noteWords(c.text).map((w) => w.key), tag });
      return;
    }
    const person = parsePersonName(c.text);
    if (person !== undefined) for (const f of nameForms(person)) phrases.push({ words: f.words, capital: f.capital, tag });
  });
  const index = buildPhraseIndex(phrases);
  const counts = entries.map(() => ({ phi: 0, notPhi: 0 }));
  for (const doc of docs) {
    for (const m of matchPhrases(doc.text, index)) {
      const onPhi = doc.spans.some((s) => s.start < m.end && m.start < s.end);
      counts[m.tag]![onPhi ? 'phi' : 'notPhi'] += 1;
    }
  }
  return new Map(entries.map(({ c }, i) => [c, counts[i]!]));
}
