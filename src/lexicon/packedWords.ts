/**
 * Several word sets packed into one open-addressing hash table over typed arrays, so that a
 * file written at build time (src/node/assets/lexiconFile.ts) is usable as soon as it is read:
 * no Set of 400k strings to rebuild at every start (that alone took 0.4 s). Each word is stored
 * once with a bit mask saying which sets hold it. Pure: arrays in, lookups out.
 */

export interface PackedWords {
  /** The set names, bit i of a mask standing for setNames[i] (at most 16). */
  readonly setNames: readonly string[];
  /** Every word, each followed by '\n'. */
  readonly text: string;
  /** starts[i]: where word i begins in `text`; starts[n]: text.length. */
  readonly starts: Uint32Array;
  readonly masks: Uint16Array;
  /** Hash slots (a power of two, at least twice the words): word index + 1, 0 when empty. */
  readonly slots: Uint32Array;
}

/** FNV-1a over UTF-16 code units: the same at build and load time, whatever the platform. */
export function wordHash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Packs named sets (at most 16; no word may hold a line break). Word order: first seen, sets in the order given. */
export function packWords(sets: ReadonlyMap<string, ReadonlySet<string>>): PackedWords {
  const setNames = [...sets.keys()];
  if (setNames.length > 16) throw new RangeError('at most 16 word sets can be packed');
  const maskOf = new Map<string, number>();
  setNames.forEach((name, bit) => {
    for (const w of sets.get(name)!) {
      if (w.includes('\n')) throw new RangeError(`set ${name} holds a word with a line break`);
      maskOf.set(w, (maskOf.get(w) ?? 0) | (1 << bit));
    }
  });
  const words = [...maskOf.keys()];
  const starts = new Uint32Array(words.length + 1);
  const masks = new Uint16Array(words.length);
  let at = 0;
  words.forEach((w, i) => {
    starts[i] = at;
    masks[i] = maskOf.get(w)!;
    at += w.length + 1;
  });
  starts[words.length] = at;
  let size = 1;
  while (size < words.length * 2) size *= 2;
  const slots = new Uint32Array(size);
  words.forEach((w, i) => {
    let s = wordHash(w) & (size - 1);
    while (slots[s] !== 0) s = (s + 1) & (size - 1);
    slots[s] = i + 1;
  });
  return { setNames, text: words.map((w) => `${w}\n`).join(''), starts, masks, slots };
}

/** Index of `word` in the table, or -1. */
export function wordIndex(p: PackedWords, word: string): number {
  const last = p.slots.length - 1;
  let s = wordHash(word) & last;
  for (;;) {
    const slot = p.slots[s]!;
    if (slot === 0) return -1;
    const i = slot - 1;
    const start = p.starts[i]!;
    if (p.starts[i + 1]! - start - 1 === word.length && p.text.startsWith(word, start)) return i;
    s = (s + 1) & last;
  }
}

function wordAt(p: PackedWords, i: number): string {
  return p.text.slice(p.starts[i]!, p.starts[i + 1]! - 1);
}

/**
 * A packed table with a one-word memo: detectors ask several of its sets about the same word in
 * a row (names, then common words, then medical terms), which then costs one probe, not three.
 */
export class PackedTable {
  private lastWord = '';
  private lastIndex = -1;

  constructor(readonly packed: PackedWords) {}

  indexOf(word: string): number {
    if (word !== this.lastWord) {
      this.lastIndex = wordIndex(this.packed, word);
      this.lastWord = word;
    }
    return this.lastIndex;
  }

  /** The mask bit of a named set. */
  bitOf(setName: string): number {
    const bit = this.packed.setNames.indexOf(setName);
    if (bit < 0) throw new RangeError(`no packed word set ${setName}`);
    return 1 << bit;
  }
}

/**
 * One packed set as a ReadonlySet (detectors and tests use `has`, `size` and iteration alike),
 * optionally joined with a small extra set (the plain words: the lists' plus the cue file's).
 */
export class PackedWordSet implements ReadonlySet<string> {
  private readonly bit: number;
  private count = -1;

  constructor(
    private readonly table: PackedTable,
    setName: string,
    private readonly extra: ReadonlySet<string> = new Set(),
  ) {
    this.bit = table.bitOf(setName);
  }

  /** Counted on first use: a scan of every mask, which a start should not pay for eleven sets. */
  get size(): number {
    if (this.count < 0) {
      let n = 0;
      for (const m of this.table.packed.masks) if ((m & this.bit) !== 0) n++;
      for (const w of this.extra) if (!this.inTable(w)) n++;
      this.count = n;
    }
    return this.count;
  }

  private inTable(word: string): boolean {
    const i = this.table.indexOf(word);
    return i >= 0 && (this.table.packed.masks[i]! & this.bit) !== 0;
  }

  has(word: string): boolean {
    return this.inTable(word) || this.extra.has(word);
  }

  *values(): SetIterator<string> {
    const { packed } = this.table;
    for (let i = 0; i < packed.masks.length; i++) if ((packed.masks[i]! & this.bit) !== 0) yield wordAt(packed, i);
    for (const w of this.extra) if (!this.inTable(w)) yield w;
  }

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const w of this.values()) yield [w, w];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const w of this.values()) callback.call(thisArg, w, w, this);
  }
}
