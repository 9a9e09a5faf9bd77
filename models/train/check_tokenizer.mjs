import { env, AutoTokenizer } from '@xenova/transformers';
import { readFileSync } from 'node:fs';
env.allowRemoteModels = false; env.localModelPath = process.argv[2];
const tok = await AutoTokenizer.from_pretrained('phi-ner', { local_files_only: true });
const cases = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const WORD = /[\p{L}\p{N}\p{M}]+|[^\p{L}\p{N}\p{M}\s]/gu;
let bad = 0, n = 0;
for (const c of cases) {
  const ws = [...c.text.matchAll(WORD)].map(m => m[0]);
  if (JSON.stringify(ws) !== JSON.stringify(c.words)) { bad++; console.log('WORDS DIFFER', c.i); continue; }
  const ids = ws.map(w => Array.from(tok.encode(w, null, { add_special_tokens: false })));
  n++;
  if (JSON.stringify(ids) !== JSON.stringify(c.ids)) { bad++; console.log('IDS DIFFER', c.i, JSON.stringify(ids).slice(0,200), JSON.stringify(c.ids).slice(0,200)); }
}
console.log(`checked ${n} strings, ${bad} mismatches`);
