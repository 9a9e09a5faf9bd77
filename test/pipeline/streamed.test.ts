import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/node/createPipeline.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { OutputSpan } from '../../src/transform/types.js';

/**
 * A long note redacted piece by piece (src/pipeline/streamed.ts) gives the bytes and spans the
 * whole-note path gives: on random notes cut into small segments and chunks, with PHI, names
 * that recur (the consistency step), hidden and look-alike characters, CRLF and lines without
 * breaks at the cuts, under the tag and surrogate policies. Invented text only.
 */

const LINES = [
  'Pt seen 3/14/2023 in clinic, call back at 617-555-0142 if worse.',
  'Seen by Dr. Quillfeather today; Quillfeather will call.',
  'MRN: 00482913. Follow-up on 04/02/2024 with the same team',
  'No acute distress, vitals stable; plan: continue current meds.',
  'SSN 123-45-6789 on file (email j.quillfeather@example.org).',
  'Mother Zofia Brzezicki at bedside. Brzezicki asked about 10:15 dose.',
  'Phone 508-555-\u200b0199, seen at Kowal\u200bski Clinic in Worcester, MA 01608!',
  'Ｊｏｈｎ Brzezicki, DOB 7/4/1961, age 62; Quillfeather notified.',
  'Name: Anna Zdunek  Phone #: (508) 555-0101 ext. 12 [seen 12/1/2023]',
  'BP 120/80, HR 72, T 36.8, SpO2 98% on RA?',
];
const SEPARATORS = ['\n', ' ', '  ', '\n\n', '\r\n', ', ', '. ', ''] as const;

const noteArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: LINES.length - 1 }), fc.constantFrom(...SEPARATORS)), { minLength: 10, maxLength: 90 })
  .map((parts) => parts.map(([i, sep]) => `${LINES[i]}${sep}`).join(''));

const KEY = new Uint8Array(32).fill(7);
const pipelines: Pipeline[] = [];
let rulesTag: Pipeline;
let dictTag: Pipeline;
let dictSurrogate: Pipeline;

beforeAll(async () => {
  rulesTag = await loadPipeline({ detectors: ['rules'] });
  // Run memory off: each comparison starts from the same state (the run-memory case is its own test).
  dictTag = await loadPipeline({ detectors: ['rules', 'dictionaries'], config: { consistency: { run: false } } });
  dictSurrogate = await loadPipeline({ detectors: ['rules', 'dictionaries'], config: { consistency: { run: false }, policy: { DEFAULT: 'surrogate' } }, key: KEY });
  pipelines.push(rulesTag, dictTag, dictSurrogate);
});
afterAll(async () => {
  for (const p of pipelines) await p.dispose();
});

async function inPieces(p: Pipeline, note: string): Promise<{ text: string; spans: OutputSpan[]; pieces: number }> {
  const pieces: string[] = [];
  const spans: OutputSpan[] = [];
  await p.redactInPieces(note, {}, {
    write(piece, s) {
      pieces.push(piece);
      spans.push(...s);
    },
  });
  return { text: pieces.join(''), spans, pieces: pieces.length };
}

const brief = (spans: readonly OutputSpan[]): unknown[] =>
  spans.map((s) => [s.start, s.end, s.label, s.subtype, s.source, s.score, s.sources, s.outStart, s.outEnd, s.operator]);

async function same(p: Pipeline, note: string, size: number): Promise<number> {
  p.segmentChars = Number.POSITIVE_INFINITY;
  const whole = await p.redact(note);
  p.segmentChars = size;
  p.segmentOverlap = 70;
  p.segmentsPerCall = 1;
  const wholeSegmented = await p.redact(note);
  const streamed = await inPieces(p, note);
  expect(streamed.text).toBe(wholeSegmented.text);
  expect(brief(streamed.spans)).toEqual(brief(wholeSegmented.spans));
  // With the rules alone, segments do not change detection (test/pipeline.segments.test.ts) either.
  if (p === rulesTag) expect(streamed.text).toBe(whole.text);
  return streamed.pieces;
}

describe('redactInPieces', () => {
  it.each([
    ['rules, tag', () => rulesTag],
    ['rules + dictionaries, tag (consistency in the note)', () => dictTag],
    ['rules + dictionaries, surrogate (reference year, view surrogates)', () => dictSurrogate],
  ])('%s: the same bytes and spans as the whole note, cut anywhere', async (_name, pipeline) => {
    let pieces = 0;
    await fc.assert(
      fc.asyncProperty(noteArb, fc.integer({ min: 300, max: 1200 }), async (note, size) => {
        pieces += await same(pipeline(), note, size);
      }),
      { numRuns: 30 },
    );
    // The notes were really cut into several pieces (else the property would hold trivially).
    expect(pieces).toBeGreaterThan(30 * 2);
  });

  it('a note without line breaks or punctuation is still correct (one piece)', async () => {
    const note = `${'word '.repeat(200)}Dr Quillfeather ${'word '.repeat(200)}Quillfeather`;
    expect(await same(dictTag, note, 300)).toBe(1);
  });

  it('the year of a date in the last chunk shifts the dates of the first', async () => {
    const note = `Seen 3/4 at noon.\n${'No change.\n'.repeat(200)}Admitted 3/1/2019.\n`;
    expect(await same(dictSurrogate, note, 400)).toBeGreaterThan(2);
  });

  it('an empty note and a note shorter than one segment', async () => {
    expect((await inPieces(rulesTag, '')).text).toBe('');
    rulesTag.segmentChars = 64 * 1024;
    expect((await inPieces(rulesTag, LINES[0]!)).text).toBe((await rulesTag.redact(LINES[0]!)).text);
  });

  it('run memory: the strings of a streamed note reach the next note, as with the whole path', async () => {
    const run = async (streamed: boolean): Promise<string> => {
      const p = await loadPipeline({ detectors: ['rules', 'dictionaries'] });
      try {
        p.segmentChars = 400;
        p.segmentOverlap = 70;
        p.segmentsPerCall = 1;
        const first = `Seen by Dr. Quillfeather.\n${'No change.\n'.repeat(100)}`;
        if (streamed) await inPieces(p, first);
        else await p.redact(first);
        return (await p.redact('Quillfeather called back.')).text;
      } finally {
        await p.dispose();
      }
    };
    const after = await run(true);
    expect(after).toBe(await run(false));
    expect(after).not.toContain('Quillfeather');
  });
});
