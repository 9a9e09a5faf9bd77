import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABELS, SUBTYPES } from '../../../src/core/labels.js';
import { assertValidSpan } from '../../../src/core/span.js';
import { detectAll } from './helpers.js';

// Text built from note-like pieces (numbers, dates, phones, vitals, words) and random noise,
// so the patterns actually fire while fast-check explores odd joins and edges.
const piece = fc.oneof(
  fc.constantFrom('8/23', '10/3/2020', '2020-01-02', 'Jan 2nd', '201-561-8910', 'MRN 1234567', '78 yo', 'BP 120/80', '1:1', 'x45', '#', "'84", 'MA 02114', '123 Main St', '@', 'www.', '.com', '5 mg', 'the 4th of July', 'pager 54321', '\n', ' ', '-', '/', ':'),
  fc.integer({ min: 0, max: 99999 }).map(String),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('on', 'since', 'pt', 'murmur', 'strength', 'cell', 'home', 'in', 'CABG', 'SSN'),
);
const noteText = fc.array(piece, { maxLength: 40 }).map((xs) => xs.join(' '));

describe('rule detectors: properties', () => {
  it('spans are in bounds, well-formed, labelled from the closed set and explained without text', () => {
    fc.assert(
      fc.property(noteText, (text) => {
        for (const s of detectAll(text)) {
          assertValidSpan(s, text.length);
          expect(LABELS).toContain(s.label);
          expect(SUBTYPES[s.label] as readonly string[]).toContain(s.subtype);
          expect(s.score).toBeGreaterThanOrEqual(0);
          expect(s.score).toBeLessThanOrEqual(1);
          expect(s.source).toMatch(/^rules\/[a-z0-9-]+$/);
          expect(s.explanation).toMatch(/^[a-z0-9:\- ]+$/);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('detection is deterministic (compiled regexes carry no state between calls)', () => {
    fc.assert(
      fc.property(noteText, noteText, (a, b) => {
        const first = detectAll(a);
        detectAll(b); // interleave another note: global regexes must reset
        expect(detectAll(a)).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('a note surrounded by blank lines yields the same spans, shifted', () => {
    fc.assert(
      fc.property(noteText, (text) => {
        const shifted = detectAll(`\n\n${text}\n\n`).map((s) => [s.start - 2, s.end - 2, s.source]);
        expect(shifted).toEqual(detectAll(text).map((s) => [s.start, s.end, s.source]));
      }),
      { numRuns: 200 },
    );
  });

  it('finishes quickly on adversarial runs of digits, separators and letters', () => {
    for (const unit of ['1', '1/', '1-', '12 ', 'a1', 'A ', '.1', "1'", 'Aa ']) {
      const text = unit.repeat(20_000);
      const t0 = performance.now();
      detectAll(text);
      // A generous bound: catastrophic backtracking takes minutes, linear scans milliseconds.
      expect(performance.now() - t0).toBeLessThan(5_000);
    }
  });
});
