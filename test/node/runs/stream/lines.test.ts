import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOversized, readLines, type Line } from '../../../../src/node/runs/stream/lines.js';

async function* chunks(parts: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function collect(parts: readonly Uint8Array[], max?: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const batch of readLines(chunks(parts), max)) out.push(...batch);
  return out;
}

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const dec = (l: Line): string => (isOversized(l) ? `<${l.length}>` : Buffer.from(l.bytes).toString('utf8'));

describe('readLines', () => {
  it.each([
    ['', []],
    ['a', ['a']],
    ['a\n', ['a']],
    ['a\nb', ['a', 'b']],
    ['\n\n', ['', '']],
    ['a\r\nb\r\n', ['a\r', 'b\r']],
  ])('%j → %j', async (input, expected) => {
    expect((await collect([enc(input)])).map(dec)).toEqual(expected);
  });

  it('numbers lines and marks the last one without a newline', async () => {
    const lines = await collect([enc('x\ny\nz')]);
    expect(lines.map((l) => [l.lineNo, l.newline])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
  });

  it('joins a line split across chunks, including inside a multi-byte character', async () => {
    const bytes = enc('héllo wörld\nsecond');
    const parts = [bytes.subarray(0, 2), bytes.subarray(2, 3), bytes.subarray(3, 12), bytes.subarray(12)];
    expect((await collect(parts)).map(dec)).toEqual(['héllo wörld', 'second']);
  });

  it('reports a line over the limit by length and keeps reading after it', async () => {
    const lines = await collect([enc('ok\n'), enc('x'.repeat(10)), enc(`${'y'.repeat(10)}\nnext\n`)], 8);
    expect(lines.map(dec)).toEqual(['ok', '<20>', 'next']);
    expect(lines[1]!.lineNo).toBe(2);
  });

  it('reports an over-long last line without a newline', async () => {
    const lines = await collect([enc(`a\n${'z'.repeat(9)}`)], 8);
    expect(lines.map(dec)).toEqual(['a', '<9>']);
  });

  it('property: any chunking gives the same lines as splitting the whole text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom('a', 'é', '\n', '\r', '😀', ' ') }), fc.array(fc.nat(), { maxLength: 6 }), async (text, cuts) => {
        const bytes = enc(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const parts: Uint8Array[] = [];
        let at = 0;
        for (const p of [...points, bytes.length]) {
          parts.push(bytes.subarray(at, p));
          at = p;
        }
        const expected = text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
        expect((await collect(parts)).map(dec)).toEqual(expected);
      }),
    );
  });
});
