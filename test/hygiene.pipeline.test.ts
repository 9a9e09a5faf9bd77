import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutsToken } from '../src/core/hygiene.js';
import type { Pipeline } from '../src/pipeline.js';
import { loadPipeline } from '../src/node/createPipeline.js';

// Span hygiene end to end, on notes nobody tuned on: the held-out synthetic notes (six styles,
// address blocks, forms with field labels, ALL CAPS) through every detector, the model included.
const NOTES = readFileSync(join(import.meta.dirname, '..', 'corpora', 'synthetic', 'heldout.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, 120)
  .map((l) => (JSON.parse(l) as { text: string }).text);
const lineCount = (s: string): number => s.split(/\r\n|\r|\n/).length;

describe('span hygiene through the default pipeline', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await loadPipeline({ config: { ner: { threads: 1 } } });
  });
  afterAll(async () => pipeline?.dispose());

  it('no span crosses a line break, cuts a word or a number, or takes half a clock time', async () => {
    const analyses = await pipeline.analyzeBatch(NOTES);
    let spans = 0;
    analyses.forEach((a, n) => {
      const text = NOTES[n]!;
      for (const s of a.spans) {
        spans++;
        const what = `note ${n} [${s.start}, ${s.end}) ${s.label} ${s.source}`;
        expect(text.slice(s.start, s.end), what).not.toMatch(/[\r\n]/);
        expect(cutsToken(text, s.start) || cutsToken(text, s.end), what).toBe(false);
        if (s.label === 'DATE') expect(/\d$/.test(text.slice(s.start, s.end)) && /^:[0-5]\d/.test(text.slice(s.end)), what).toBe(false);
      }
    });
    expect(spans).toBeGreaterThan(NOTES.length);
  });

  it.each(['tag', 'mask'] as const)('%s: as many lines out as in', async (operator) => {
    const masked = await loadPipeline({ config: { ner: { threads: 1 }, policy: { DEFAULT: operator } } });
    try {
      const out = await masked.redactBatch(NOTES);
      for (const [n, r] of out.entries()) expect(lineCount(r.text), `note ${n}`).toBe(lineCount(NOTES[n]!));
    } finally {
      await masked.dispose();
    }
  });
});
