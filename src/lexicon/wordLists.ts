import type { NameCues, Phrase, PlaceCues } from './cues.js';
import type { CaseMode, WordToken } from './tokens.js';

/**
 * The word lists the detector receives (built once by src/node/assets/wordLists.ts from installed
 * packages; the detector never reads files). All keys are lowercase.
 */
export interface DictionaryData {
  /** Given names (faker locales). */
  readonly firstNames: ReadonlySet<string>;
  /** Given and family names from the curated English-locale lists (faker en, en_*): trusted even when they are English words. */
  readonly knownNames: ReadonlySet<string>;
  /** Every name the lists know, given or family (faker locales, humannames). */
  readonly names: ReadonlySet<string>;
  /** Frequent English words (SCOWL levels 10–35): a name that is one needs a cue. */
  readonly common: ReadonlySet<string>;
  /** The most frequent English words (SCOWL level 10): never a name after a title unless a name list has it. */
  readonly veryCommon: ReadonlySet<string>;
  /** A wider English vocabulary (SCOWL up to 50): bare list hits must not be in it. */
  readonly vocabulary: ReadonlySet<string>;
  /** Medical terms (@cspell/dict-medicalterms), eponyms and brands included (Foley, Lasix). */
  readonly medical: ReadonlySet<string>;
  /** The medical terms the dictionary writes in lower case: without eponyms, brands and the
   *  town names it also holds, so place rules can use it. */
  readonly medicalWords: ReadonlySet<string>;
  /** Country names (faker en): never a bare name (Cyprus, Ireland). */
  readonly countries: ReadonlySet<string>;
  /** City names, one or more words joined by single spaces. */
  readonly cities: ReadonlySet<string>;
  readonly nameCues: NameCues;
  readonly placeCues: PlaceCues;
}

/** One note's tokens with the per-token facts every rule asks, computed once. */
export interface NoteView {
  readonly text: string;
  readonly tokens: readonly WordToken[];
  readonly mode: CaseMode;
  readonly data: DictionaryData;
  /** Per-token memo for names.ts `strength` (-1: not computed yet). */
  readonly strengths: Int8Array;
}

const byLastWord = new WeakMap<readonly Phrase[], Map<string, Phrase[]>>();
const byFirstWord = new WeakMap<readonly Phrase[], Map<string, Phrase[]>>();

/** Phrases grouped by one of their words (longest first within a group), built once per phrase list. */
function indexed(cache: WeakMap<readonly Phrase[], Map<string, Phrase[]>>, phrases: readonly Phrase[], pick: (p: Phrase) => string): Map<string, Phrase[]> {
  let map = cache.get(phrases);
  if (map === undefined) {
    map = new Map();
    for (const p of phrases) {
      const k = pick(p);
      const list = map.get(k);
      if (list === undefined) map.set(k, [p]);
      else list.push(p);
    }
    cache.set(phrases, map);
  }
  return map;
}

/** Text between token i-1 and token i ('' for the first token: the note start counts as a line start). */
export function gapBefore(v: NoteView, i: number): string {
  const t = v.tokens[i]!;
  const prevEnd = i === 0 ? 0 : v.tokens[i - 1]!.end;
  return i === 0 ? `\n${v.text.slice(0, t.start)}` : v.text.slice(prevEnd, t.start);
}

export function gapAfter(v: NoteView, i: number): string {
  const t = v.tokens[i]!;
  const next = v.tokens[i + 1];
  return next === undefined ? `${v.text.slice(t.end)}\n` : v.text.slice(t.end, next.start);
}

/** Phrase words may be joined by blanks, a slash (w/), or a hyphen. */
const PHRASE_JOINT = /^[ \t]*[/-]?[ \t]*$/;

/**
 * Length of the longest phrase ending exactly at token `last` (inclusive), or 0.
 * `phrases` must be sorted longest first (cues.ts does so).
 */
export function phraseEndingAt(v: NoteView, last: number, phrases: readonly Phrase[]): number {
  if (last < 0) return 0;
  const candidates = indexed(byLastWord, phrases, (p) => p[p.length - 1]!).get(v.tokens[last]!.key) ?? [];
  outer: for (const p of candidates) {
    const first = last - p.length + 1;
    if (first < 0) continue;
    // A cue is a whole word: not the "cc" of "600cc".
    if (/[\p{L}\p{N}]/u.test(v.text[v.tokens[first]!.start - 1] ?? ' ')) continue;
    for (let k = 0; k < p.length; k++) {
      if (v.tokens[first + k]!.key !== p[k] && v.tokens[first + k]!.text.toLowerCase() !== p[k]) continue outer;
      if (k > 0 && !PHRASE_JOINT.test(gapBefore(v, first + k))) continue outer;
    }
    return p.length;
  }
  return 0;
}

/** Length of the longest phrase starting at token `first`, or 0. */
export function phraseStartingAt(v: NoteView, first: number, phrases: readonly Phrase[]): number {
  if (first >= v.tokens.length) return 0;
  const candidates = indexed(byFirstWord, phrases, (p) => p[0]!).get(v.tokens[first]!.key) ?? [];
  outer: for (const p of candidates) {
    if (first + p.length > v.tokens.length) continue;
    for (let k = 0; k < p.length; k++) {
      if (v.tokens[first + k]!.key !== p[k] && v.tokens[first + k]!.text.toLowerCase() !== p[k]) continue outer;
      if (k > 0 && !PHRASE_JOINT.test(gapBefore(v, first + k))) continue outer;
    }
    return p.length;
  }
  return 0;
}

export function isInitial(t: WordToken): boolean {
  return t.text.length === 1;
}

/** Blanks only, on one line. */
export function isSpaceGap(gap: string): boolean {
  return /^[ \t]{1,3}$/.test(gap);
}

/** The gap after an initial: "J. Smith", "J Smith" (upper case notes drop the dot). */
export function isInitialGap(gap: string): boolean {
  return /^\.?[ \t]{1,3}$/.test(gap) || gap === '.';
}
