import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Label } from '../../src/core/labels.js';
import type { Span } from '../../src/core/span.js';
import { applyOperators } from '../../src/transform/apply.js';
import { keyFingerprint } from '../../src/transform/keyed.js';
import { createSurrogateOperator } from '../../src/transform/operators/surrogate.js';
import { SURROGATE_SAMPLES } from './surrogateSamples.js';

const KEY = Buffer.from('surrogate test key: 32 bytes....');
const span = (label: Label, text: string, subtype?: string): Span => ({ start: 0, end: text.length, label, subtype, source: 'test', score: 1 });

function surrogateAll(key: Uint8Array, scope: string): string[] {
  const op = createSurrogateOperator(key);
  return SURROGATE_SAMPLES.map(([label, text, subtype]) => op(span(label, text, subtype), text, { scope }));
}

describe('surrogate operator', () => {
  it('replaces every sample with something other than the original (ages ≤ 89 excepted)', () => {
    const out = surrogateAll(KEY, 'p1');
    SURROGATE_SAMPLES.forEach(([label, text], i) => {
      if (label === 'AGE' && Number(text.match(/\d+/u)?.[0]) <= 89) expect(out[i]).toBe(text);
      else expect(out[i]!.toLowerCase(), `${label} sample #${i}`).not.toBe(text.toLowerCase());
    });
  });

  it('same key and input → same output across calls; another key or patient → other surrogates', () => {
    const a = surrogateAll(KEY, 'p1');
    expect(surrogateAll(Buffer.from(KEY), 'p1')).toEqual(a);
    const otherKey = surrogateAll(Buffer.from('another key, thirty-two bytes...'), 'p1');
    const otherPatient = surrogateAll(KEY, 'p2');
    const differing = (b: string[]): number => b.filter((x, i) => x !== a[i]).length;
    // Ages ≤ 89 and unreadable dates (tagged) are the same under any key.
    const keyed = SURROGATE_SAMPLES.filter(([l, t]) => !(l === 'AGE') && a[SURROGATE_SAMPLES.findIndex((s) => s[1] === t)] !== '[DATE]').length;
    expect(differing(otherKey)).toBeGreaterThanOrEqual(keyed - 2);
    expect(differing(otherPatient)).toBeGreaterThanOrEqual(keyed - 2);
  });

  it('corpus scope ignores the patient', () => {
    const op = createSurrogateOperator(KEY, { scope: 'corpus' });
    const s = span('NAME', 'John Smith');
    expect(op(s, 'John Smith', { scope: 'p1' })).toBe(op(s, 'John Smith', { scope: 'p2' }));
    expect(op(s, 'John Smith', { scope: 'p1' })).toBe(op(s, 'John Smith', {}));
  });

  it('is byte-identical in two separate node processes', () => {
    const script = fileURLToPath(new URL('./surrogateChild.ts', import.meta.url));
    const run = (): unknown =>
      JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script, KEY.toString('hex'), 'p1'], { encoding: 'utf8', timeout: 60_000 }));
    const first = run();
    const second = run();
    expect(second).toEqual(first);
    expect(first).toEqual(surrogateAll(KEY, 'p1'));
  });

  it('rejects short keys; the fingerprint never contains the key', () => {
    expect(() => createSurrogateOperator(Buffer.alloc(8))).toThrow(/E104/);
    const fp = keyFingerprint(KEY);
    expect(fp).toMatch(/^[0-9a-f]{16}$/u);
    expect(KEY.toString('hex')).not.toContain(fp);
    expect(keyFingerprint(Buffer.from(KEY))).toBe(fp);
    expect(keyFingerprint(Buffer.from('another key, thirty-two bytes...'))).not.toBe(fp);
  });

  it('different keys give different surrogates (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 32 }), (k1, k2) => {
        fc.pre(Buffer.compare(Buffer.from(k1), Buffer.from(k2)) !== 0);
        const a = surrogateAll(k1, 'p');
        const b = surrogateAll(k2, 'p');
        expect(a.filter((x, i) => x !== b[i]).length).toBeGreaterThan(SURROGATE_SAMPLES.length / 2);
      }),
      { numRuns: 20 },
    );
  });

  it('emits output spans through applyOperators, so eval can score surrogate output', () => {
    const text = 'Pt John Smith seen 3/4/2021 by Dr. Smith, call 410-555-1234.';
    const spans: Span[] = [
      { start: 3, end: 13, label: 'NAME', source: 't', score: 1 },
      { start: 19, end: 27, label: 'DATE', source: 't', score: 1 },
      { start: 31, end: 40, label: 'NAME', source: 't', score: 1 },
      { start: 47, end: 59, label: 'CONTACT', subtype: 'PHONE', source: 't', score: 1 },
    ];
    const op = createSurrogateOperator(KEY);
    const r = applyOperators(text, spans, { DEFAULT: 'surrogate' }, { scope: 'p1' }, { surrogate: op });
    for (const s of r.spans) {
      expect(r.text.slice(s.outStart, s.outEnd)).toBe(op(s, text.slice(s.start, s.end), { scope: 'p1' }));
      expect(s.operator).toBe('surrogate');
    }
    expect(r.text).not.toMatch(/John|Smith|3\/4\/2021|410-555-1234/u);
    const last = r.text.slice(r.spans[0]!.outStart, r.spans[0]!.outEnd).split(' ')[1];
    expect(r.text.slice(r.spans[2]!.outStart, r.spans[2]!.outEnd)).toBe(`Dr. ${last}`);
  });

  it('falls back to the tag, never the original, when a value cannot be rendered in shape', () => {
    const op = createSurrogateOperator(KEY);
    expect(op(span('DATE', '13'), '13', { scope: 'p' })).toBe('[DATE]');
    expect(op(span('DATE', 'next Tuesday'), 'next Tuesday', { scope: 'p' })).toBe('[DATE]');
    expect(op(span('DATE', '10:30', 'TIME'), '10:30', { scope: 'p' })).toBe('[DATE]');
    expect(op(span('AGE', 'elderly'), 'elderly', { scope: 'p' })).toBe('[AGE]');
  });
});
