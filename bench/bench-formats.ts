/**
 * File formats (issue 19): the same synthetic notes (test/scale/notes.ts, all values fake) as
 * one .txt file each, one JSONL file, one CSV file and one FHIR Bundle, redacted through the
 * built CLI (`npm run build` first), rules only, 2 workers; rounds interleave the four so a busy
 * shared machine weighs on each alike. Then the readers alone: MB/s of parsing and rendering a
 * large file of each format (identity transform), in this process.
 *
 *   npx tsx bench/bench-formats.ts [--notes 2000] [--runs 3] [--parse-mb 20]
 *
 * notes/s is the run's own figure (audit report: notes done ÷ wall time after the pipeline
 * loaded); medians with min–max.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCsvField, parseCsvFile } from '../src/node/formats/csv.js';
import { parseFhirFile } from '../src/node/formats/fhir.js';
import { parseJsonlFile } from '../src/node/formats/jsonl.js';
import type { RecordFile } from '../src/node/formats/types.js';
import type { AuditReport } from '../src/node/runs/audit.js';
import { MAIN, runCli } from '../test/scale/cli.js';
import { makeNote } from '../test/scale/notes.js';
import { options } from './args.js';
import { median } from './stats.js';

const opts = options({ notes: '2000', runs: '3', 'parse-mb': '20' });
const count = Math.max(10, Number(opts.notes));
const runs = Math.max(1, Number(opts.runs));
const parseMb = Math.max(1, Number(opts['parse-mb']));

if (!existsSync(MAIN)) {
  console.error(`bench-formats: ${MAIN} is missing; build first (npm run build)`);
  process.exit(2);
}

const jsonlOf = (texts: readonly string[]): string => texts.map((t, i) => `${JSON.stringify({ id: `n${i}`, text: t, site: 'A' })}\n`).join('');
const csvOf = (texts: readonly string[]): string => `id,site,text\r\n${texts.map((t, i) => `n${i},A,${encodeCsvField(t, false)}\r\n`).join('')}`;
const fhirOf = (texts: readonly string[]): string =>
  JSON.stringify(
    {
      resourceType: 'Bundle',
      type: 'collection',
      entry: texts.map((t, i) => ({ resource: { resourceType: 'DocumentReference', id: `d${i}`, content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(t).toString('base64') } }] } })),
    },
    null,
    1,
  );

const dir = mkdtempSync(join(tmpdir(), 'phi-bench-formats-'));
try {
  const texts = Array.from({ length: count }, (_v, i) => makeNote(i));
  mkdirSync(join(dir, 'txt'));
  for (const [i, t] of texts.entries()) writeFileSync(join(dir, 'txt', `n${String(i).padStart(6, '0')}.txt`), t);
  writeFileSync(join(dir, 'notes.jsonl'), jsonlOf(texts));
  writeFileSync(join(dir, 'notes.csv'), csvOf(texts));
  writeFileSync(join(dir, 'notes.json'), fhirOf(texts));
  const inputs: Record<string, string> = { 'text files': 'txt', JSONL: 'notes.jsonl', CSV: 'notes.csv', 'FHIR Bundle': 'notes.json' };
  const rates: Record<string, number[]> = Object.fromEntries(Object.keys(inputs).map((k) => [k, []]));
  for (let round = 0; round < runs; round++) {
    for (const [label, input] of Object.entries(inputs)) {
      rmSync(join(dir, 'out'), { recursive: true, force: true });
      const r = await runCli(['redact', input, '--out', 'out', '--detectors', 'rules', '--workers', '2', '--json'], dir);
      if (r.code !== 0) throw new Error(`bench-formats: ${label}: exit ${r.code}: ${r.stderr.slice(0, 300)}`);
      const audit = JSON.parse(r.stdout) as AuditReport;
      if (audit.notes.done !== count) throw new Error(`bench-formats: ${label}: ${audit.notes.done} of ${count} notes done`);
      rates[label]!.push(audit.timings.notesPerSecond);
    }
  }
  console.log(`${count} notes (~${Math.round(texts.reduce((a, t) => a + t.length, 0) / count)} chars each), rules, --workers 2, ${runs} interleaved rounds:`);
  const base = median(rates['text files']!);
  for (const [label, rs] of Object.entries(rates)) {
    console.log(`  ${label.padEnd(12)} ${String(Math.round(median(rs))).padStart(6)} notes/s (min ${Math.round(Math.min(...rs))}, max ${Math.round(Math.max(...rs))}; ${(median(rs) / base).toFixed(2)}x text files)`);
  }

  // Readers alone: a file of about --parse-mb MB of each format, parsed and rendered unchanged.
  const big = Array.from({ length: Math.ceil((parseMb * 1e6) / (texts.reduce((a, t) => a + t.length, 0) / count)) }, (_v, i) => texts[i % count]!);
  const readers: Record<string, { bytes: number; run: () => Promise<number> }> = {};
  const jsonl = Buffer.from(jsonlOf(big));
  const roundTrip = (file: RecordFile, input: string): number => {
    if (file.render(file.notes.map((n) => ({ text: n.text, spans: [] }))) !== input) throw new Error('bench-formats: a reader changed an unchanged file');
    return file.notes.length;
  };
  readers.JSONL = { bytes: jsonl.length, run: async () => roundTrip(await parseJsonlFile(jsonl), jsonl.toString('utf8')) };
  const csv = csvOf(big);
  readers.CSV = { bytes: Buffer.byteLength(csv), run: async () => roundTrip(parseCsvFile(csv, { textColumn: 'text', idColumn: 'id' }), csv) };
  const fhir = fhirOf(big);
  readers['FHIR Bundle'] = { bytes: Buffer.byteLength(fhir), run: async () => roundTrip(parseFhirFile(fhir), fhir) };
  console.log(`readers, parse + render unchanged (median of ${runs}):`);
  for (const [label, reader] of Object.entries(readers)) {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const n = await reader.run();
      if (n !== big.length) throw new Error(`bench-formats: ${label} read ${n} of ${big.length} notes`);
      ms.push(performance.now() - started);
    }
    console.log(`  ${label.padEnd(12)} ${(reader.bytes / 1e6).toFixed(1)} MB in ${Math.round(median(ms))} ms: ${(reader.bytes / 1e3 / median(ms)).toFixed(1)} MB/s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
