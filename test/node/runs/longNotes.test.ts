import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/config.js';
import type { Detector } from '../../../src/detect/types.js';
import { loadPipeline } from '../../../src/node/createPipeline.js';
import type { InputFile } from '../../../src/node/files/inputs.js';
import { countSpans } from '../../../src/node/runs/audit.js';
import { isLongNote, redactLongNote } from '../../../src/node/runs/longNotes.js';
import { formatManifestLine } from '../../../src/node/runs/manifest.js';
import { loadFile, redactEach, writeOutput } from '../../../src/node/runs/noteFiles.js';
import { redactFileBatch, redactNoteBatch } from '../../../src/node/runs/pool/tasks.js';
import { Pipeline } from '../../../src/pipeline.js';

/**
 * A note longer than one detection segment is redacted piece by piece straight into its output
 * (src/node/runs/longNotes.ts): the same output bytes, manifest line, counts and `--emit spans`
 * sidecar as the whole-note path; a capped manifest line for very many spans; fail closed.
 * Invented notes only.
 */

const LINES = [
  'Pt seen 3/14/2023 in clinic, call back at 617-555-0142 if worse.',
  'Seen by Dr. Quillfeather today; Quillfeather will call.',
  'No acute distress, vitals stable; plan: continue current meds.',
  'SSN 123-45-6789 on file (email j.quillfeather@example.org).',
  'Mother Zofia Brzezicki at bedside, Brzezicki asked about the 10:15 dose.',
];
function noteText(lines: number, seed: number): string {
  let out = '';
  for (let i = 0; i < lines; i++) out += `${LINES[(i * 7 + seed) % LINES.length]}${i % 3 === 0 ? '\n' : ' '}`;
  return `${out}\n`;
}

let dir: string;
let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await loadPipeline({ detectors: ['rules', 'dictionaries'], config: { consistency: { run: false } } });
  pipeline.segmentChars = 500;
  pipeline.segmentOverlap = 100;
  pipeline.segmentsPerCall = 1;
});
afterAll(async () => {
  await pipeline.dispose();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phi-long-'));
  mkdirSync(join(dir, 'in'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function inputFile(name: string, text: string): InputFile {
  const path = join(dir, 'in', name);
  writeFileSync(path, text);
  return { path, display: `in/${name}`, output: name };
}

describe('redactLongNote', () => {
  it('writes the bytes, manifest line, counts and spans sidecar of the whole-note path', async () => {
    const file = inputFile('long.txt', noteText(60, 1));
    const note = await loadFile(file);
    expect(isLongNote(pipeline, note.text!)).toBe(true);
    const whole = (await redactEach(pipeline, [note])).get(note);
    if (whole === undefined || whole instanceof Error) throw new Error('whole-note path failed');
    const wholeEntry = await writeOutput(note, whole, { outDir: join(dir, 'whole'), emitSpans: true });
    const long = await redactLongNote(pipeline, note, { outDir: join(dir, 'long'), emitSpans: true });
    expect(readFileSync(join(dir, 'long', 'long.txt'), 'utf8')).toBe(whole.text);
    expect(formatManifestLine(long.entry)).toBe(formatManifestLine(wholeEntry));
    expect(long.counts).toEqual(countSpans(whole.analysis.spans, whole.analysis.raw));
    expect(readFileSync(join(dir, 'long', 'long.txt.spans.json'), 'utf8')).toBe(readFileSync(join(dir, 'whole', 'long.txt.spans.json'), 'utf8'));
    expect(whole.spans.length).toBeGreaterThan(50);
  });

  it('lists at most the span limit in the manifest and counts the rest; the sidecar has them all', async () => {
    const file = inputFile('dense.txt', noteText(40, 0));
    const note = await loadFile(file);
    const { entry } = await redactLongNote(pipeline, note, { outDir: join(dir, 'out'), emitSpans: true }, 7);
    const sidecar = JSON.parse(readFileSync(join(dir, 'out', 'dense.txt.spans.json'), 'utf8')) as { spans: unknown[]; outSpans: unknown[] };
    expect(entry.spans).toHaveLength(7);
    expect(entry.outSpans).toHaveLength(7);
    expect(entry.spans).toEqual(sidecar.spans.slice(0, 7));
    expect(entry.spansOmitted).toBe(sidecar.spans.length - 7);
    expect(sidecar.outSpans).toHaveLength(sidecar.spans.length);
    expect(formatManifestLine(entry)).toContain(`"spansOmitted":${sidecar.spans.length - 7}`);
    // Under the limit: no spansOmitted field at all (the line is what it always was).
    const under = await redactLongNote(pipeline, note, { outDir: join(dir, 'out2') }, 1_000_000);
    expect(under.entry.spansOmitted).toBeUndefined();
    expect(formatManifestLine(under.entry)).not.toContain('spansOmitted');
  });

  it('fails closed (E046, nothing written, no temp file) when a detector fails midway', async () => {
    let calls = 0;
    const flaky: Detector = {
      id: 'test/flaky',
      kind: 'phi',
      labels: ['ID'],
      detect: () => {
        calls++;
        if (calls === 3) throw new Error('model crashed');
        return [];
      },
    };
    const p = await Pipeline.create([flaky], parseConfig({ detectors: ['rules'] }));
    p.segmentChars = 500;
    p.segmentOverlap = 100;
    p.segmentsPerCall = 1;
    const note = await loadFile(inputFile('flaky.txt', noteText(60, 2)));
    const { entry, counts } = await redactLongNote(p, note, { outDir: join(dir, 'out'), emitSpans: true });
    expect(entry.status).toBe('failed');
    expect(entry.error).toMatch(/^E046 detection failed/);
    expect(entry.error).not.toContain('Quillfeather');
    expect(counts).toBeUndefined();
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  });

  it('a folder batch of short and long notes: each note as the whole-note path writes it, in input order', async () => {
    const files = [inputFile('a.txt', LINES[0]!), inputFile('b.txt', noteText(50, 3)), inputFile('c.txt', LINES[1]!), inputFile('d.txt', noteText(45, 4))];
    const outcomes = await redactFileBatch(pipeline, files, { outDir: join(dir, 'out') });
    expect(outcomes.map((o) => o.entry.output)).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt']);
    for (const f of files) {
      const note = await loadFile(f);
      const whole = (await redactEach(pipeline, [note])).get(note);
      if (whole === undefined || whole instanceof Error) throw new Error('whole-note path failed');
      expect(readFileSync(join(dir, 'out', f.output), 'utf8')).toBe(whole.text);
    }
    expect(outcomes.every((o) => o.entry.status === 'done')).toBe(true);
  });

  it('a stream or queue batch (note texts): long notes piece by piece, the same text, spans and counts as the whole-note path', async () => {
    const texts = [LINES[0]!, noteText(50, 3), LINES[1]!, noteText(45, 4)];
    const outcomes = await redactNoteBatch(pipeline, texts.map((text, i) => ({ text, noteId: `<stdin>:${i + 1}` })), true);
    expect(isLongNote(pipeline, texts[1]!)).toBe(true);
    for (const [i, text] of texts.entries()) {
      const whole = await pipeline.redact(text, { noteId: `<stdin>:${i + 1}` });
      const o = outcomes[i]!;
      if (!o.ok) throw new Error(o.error);
      expect(o.text).toBe(whole.text);
      expect(o.spans.map((s) => [s.start, s.end, s.label, s.source, s.outStart, s.outEnd])).toEqual(whole.spans.map((s) => [s.start, s.end, s.label, s.source, s.outStart, s.outEnd]));
      expect(o.counts).toEqual(countSpans(whole.analysis.spans, whole.analysis.raw));
    }
  });
});
