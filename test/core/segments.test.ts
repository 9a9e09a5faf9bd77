import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEGMENT_CHARS, SEGMENT_OVERLAP, segmentsOf } from '../../src/core/segments.js';

/** Text made of words, spaces, line breaks and the odd astral character (a surrogate pair). */
const textArb = fc
  .array(fc.oneof(fc.constantFrom('\n', ' ', '\t', 'ab', 'Quill', '617-555-0142', '😀', '\r\n'), fc.string({ maxLength: 30 })), { maxLength: 600 })
  .map((parts) => parts.join(''));

describe('segmentsOf', () => {
  it('a note of at most one segment is one segment covering it all', () => {
    expect(segmentsOf('abc')).toEqual([{ start: 0, end: 3, ownStart: 0, ownEnd: 3 }]);
    const full = 'x'.repeat(SEGMENT_CHARS);
    expect(segmentsOf(full)).toEqual([{ start: 0, end: SEGMENT_CHARS, ownStart: 0, ownEnd: SEGMENT_CHARS }]);
  });

  it('cores tile the note in order; each segment holds its core, is at most `size` long and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(textArb, fc.integer({ min: 40, max: 400 }), fc.integer({ min: 0, max: 9 }), (text, size, overlap) => {
        const segs = segmentsOf(text, size, overlap);
        expect(segs[0]!.ownStart).toBe(0);
        expect(segs.at(-1)!.ownEnd).toBe(text.length);
        for (const [i, s] of segs.entries()) {
          if (i > 0) expect(s.ownStart).toBe(segs[i - 1]!.ownEnd);
          if (text.length > 0) expect(s.ownEnd).toBeGreaterThan(s.ownStart);
          expect(s.start).toBeLessThanOrEqual(s.ownStart);
          expect(s.end).toBeGreaterThanOrEqual(s.ownEnd);
          expect(s.end - s.start).toBeLessThanOrEqual(size);
          for (const at of [s.start, s.end, s.ownStart, s.ownEnd]) {
            const c = text.charCodeAt(at);
            if (at > 0 && at < text.length) expect(c >= 0xdc00 && c <= 0xdfff && (text.charCodeAt(at - 1) & 0xfc00) === 0xd800).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('cuts after a line break when one is near, and each core has `overlap` characters of context where the lines allow', () => {
    const line = `${'word '.repeat(9)}617-555-0142\n`; // 58 characters
    const text = line.repeat(5000);
    const segs = segmentsOf(text, SEGMENT_CHARS, SEGMENT_OVERLAP);
    expect(segs.length).toBeGreaterThan(4);
    for (const s of segs.slice(1)) {
      expect(text[s.ownStart - 1]).toBe('\n');
      expect(text[s.start - 1]).toBe('\n');
      expect(s.ownStart - s.start).toBeGreaterThan(SEGMENT_OVERLAP - line.length);
    }
  });

  it('a note without line breaks or spaces is still cut (between code points)', () => {
    const segs = segmentsOf('9'.repeat(1000), 100, 10);
    expect(segs.length).toBeGreaterThan(10);
    expect(segs.every((s) => s.end - s.start <= 100)).toBe(true);
  });
});
