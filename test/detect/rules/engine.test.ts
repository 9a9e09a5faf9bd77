import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileRule, windowEnd, windowStart, wordListRegex } from '../../../src/detect/rules/engine.js';
import { parseRulePack } from '../../../src/detect/rules/pack.js';

function ruleFrom(over: Record<string, unknown>) {
  const yaml = stringify({
    pack: 'engine-test',
    description: 'engine behaviour',
    rules: [{ id: 'badge', label: 'ID', subtype: 'ID', notes: 'Five-digit staff badge numbers.', patterns: [{ name: 'five', regex: '\\b\\d{5}\\b', score: 0.4 }], ...over }],
  });
  return compileRule(parseRulePack(yaml, 'engine-test.yaml').rules[0]!);
}
const found = (r: ReturnType<typeof ruleFrom>, text: string): string[] => r.find(text).map((s) => text.slice(s.start, s.end));

describe('rule engine', () => {
  it.each([
    ['badge 12345 scanned', ['12345']],
    ['Badge:\n12345', ['12345']],
    ['the badge is here. 12345', []],
    ['badge\n12345', []],
    ['12345 without the word', []],
    ['badger 12345', []],
  ])('context words raise the score above minScore: %j', (text, expected) => {
    const r = ruleFrom({ context: { words: ['badge'], before: 3, boost: 0.3 } });
    expect(found(r, text)).toEqual(expected);
  });

  it('a trailing * in a context word matches any word with that prefix', () => {
    const r = ruleFrom({ context: { words: ['badg*'], before: 2, boost: 0.3 } });
    expect(found(r, 'badger 12345')).toEqual(['12345']);
    expect(found(r, 'bad 12345')).toEqual([]);
  });

  it('negative context drops or lowers', () => {
    const drop = ruleFrom({ patterns: [{ name: 'five', regex: '\\b\\d{5}\\b', score: 0.9 }], negativeContext: [{ words: ['units'], before: 0, after: 1 }] });
    expect(found(drop, '12345 units given')).toEqual([]);
    expect(found(drop, '12345 given')).toEqual(['12345']);
    const lower = ruleFrom({ patterns: [{ name: 'five', regex: '\\b\\d{5}\\b', score: 0.9 }], negativeContext: [{ words: ['lot'], before: 1, after: 0, effect: 0.3 }] });
    const [s] = lower.find('lot 12345');
    expect(s!.score).toBeCloseTo(0.6);
    expect(s!.explanation).toContain('negative-context');
  });

  it('allow-list values are never flagged; deny-list words always are', () => {
    const r = ruleFrom({ patterns: [{ name: 'five', regex: '\\b\\d{5}\\b', score: 0.9 }], allow: ['00000'], deny: ['Project Bluebird'] });
    expect(found(r, 'code 00000 and 12345')).toEqual(['12345']);
    const spans = r.find('joined project bluebird in 2019');
    expect(spans.map((s) => [s.start, s.end, s.score, s.explanation])).toEqual([[7, 23, 1, 'deny-list']]);
  });

  it('a named group `phi` narrows the span; the explanation names pattern and validator, never text', () => {
    const r = ruleFrom({ patterns: [{ name: 'after-word', regex: 'npi (?<phi>\\d{10})', score: 0.9 }], validator: 'npi' });
    const spans = r.find('npi 1234567893 and npi 1234567890');
    expect(spans.map((s) => [s.start, s.end, s.source])).toEqual([[4, 14, 'rules/badge']]);
    expect(spans[0]!.explanation).toBe('pattern:after-word validator:npi');
  });

  it('keeps the best score when two patterns find the same extent', () => {
    const r = ruleFrom({ patterns: [{ name: 'low', regex: '\\d{5}', score: 0.6 }, { name: 'high', regex: '\\b\\d{5}\\b', score: 0.8 }] });
    const spans = r.find('12345');
    expect(spans).toHaveLength(1);
    expect(spans[0]!.score).toBe(0.8);
  });

  it('windows count whitespace-separated tokens', () => {
    const text = 'one two  three four';
    expect(text.slice(windowStart(text, text.indexOf('four'), 2))).toBe('two  three four');
    expect(text.slice(0, windowEnd(text, 3, 2))).toBe('one two  three');
    expect(wordListRegex(['mr#', 'mrn']).test('MR# 123')).toBe(true);
    expect(wordListRegex(['mrn']).test('mrna')).toBe(false);
  });
});
