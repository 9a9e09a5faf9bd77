/**
 * Python (phi_text.py) and the runtime tokenizer (src/detect/ner/session.ts, @huggingface/tokenizers)
 * must give the same words and piece ids:
 *
 *   /usr/bin/python3 models/train/check_tokenizer.py > models/train/work/tok-cases.json
 *   npx tsx models/train/check_tokenizer.ts models/phi-ner models/train/work/tok-cases.json
 */
import { readFileSync } from 'node:fs';
import { loadTokenizer } from '../../src/detect/ner/session.js';
import { splitWords } from '../../src/detect/ner/words.js';

const [dir, casesFile] = process.argv.slice(2);
if (!dir || !casesFile) {
  console.error('usage: npx tsx models/train/check_tokenizer.ts MODEL_DIR CASES.json');
  process.exit(2);
}
const tok = await loadTokenizer(dir);
const cases = JSON.parse(readFileSync(casesFile, 'utf8')) as { i: number; text: string; words: string[]; ids: number[][] }[];
let bad = 0;
let n = 0;
for (const c of cases) {
  const ws = splitWords(c.text).map((w) => c.text.slice(w.start, w.end));
  if (JSON.stringify(ws) !== JSON.stringify(c.words)) {
    bad++;
    console.log('WORDS DIFFER', c.i);
    continue;
  }
  n++;
  const ids = ws.map((w) => tok.encodeWordReference(w));
  if (JSON.stringify(ids) !== JSON.stringify(c.ids)) {
    bad++;
    console.log('IDS DIFFER', c.i, JSON.stringify(ids).slice(0, 200), JSON.stringify(c.ids).slice(0, 200));
  }
}
console.log(`checked ${n} strings, ${bad} mismatches`);
process.exitCode = bad === 0 ? 0 : 1;
