import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, etaText } from '../../../src/node/runs/pool/progress.js';

describe('folder-run progress bar', () => {
  it.each([
    [0, 0, '0s'],
    [10, 0, '--'],
    [10, Number.NaN, '--'],
    [10, Number.POSITIVE_INFINITY, '--'],
    [42, 1, '42s'],
    [185, 1, '3m05s'],
    [3720, 1, '1h02m'],
    [5, 2, '3s'],
  ])('etaText(%d left, %d/s) = %s', (left, rate, expected) => {
    expect(etaText(left, rate)).toBe(expected);
  });

  it('never shows cli-progress placeholders (NULL, INF) in any frame, from the first one on', () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    const frames: string[] = [];
    stream.on('data', (c: Buffer) => frames.push(c.toString()));
    const p = createProgress(stream as unknown as NodeJS.WritableStream, 100);
    p.advance(0);
    p.advance(3);
    p.advance(50);
    p.stop();
    const all = frames.join('');
    expect(all).toContain('ETA --');
    expect(all).not.toMatch(/NULL|INF|LLs|NFs/);
  });
});
