import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect } from 'vitest';
import type { AuditReport } from '../../src/node/runs/audit.js';
import type { ManifestEntry } from '../../src/node/runs/manifest.js';

/**
 * Shared helpers for the hardening tests. Every hostile fixture is generated at test time in a
 * temp folder (no committed binaries) and carries SECRET, an invented surname that stands in
 * for note text: it must never show up anywhere but in the redacted output.
 */

export const SECRET = 'Quillfeather';
export const PHONE = '617-555-0142';
export const DATE = '3/14/2023';
/** A note the bundled rules redact twice (DATE, CONTACT). */
export const GOOD = `${SECRET} was seen on ${DATE}, phone ${PHONE}.\n`;

export function put(root: string, path: string, content: string | Uint8Array): string {
  const abs = join(root, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  return abs;
}

export function manifestOf(outDir: string): ManifestEntry[] {
  return readFileSync(join(outDir, '.phi-redact', 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ManifestEntry);
}

export function auditOf(outDir: string): AuditReport {
  return JSON.parse(readFileSync(join(outDir, '.phi-redact', 'audit.json'), 'utf8')) as AuditReport;
}

/** Every file under root (relative path → bytes). */
export function filesUnder(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p).split('\\').join('/'), readFileSync(p));
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** None of `secrets` appears in `text` (the failure message names which one, not where it was). */
export function expectNoneOf(text: string, secrets: Iterable<string>, where: string): void {
  const found: string[] = [];
  for (const s of secrets) if (text.includes(s)) found.push(s);
  expect(found, `${where} contains note text`).toEqual([]);
}

/**
 * The span algebra the manifest promises: each input span's text at its offsets (in the decoded
 * input) is what was detected, and the output is the input with exactly those spans replaced by
 * what outSpans point at.
 */
export function expectSpansConsistent(input: string, output: string, entry: ManifestEntry): string[] {
  const texts: string[] = [];
  let rebuilt = '';
  let last = 0;
  const order = entry.spans.map((s, i) => ({ s, o: entry.outSpans[i]! })).sort((a, b) => a.s.start - b.s.start);
  let outLast = 0;
  for (const { s, o } of order) {
    texts.push(input.slice(s.start, s.end));
    expect(input.slice(last, s.start)).toBe(output.slice(outLast, o.outStart));
    rebuilt += input.slice(last, s.start) + output.slice(o.outStart, o.outEnd);
    last = s.end;
    outLast = o.outEnd;
  }
  rebuilt += input.slice(last);
  expect(rebuilt).toBe(output);
  return texts;
}
