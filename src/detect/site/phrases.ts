/**
 * Phrase lists matched word by word: the engine under site deny lists, rosters, allow lists and
 * known identifiers. A phrase is a sequence of word keys (lower case, accents off, curly
 * apostrophes straight); a note matches it where consecutive words have those keys and nothing
 * but a little punctuation between them (`F. Last`, `Last, First`, `Smith-Jones`), case-blind.
 * Capitalised words of five letters or more also match with one typing slip (one letter added, dropped,
 * changed or two swapped), found through a one-deletion index (SymSpell's idea) so a note is
 * read once whatever the list size. Pure: strings in, ranges out.
 */

export interface NoteWord {
  readonly start: number;
  readonly end: number;
  readonly key: string;
  /** The word starts with an upper-case letter in the note. */
  readonly capital: boolean;
}

export interface Phrase {
  /** Word keys (`wordKey`), in order. */
  readonly words: readonly string[];
  /** Matched only where its first word is capitalised in the note (a surname alone, a first name alone). */
  readonly capital?: boolean;
  /** Anything the caller needs back with a match (label, subtype, score). */
  readonly tag: number;
}

export interface PhraseMatch {
  readonly start: number;
  readonly end: number;
  readonly tag: number;
  /** At least one word matched with a typing slip. */
  readonly fuzzy: boolean;
}

/** Words, digit runs apart from letters (`Ward7` is `Ward` + `7`); a trailing possessive `'s` is left out of the word. */
const WORD = /\p{L}[\p{L}\p{M}]*(?:['’]\p{L}[\p{L}\p{M}]*)*|\p{N}+/gu;
/** What may stand between two words of one phrase: a space, a period, a comma, a hyphen, briefly. */
const JOINER = /^[ \t]{0,2}[.,\-–]?[ \t]{0,2}$/u;
/** Slips are allowed in words this long or longer. */
export const FUZZY_MIN = 5;

/** The comparison key of a word: lower case, accents and marks off, curly apostrophes straight. */
export function wordKey(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').replace(/’/gu, "'").toLowerCase();
}

/** The words of a text with their offsets. */
export function noteWords(text: string): NoteWord[] {
  const out: NoteWord[] = [];
  for (const m of text.matchAll(WORD)) {
    let end = m.index + m[0].length;
    let word = m[0];
    if (/['’][sS]$/u.test(word) && word.length > 3) {
      word = word.slice(0, -2);
      end -= 2;
    }
    const first = word[0]!;
    out.push({ start: m.index, end, key: wordKey(word), capital: first !== first.toLowerCase() });
  }
  return out;
}

/** The keys of a phrase as written in a list (same word rules as the notes). */
export function phraseWords(text: string): string[] {
  return noteWords(text).map((w) => w.key);
}

/** True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours. */
export function oneSlip(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function deletions(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < key.length; i++) out.push(key.slice(0, i) + key.slice(i + 1));
  return out;
}

const slipEligible = (key: string): boolean => key.length >= FUZZY_MIN && /^\p{L}+$/u.test(key);

/** A node of the phrase trie: the phrases ending here, and the words that continue one. */
interface TrieNode {
  readonly next: Map<string, TrieNode>;
  readonly ends: { readonly tag: number; readonly capital: boolean }[];
}

/**
 * A compiled list: the phrases as a trie of words (a note word is compared with the words that
 * can follow, not with every phrase sharing its first word: a roster of thousands holds hundreds
 * of Johns), and the one-deletion index of the slip-eligible words.
 */
export interface PhraseIndex {
  readonly root: TrieNode;
  /** A word, or one of its one-letter deletions, → the listed words it may be a slip of. */
  readonly slips: ReadonlyMap<string, readonly string[]>;
  readonly size: number;
}

export function buildPhraseIndex(phrases: readonly Phrase[], fuzzy = true): PhraseIndex {
  const root: TrieNode = { next: new Map(), ends: [] };
  const slips = new Map<string, Set<string>>();
  let size = 0;
  for (const p of phrases) {
    if (p.words.length === 0) continue;
    size++;
    let node = root;
    for (const w of p.words) {
      let child = node.next.get(w);
      if (child === undefined) {
        child = { next: new Map(), ends: [] };
        node.next.set(w, child);
      }
      node = child;
    }
    const capital = p.capital === true;
    if (!node.ends.some((e) => e.tag === p.tag && e.capital === capital)) node.ends.push({ tag: p.tag, capital });
    if (!fuzzy) continue;
    for (const w of p.words) {
      if (!slipEligible(w)) continue;
      for (const d of [w, ...deletions(w)]) {
        const set = slips.get(d);
        if (set === undefined) slips.set(d, new Set([w]));
        else set.add(w);
      }
    }
  }
  return { root, slips: new Map([...slips].map(([k, v]) => [k, [...v]])), size };
}

/**
 * The listed words a note word may stand for: itself, and, for a capitalised word of 5+ letters,
 * those one slip away (in lower case, one letter off a name is most often another word: `shore`, `short`).
 */
function listedFor(index: PhraseIndex, word: NoteWord): string[] {
  const { key } = word;
  if (!word.capital || index.slips.size === 0 || key.length < FUZZY_MIN - 1 || !/^\p{L}+$/u.test(key)) return [key];
  const found = new Set<string>([key]);
  for (const d of [key, ...deletions(key)]) {
    for (const w of index.slips.get(d) ?? []) if (oneSlip(w, key)) found.add(w);
  }
  return [...found];
}

/** Every place in `text` where a listed phrase occurs (overlapping matches all reported). */
export function matchPhrases(text: string, index: PhraseIndex, words: readonly NoteWord[] = noteWords(text)): PhraseMatch[] {
  if (index.size === 0) return [];
  const out: PhraseMatch[] = [];
  // Follows the trie from `node`, whose phrases so far end with note word `k`.
  const walk = (first: NoteWord, node: TrieNode, k: number, slipped: boolean): void => {
    for (const e of node.ends) if (!e.capital || first.capital) out.push({ start: first.start, end: words[k]!.end, tag: e.tag, fuzzy: slipped });
    if (node.next.size === 0) return;
    const next = words[k + 1];
    if (next === undefined || !JOINER.test(text.slice(words[k]!.end, next.start))) return;
    for (const listed of listedFor(index, next)) {
      const child = node.next.get(listed);
      if (child !== undefined) walk(first, child, k + 1, slipped || listed !== next.key);
    }
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    for (const listed of listedFor(index, w)) {
      const child = index.root.next.get(listed);
      if (child !== undefined) walk(w, child, i, listed !== w.key);
    }
  }
  return out;
}
