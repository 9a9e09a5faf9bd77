import { describe, expect, it } from 'vitest';
import { contextOf, formatReport } from '../../src/eval/missReport.js';
import { evaluate } from '../../src/eval/score.js';

describe('contextOf', () => {
  const text = `${'a'.repeat(50)}[PHI]${'b'.repeat(50)}`;
  it('takes 40 characters on each side and says when it clipped', () => {
    const c = contextOf(text, 50, 55);
    expect(c).toEqual({ before: 'a'.repeat(40), match: '[PHI]', after: 'b'.repeat(40), clippedBefore: true, clippedAfter: true });
  });
  it('stops at the note edges', () => {
    expect(contextOf('Ann left', 0, 3)).toEqual({ before: '', match: 'Ann', after: ' left', clippedBefore: false, clippedAfter: false });
  });
  it('never cuts a surrogate pair in half', () => {
    // '🙂' is two code units; a 1-character window before "X" would start inside it
    const c = contextOf('🙂X', 2, 3, 1);
    expect(c.before).toBe('🙂');
  });
});

describe('formatReport', () => {
  it('shows line breaks and backticks safely, and names kinds and detectors', () => {
    const text = 'Line one\nCall `Ann` now';
    const start = text.indexOf('Ann');
    const r = evaluate([
      {
        id: 'n`1',
        text,
        spans: [{ start, end: start + 3, label: 'NAME' }],
        pred: [{ start: 0, end: 4, label: 'DATE', source: 'rules/x', score: 1 }],
      },
    ]);
    const md = formatReport(r, new Map([['n`1', text]]));
    expect(md).toContain('## Misses (gold PHI left in the text): 1');
    expect(md).toContain('- ``n`1`` [15, 18) miss: gold NAME; 1 token(s) missed; no detector fired');
    expect(md).toContain('  ``Line one⏎Call `⟦Ann⟧` now``');
    expect(md).toContain('- ``n`1`` [0, 4) false-alarm: predicted DATE by rules/x; 1 false-alarm token(s)');
  });
});
