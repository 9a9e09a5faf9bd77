/**
 * Word-piece ids of a large, varied word set, through the runtime tokenizer (session.ts
 * `acquireModel` → `tokenizer.encodeWord` and `encodeWordReference`), for each model folder.
 * Used to prove that a tokenizer change gives IDENTICAL ids: dump with the old code, then
 * check with the new one.
 *
 *   npx tsx bench/tokenizer-ids.ts --out /tmp/ids.jsonl [--check /tmp/ids-old.jsonl]
 *       [--models models/phi-ner,test/fixtures/tiny-ner,...] [--gold ../shared/gold/physionet-deid-dev.jsonl]
 *
 * Words: every entry of the dictionaries' word lists (as listed, Capitalized and UPPER), every
 * string in every faker locale (all scripts), the words of the synthetic and sample notes and of
 * the dev gold (read at run time, never written: the dump holds ids only, keyed by position in
 * the word list, plus a sha256 of the list), numbers and number-like strings, every Unicode code
 * point alone, letters followed by each combining mark, seeded random strings (graphemes, lone
 * surrogates, controls), long words around the 100-character [UNK] limit, empty and whitespace
 * strings, special-token look-alikes. The file is written outside the repository (it is large).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allLocales } from '@faker-js/faker';
import fc from 'fast-check';
import { acquireModel } from '../src/detect/ner/session.js';
import { splitWords } from '../src/detect/ner/words.js';
import { loadDictionaries } from '../src/node/assets/wordLists.js';
import { options } from './args.js';

const opts = options({
  out: '',
  check: '',
  models: 'models/phi-ner,test/fixtures/tiny-ner,test/fixtures/tiny-ner-shapes,test/fixtures/tiny-ner-lexicon',
  gold: '../shared/gold/physionet-deid-dev.jsonl',
});
const { out, check } = opts;
const models = opts.models.split(',');
const goldPath = resolve(opts.gold);
if (!out) {
  console.error('usage: npx tsx bench/tokenizer-ids.ts --out FILE [--check OLD_FILE] [--models a,b] [--gold FILE]');
  process.exit(2);
}

const words = new Set<string>();
const add = (w: string): void => void words.add(w);
const addText = (text: string): void => {
  for (const w of splitWords(text)) add(text.slice(w.start, w.end));
};
const cap = (w: string): string => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1));
const sources: Record<string, number> = {};
const ranges: Record<string, [number, number]> = {};
const counted = (name: string, fn: () => void): void => {
  const before = words.size;
  fn();
  sources[name] = words.size - before;
  ranges[name] = [before, words.size];
};

// Edge cases first.
counted('edge', () => {
  for (const w of ['', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u200b', '\u200b\u200b', '\u0000', '\u0007', '\ufffd', '\ufeff', 'a b', ' a ', 'a\u00a0b', 'a\u200bb'])
    add(w);
  for (const w of ['[CLS]', '[SEP]', '[PAD]', '[UNK]', '[MASK]', '[cls]', 'x[SEP]y', '[CLS][SEP]', ' [SEP] ', '##', '##ing', '#', '###', '[', ']', 'CLS', 'SEP'])
    add(w);
  for (let n = 90; n <= 110; n++) {
    add('a'.repeat(n));
    add('é'.repeat(n));
    add('\u{1F600}'.repeat(n)); // astral: 2 UTF-16 units per code point
    add('e\u0301'.repeat(n >> 1)); // decomposed accents (NFD length vs code points)
    add(`${'x'.repeat(n)}\u200b`); // a removed character around the limit
  }
  for (const w of ['pneumonoultramicroscopicsilicovolcanoconiosis', 'supercalifragilisticexpialidocious', 'abc'.repeat(40), 'Ab1'.repeat(33), 'ÉCOLE', 'naïve', 'Ｆｕｌｌ', 'ﬁx', 'Straße', 'İstanbul', 'ǅemal', 'ΣΊΣΥΦΟΣ', 'x\u0301', '東京', '37°C', '1,234.5mg', 'Ångström', 'Ωmega', 'ǈ', 'ß', 'ẞ', 'Ⅻ', '①', '½', '²', 'が', 'ガ', 'ｶﾞ', '한국어', 'ㄱ', 'Ꭰ', 'ꭰ', 'Σσς'])
    add(w);
});

counted('numbers', () => {
  for (let i = 0; i <= 20000; i++) add(String(i));
  for (let i = 0; i < 3000; i++) {
    add(String(i * 7919 % 100000).padStart(5, '0'));
    add((i / 8).toFixed(2));
    add(`${(i % 12) + 1}/${(i % 28) + 1}/${1900 + (i % 130)}`);
    add(`${617 + (i % 300)}-555-${String(i).padStart(4, '0')}`);
    add(`MRN${i * 104729}`);
    add(`${i}mg`);
    add(`${i}yo`);
  }
  for (const d of ['٣', '४', '৫', '๖', '７', '𝟖', '⁹', '₀']) add(d.repeat(3));
});

counted('code points', () => {
  for (let cp = 0; cp <= 0x10ffff; cp++) add(String.fromCodePoint(cp)); // lone surrogates included
});

counted('combining marks', () => {
  const marks: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    const c = String.fromCodePoint(cp);
    if (/\p{M}/u.test(c)) marks.push(c);
  }
  for (const m of marks) for (const base of ['a', 'e', 'k', 'N', 'か', 'क', 'ب', 'ש', '1']) add(base + m);
  for (const m of marks) add(`ab${m}cd`);
});

const dict = (await loadDictionaries()).data;
counted('dictionaries', () => {
  for (const set of [dict.firstNames, dict.knownNames, dict.names, dict.common, dict.veryCommon, dict.vocabulary, dict.medical, dict.medicalWords, dict.countries, dict.cities]) {
    for (const entry of set) {
      for (const v of [entry, cap(entry), entry.toUpperCase()]) {
        add(v);
        addText(v);
      }
    }
  }
});

counted('faker locales', () => {
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      add(v);
      addText(v);
      add(v.toUpperCase());
      return;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(allLocales);
});

counted('corpora', () => {
  for (const file of ['corpora/synthetic/heldout.jsonl', 'corpora/sample/gold.jsonl']) {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) addText((JSON.parse(line) as { text: string }).text);
  }
});

counted('gold', () => {
  if (!existsSync(goldPath)) {
    console.log(`gold ${goldPath} absent: skipped`);
    return;
  }
  for (const line of readFileSync(goldPath, 'utf8').split('\n')) if (line.trim()) addText((JSON.parse(line) as { text: string }).text);
});

counted('random', () => {
  const strings = [
    ...fc.sample(fc.string({ unit: 'grapheme', maxLength: 40 }), { numRuns: 20000, seed: 11 }),
    ...fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { numRuns: 20000, seed: 12 }),
    ...fc.sample(fc.string({ unit: 'grapheme-composite', maxLength: 20 }), { numRuns: 10000, seed: 13 }),
  ];
  for (const s of strings) {
    add(s);
    addText(s);
  }
});

const list = [...words];
const listHash = createHash('sha256').update(list.join('\u0000\u0001')).digest('hex');
console.log(`words: ${list.length} (${Object.entries(sources).map(([k, v]) => `${k} ${v}`).join(', ')}), list sha256 ${listHash.slice(0, 16)}`);

interface Dump {
  model: string;
  words: number;
  listHash: string;
  fast: number[][];
}
const dumps: Dump[] = [];
for (const dir of models) {
  const { model, release } = await acquireModel(resolve(dir), { threads: 1, spinning: false });
  try {
    const t = performance.now();
    const fast = list.map((w) => [...model.tokenizer.encodeWord(w)]);
    const ms = performance.now() - t;
    let refDiffer = 0;
    let firstRefDiff = -1;
    list.forEach((w, i) => {
      const ref = model.tokenizer.encodeWordReference(w);
      if (JSON.stringify(ref) !== JSON.stringify(fast[i])) {
        refDiffer++;
        if (firstRefDiff < 0) firstRefDiff = i;
      }
    });
    const unk = fast.filter((ids) => ids.length === 1 && ids[0] === model.tokenizer.unk).length;
    const empty = fast.filter((ids) => ids.length === 0).length;
    console.log(
      `${dir}: ${list.length} words in ${ms.toFixed(0)} ms (cold cache), [UNK] alone ${unk}, no pieces ${empty}; ` +
        `encodeWord vs encodeWordReference: ${refDiffer} differ${firstRefDiff >= 0 ? ` (first #${firstRefDiff})` : ''}; ` +
        `cls ${model.tokenizer.cls} sep ${model.tokenizer.sep} pad ${model.tokenizer.pad} unk ${model.tokenizer.unk}`,
    );
    dumps.push({ model: dir, words: list.length, listHash, fast });
  } finally {
    await release();
  }
}

writeFileSync(out, `${dumps.map((d) => `${JSON.stringify({ model: d.model, words: d.words, listHash: d.listHash })}\n${d.fast.map((ids) => JSON.stringify(ids)).join('\n')}`).join('\n')}\n`);
console.log(`wrote ${out}`);

if (check) {
  const lines = readFileSync(check, 'utf8').split('\n');
  let k = 0;
  let allEqual = true;
  while (k < lines.length && lines[k]!.trim() !== '') {
    const head = JSON.parse(lines[k]!) as { model: string; words: number; listHash: string };
    const mine = dumps.find((d) => d.model === head.model);
    const old = lines.slice(k + 1, k + 1 + head.words);
    k += 1 + head.words;
    if (!mine) {
      console.log(`${head.model}: not in this run`);
      allEqual = false;
      continue;
    }
    if (head.listHash !== mine.listHash || head.words !== mine.words) {
      console.log(`${head.model}: the word lists differ (${head.words} vs ${mine.words} words); cannot compare`);
      allEqual = false;
      continue;
    }
    let differ = 0;
    const examples: string[] = [];
    for (const [i, line] of old.entries()) {
      const now = JSON.stringify(mine.fast[i]);
      if (now === line) continue;
      differ++;
      if (examples.length >= 20) continue;
      const [g0, g1] = ranges.gold ?? [0, 0];
      if (i >= g0 && i < g1) {
        examples.push(`  #${i} (a gold word: not shown) old ${line} new ${now}`);
        continue;
      }
      const cps = [...list[i]!].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
      examples.push(`  #${i} [${cps.slice(0, 80)}] old ${line} new ${now}`);
    }
    console.log(`${head.model}: ${head.words} words compared, ${differ} differ`);
    for (const e of examples) console.log(e);
    if (differ > 0) allEqual = false;
  }
  console.log(allEqual ? 'ALL EQUAL' : 'DIFFERENCES FOUND');
  process.exitCode = allEqual ? 0 : 1;
}
