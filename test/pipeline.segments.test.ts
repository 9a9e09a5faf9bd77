import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../src/node/createPipeline.js';
import type { Pipeline } from '../src/pipeline.js';

/**
 * Long notes are detected in overlapping segments (src/core/segments.ts). With the rule
 * detectors, whose matches are local, the spans of a note detected in small segments are the
 * spans of the same note detected whole: a date, phone or MRN across a cut is still found once,
 * whole, with its context. Invented text only.
 */

const LINES = [
  'Pt seen 3/14/2023 in clinic, call back at 617-555-0142 if worse.',
  'MRN: 00482913. Follow-up on 04/02/2024 with the same team.',
  'No acute distress. Vitals stable. Plan: continue current meds.',
  'SSN 123-45-6789 on file; email j.quillfeather@example.org for records.',
  'Discussed with family by phone (508) 555-0199 ext. 12 at 14:30.',
];

let whole: Pipeline;
let segmented: Pipeline;

beforeAll(async () => {
  whole = await loadPipeline({ detectors: ['rules'] });
  whole.segmentChars = Number.POSITIVE_INFINITY;
  segmented = await loadPipeline({ detectors: ['rules'] });
});
afterAll(async () => {
  await whole.dispose();
  await segmented.dispose();
});

const noteArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: LINES.length - 1 }), fc.constantFrom('\n', ' ', '  ', '\n\n')), { minLength: 20, maxLength: 120 })
  .map((parts) => parts.map(([i, sep]) => `${LINES[i]}${sep}`).join(''));

describe('segmented detection', () => {
  it('rules: small segments give the same spans (and raw detections) as the whole note', async () => {
    await fc.assert(
      fc.asyncProperty(noteArb, fc.integer({ min: 300, max: 1200 }), async (note, size) => {
        segmented.segmentChars = size;
        segmented.segmentOverlap = 70;
        const a = await whole.analyze(note);
        const b = await segmented.analyze(note);
        expect(b.spans).toEqual(a.spans);
        expect(b.raw.length).toBe(a.raw.length);
      }),
      { numRuns: 40 },
    );
  });

  it('a phone number straddling a cut is found once and whole', async () => {
    // No line break or space near the cut: the core cut (at 160 = 300 - 2 × 70) falls inside the number.
    const note = `${'x'.repeat(150)},617-555-0142,${'x'.repeat(300)}`;
    segmented.segmentChars = 300;
    segmented.segmentOverlap = 70;
    const phone = note.indexOf('617');
    expect(phone).toBeLessThan(160);
    expect(phone + 12).toBeGreaterThan(160);
    const spans = (await segmented.analyze(note)).spans;
    expect(spans.filter((s) => s.label === 'CONTACT').map((s) => [s.start, s.end])).toEqual([[phone, phone + 12]]);
    expect(spans).toEqual((await whole.analyze(note)).spans);
  });

  it('the default segment size leaves short notes to the batch path (one detector call per batch)', async () => {
    segmented.segmentChars = 64 * 1024;
    segmented.segmentOverlap = 2 * 1024;
    const notes = [LINES[0]!, LINES[1]!];
    expect(await segmented.analyzeBatch(notes)).toEqual(await whole.analyzeBatch(notes));
  });
});
