/**
 * Word classes for training phi-ner/3 (not run by CI): every distinct word of the given JSONL
 * files (`{text}` per line), split as the runtime splits (src/detect/ner/words.ts), classified by
 * the runtime's own function (src/detect/dictionaries/wordClass.ts) over the same word lists,
 * so training and inference cannot disagree. Output: JSON {word: class index}, into work/
 * (git-ignored; a map made from gold notes holds their words and is never committed).
 *
 *   npx tsx models/train/lexicon.ts --out models/train/work/lexicon.json FILE.jsonl...
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { plainWordTest, wordLexicon } from '../../src/lexicon/index.js';
import { splitWords } from '../../src/detect/ner/words.js';
import { loadDictionaries } from '../../src/node/assets/wordLists.js';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
if (outAt < 0 || !args[outAt + 1]) throw new Error('usage: lexicon.ts --out FILE.json INPUT.jsonl...');
const out = args[outAt + 1]!;
const inputs = args.filter((_, i) => i !== outAt && i !== outAt + 1);

const data = (await loadDictionaries()).data;
const lexicon = wordLexicon(data, plainWordTest(data));
const classes: Record<string, number> = {};
const counts = new Array<number>(lexicon.classes.length).fill(0);
for (const file of inputs) {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    const { text } = JSON.parse(line) as { text: string };
    for (const w of splitWords(text)) {
      const word = text.slice(w.start, w.end);
      if (word in classes) continue;
      classes[word] = lexicon.classOf(word);
      counts[classes[word]!]!++;
    }
  }
  console.log(`${file}: ${n} lines`);
}
writeFileSync(out, JSON.stringify({ classes: lexicon.classes, words: classes }));
console.log(`${Object.keys(classes).length} distinct words -> ${out}; per class: ${lexicon.classes.map((c, i) => `${c} ${counts[i]}`).join(', ')}`);
