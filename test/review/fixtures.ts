import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Label } from '../../src/core/labels.js';
import type { Span } from '../../src/core/span.js';
import { applyOperators } from '../../src/transform/apply.js';

/** A made-up note and where a detector found PHI in it, given as substrings (first occurrence). */
export interface FixtureNote {
  readonly name: string;
  readonly text: string;
  readonly spans: readonly { readonly find: string; readonly label: Label; readonly source?: string; readonly score?: number }[];
  readonly failed?: boolean;
}

/**
 * Writes a finished folder run the way `redact` does (inputs, tag-redacted outputs and
 * `.phi-redact/manifest.jsonl` per src/node/runs/manifest.ts), so review tests do not depend on the
 * detectors. All text is invented for tests.
 */
export function writeRun(dir: string, notes: readonly FixtureNote[]): { input: string; run: string } {
  const input = join(dir, 'notes');
  const run = join(dir, 'run');
  mkdirSync(input, { recursive: true });
  mkdirSync(join(run, '.phi-redact'), { recursive: true });
  const lines: string[] = [];
  for (const note of notes) {
    const path = join(input, note.name);
    mkdirSync(dirname(path), { recursive: true });
    mkdirSync(dirname(join(run, note.name)), { recursive: true });
    writeFileSync(path, note.text);
    const spans: Span[] = note.spans.map((s) => {
      const start = note.text.indexOf(s.find);
      if (start < 0) throw new Error(`fixture ${note.name}: substring not found`);
      return { start, end: start + s.find.length, label: s.label, source: s.source ?? 'rules/test', score: s.score ?? 0.9 };
    });
    const base = {
      input: path,
      output: note.name,
      size: Buffer.byteLength(note.text),
      mtimeMs: 0,
      sha256: createHash('sha256').update(note.text).digest('hex'),
    };
    if (note.failed) {
      lines.push(JSON.stringify({ ...base, status: 'failed', error: 'E099 test failure', spans: [], outSpans: [] }));
      continue;
    }
    const result = applyOperators(note.text, spans, { DEFAULT: 'tag' });
    writeFileSync(join(run, note.name), result.text);
    lines.push(
      JSON.stringify({
        ...base,
        status: 'done',
        spans: result.spans.map((s) => ({ start: s.start, end: s.end, label: s.label, subtype: null, source: s.source, score: s.score })),
        outSpans: result.spans.map((s) => ({ outStart: s.outStart, outEnd: s.outEnd, label: s.label })),
      }),
    );
  }
  writeFileSync(join(run, '.phi-redact', 'manifest.jsonl'), `${lines.join('\n')}\n`);
  return { input, run };
}
