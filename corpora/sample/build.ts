/**
 * Builds the bundled sample corpus from its marked-up sources: `source/<id>.marked` holds a note
 * with each PHI stretch written as `{LABEL/SUBTYPE|text}`. Writes `<id>.txt` (the plain note)
 * and `gold.jsonl` (`{id, text, spans:[{start,end,label,subtype,text}]}`, offsets computed here,
 * never by hand). Every name, date, number and address in these notes is invented.
 * Conventions follow the PhysioNet/i2b2 gold and HIPAA Safe Harbor: ages are PHI only over 89,
 * states are not annotated, titles (Dr., Mr.) are outside NAME spans, generic facility words
 * (Hospital, Health Center, Family Practice) are outside the facility's LOCATION span.
 *
 *   npx tsx corpora/sample/build.ts          # rewrite the .txt files and gold.jsonl
 *   npx tsx corpora/sample/build.ts --check  # exit 1 if they are out of date
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GoldSpan {
  start: number;
  end: number;
  label: string;
  subtype: string;
  text: string;
}

export interface GoldNote {
  id: string;
  text: string;
  spans: GoldSpan[];
}

const MARK = /\{([A-Z]+)\/([A-Z]+)\|([^{}|]+)\}/g;

/** Turns a marked-up note into plain text plus spans; the spans' `text` is checked against the result. */
export function parseMarked(id: string, marked: string): GoldNote {
  let text = '';
  let cursor = 0;
  const spans: GoldSpan[] = [];
  for (const m of marked.matchAll(MARK)) {
    text += marked.slice(cursor, m.index);
    const [, label, subtype, value] = m as unknown as [string, string, string, string];
    spans.push({ start: text.length, end: text.length + value.length, label, subtype, text: value });
    text += value;
    cursor = m.index! + m[0].length;
  }
  text += marked.slice(cursor);
  if (/[{}]/.test(text)) throw new Error(`${id}: unbalanced markup`);
  for (const s of spans) {
    if (text.slice(s.start, s.end) !== s.text) throw new Error(`${id}: span ${s.start}-${s.end} does not match its text`);
  }
  return { id, text, spans };
}

export const SAMPLE_DIR = dirname(fileURLToPath(import.meta.url));

export function buildSample(dir = SAMPLE_DIR): { notes: GoldNote[]; gold: string } {
  const sources = readdirSync(join(dir, 'source')).filter((f) => f.endsWith('.marked')).sort();
  const notes = sources.map((f) => parseMarked(f.replace(/\.marked$/, ''), readFileSync(join(dir, 'source', f), 'utf8')));
  return { notes, gold: `${notes.map((n) => JSON.stringify(n)).join('\n')}\n` };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { notes, gold } = buildSample();
  const check = process.argv.includes('--check');
  let stale = 0;
  const put = (path: string, content: string): void => {
    let current: string | undefined;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) return;
    stale += 1;
    if (check) console.error(`out of date: ${path}`);
    else writeFileSync(path, content);
  };
  for (const n of notes) put(join(SAMPLE_DIR, `${n.id}.txt`), n.text);
  put(join(SAMPLE_DIR, 'gold.jsonl'), gold);
  const spanCount = notes.reduce((k, n) => k + n.spans.length, 0);
  console.log(`${notes.length} notes, ${spanCount} gold spans${check ? (stale ? `, ${stale} file(s) out of date` : ', up to date') : ''}`);
  if (check && stale) process.exitCode = 1;
}
