import type { Label } from '../../core/labels.js';
import type { Span } from '../../core/span.js';
import { WORD_CLASSES, type WordLexicon, type WordTest, wordTokens, type WordToken } from '../../lexicon/index.js';

/**
 * Consistency (issue 15): a name or place found with confidence at one place is PHI at its other
 * places too, in the same note and (opt-out) in later notes of the same run. Detectors judge each
 * occurrence by its context; a surname after "Dr." is found, the same surname alone three lines
 * down is not. The functions are pure; RepeatMemory is the one piece of state (a run's strings).
 *
 * The guard against spreading common words: a remembered string must hold an anchor, a word of
 * at least three letters that is neither a plain (English or medical) word, nor a number, nor in
 * the wider English vocabulary. "Green" after "Dr." is a name, but "green stool" is not: a
 * string without an anchor (a surname that is an English word, alone) is never spread. Nor is
 * one word that only the model found: its one-word names and places are its commonest false alarms
 * on unseen notes (clinical abbreviations, misspellings), and spreading one to every later note of
 * a run multiplied it (models/MODEL_CARD.md, "Tenth session").
 */

/** Labels whose strings recur verbatim (dates and numbers are shifted/rewritten per occurrence). */
const SPREAD_LABELS: ReadonlySet<Label> = new Set<Label>(['NAME', 'LOCATION']);

/** Word classes (src/lexicon/wordClass.ts) that never anchor a remembered string. */
const PLAIN = WORD_CLASSES.indexOf('plain');
const NUMBER = WORD_CLASSES.indexOf('number');
/** Detector ids of models (src/detect/ner: `ner/phi-ner`). */
const MODEL_PREFIX = 'ner/';

/** What the word lists say of a word: its class, and whether it is an English word. */
export interface RepeatLexicon {
  readonly classes: WordLexicon;
  /** Lower-case words of the wider English vocabulary (SCOWL up to 50). */
  readonly english: WordTest;
}

export interface RepeatOptions {
  /** Smallest merged-span score that makes a string worth remembering. */
  readonly minScore: number;
}

/** A remembered string: its lower-case words, and what it was found as. */
export interface Remembered {
  /** The words joined by single spaces: the memory's key. */
  readonly key: string;
  readonly words: readonly string[];
  readonly label: Label;
  readonly subtype?: string;
}

/**
 * Strings remembered across the notes of one run (a stream, a pool worker, a queue worker).
 * Bounded: the oldest strings are forgotten first. Holds PHI in memory only; never written.
 */
export class RepeatMemory {
  private readonly entries = new Map<string, Remembered>();
  /** First word -> the remembered strings that start with it (what a note's tokens look up). */
  private readonly byFirst = new Map<string, Map<string, Remembered>>();
  constructor(readonly capacity = 5_000) {}

  get size(): number {
    return this.entries.size;
  }

  add(r: Remembered): void {
    this.entries.delete(r.key);
    this.entries.set(r.key, r);
    indexByFirstWord(this.byFirst, r);
    if (this.entries.size > this.capacity) this.forget(this.entries.keys().next().value!);
  }

  /** The remembered strings that start with this lower-case word. */
  startingWith(word: string): Iterable<Remembered> | undefined {
    return this.byFirst.get(word)?.values();
  }

  private forget(key: string): void {
    const r = this.entries.get(key)!;
    this.entries.delete(key);
    const group = this.byFirst.get(r.words[0]!)!;
    group.delete(key);
    if (group.size === 0) this.byFirst.delete(r.words[0]!);
  }
}

/** The strings of `spans` worth remembering (see the guard above); none of them is ever a plain word alone. */
export function rememberable(text: string, spans: readonly Span[], lexicon: RepeatLexicon, options: RepeatOptions): Remembered[] {
  const out: Remembered[] = [];
  for (const s of spans) {
    if (!SPREAD_LABELS.has(s.label) || s.score < options.minScore) continue;
    const words = wordTokens(text.slice(s.start, s.end));
    if (words.length === 0 || words.length > 4 || (words.length === 1 && modelAlone(s))) continue;
    if (!words.some((w) => isAnchor(w, lexicon))) continue;
    const keys = words.map((w) => w.key);
    out.push({ key: keys.join(' '), words: keys, label: s.label, ...(s.subtype !== undefined ? { subtype: s.subtype } : {}) });
  }
  return out;
}

/** Remembered strings by their first word: a RepeatMemory, or one note's own list (`lookupOf`). */
export interface RepeatLookup {
  startingWith(word: string): Iterable<Remembered> | undefined;
}

/** A lookup over one list of remembered strings (a note's own, without run memory). */
export function lookupOf(remembered: readonly Remembered[]): RepeatLookup {
  const byFirst = new Map<string, Map<string, Remembered>>();
  for (const r of remembered) indexByFirstWord(byFirst, r);
  return { startingWith: (word) => byFirst.get(word)?.values() };
}

/**
 * Spans for the other occurrences of remembered strings in `text` that no span in `spans`
 * touches: whole words, words separated by blanks only (never a line break), possessive allowed.
 * Linear in the note: each word token looks up the strings that start with it.
 */
export function repeatSpans(text: string, spans: readonly Span[], lookup: RepeatLookup, source: string, score: number): Span[] {
  const tokens = wordTokens(text);
  let taken: Uint8Array | undefined;
  const out: Span[] = [];
  for (let first = 0; first < tokens.length; first++) {
    const found = lookup.startingWith(tokens[first]!.key);
    if (found === undefined) continue;
    // The longest string first: "Anna Zdunek" wins over "Anna" at the same word.
    const candidates = [...found].sort((a, b) => b.words.length - a.words.length);
    for (const r of candidates) {
      const last = first + r.words.length - 1;
      if (last >= tokens.length || !matches(text, tokens, first, r)) continue;
      taken ??= takenTokens(tokens, spans);
      if (!free(taken, first, last)) continue;
      const start = tokens[first]!.start;
      // A possessive stays outside the span, as the detectors leave it ("[NAME]'s").
      const end = tokens[last]!.end - (POSSESSIVE.test(tokens[last]!.text) ? 2 : 0);
      out.push({
        start,
        end,
        label: r.label,
        ...(r.subtype !== undefined ? { subtype: r.subtype } : {}),
        source,
        score,
        explanation: 'repeat of a confident finding',
      });
      taken.fill(1, first, last + 1);
    }
  }
  return out;
}

function indexByFirstWord(index: Map<string, Map<string, Remembered>>, r: Remembered): void {
  const first = r.words[0]!;
  const group = index.get(first);
  if (group === undefined) index.set(first, new Map([[r.key, r]]));
  else group.set(r.key, r);
}

/** Per token: does a span already cover any of it (one sweep over the spans sorted by start). */
function takenTokens(tokens: readonly WordToken[], spans: readonly Span[]): Uint8Array {
  const taken = new Uint8Array(tokens.length);
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let k = 0;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    while (k < sorted.length && sorted[k]!.end <= tok.start) k++;
    for (let j = k; j < sorted.length && sorted[j]!.start < tok.end; j++) {
      if (sorted[j]!.end > tok.start) {
        taken[t] = 1;
        break;
      }
    }
  }
  return taken;
}

function free(taken: Uint8Array, first: number, last: number): boolean {
  for (let t = first; t <= last; t++) if (taken[t] === 1) return false;
  return true;
}

/** Whether every detector behind a merged span is a model (`ner/...`): no rule, list or cue agreed. */
function modelAlone(s: Span): boolean {
  return (s.sources ?? [s.source]).every((id) => id.startsWith(MODEL_PREFIX));
}

function isAnchor(w: WordToken, lexicon: RepeatLexicon): boolean {
  if (letters(w.text) < 3 || lexicon.english.has(w.key)) return false;
  const c = lexicon.classes.classOf(w.text);
  return c !== PLAIN && c !== NUMBER;
}

function matches(text: string, tokens: readonly WordToken[], first: number, r: Remembered): boolean {
  for (let k = 0; k < r.words.length; k++) {
    const t = tokens[first + k]!;
    if (t.key !== r.words[k] || (k < r.words.length - 1 && POSSESSIVE.test(t.text))) return false;
    if (k > 0 && !/^[ \t]+$/.test(text.slice(tokens[first + k - 1]!.end, t.start))) return false;
  }
  return true;
}

const POSSESSIVE = /['’]s$/;

function letters(word: string): number {
  return word.replace(/[^\p{L}]/gu, '').length;
}
