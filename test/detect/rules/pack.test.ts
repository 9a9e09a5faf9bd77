import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { backtrackingRisk } from '../../../src/detect/rules/backtracking.js';
import { parseRulePack, RulePackError } from '../../../src/detect/rules/pack.js';

const rule = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'test-rule',
  label: 'ID',
  subtype: 'MRN',
  notes: 'A test rule documenting its format.',
  patterns: [{ name: 'digits', regex: '\\d{6}', score: 0.8 }],
  ...over,
});
const pack = (rules: unknown[], over: Record<string, unknown> = {}): string =>
  stringify({ pack: 'test', description: 'test pack', rules, ...over });

function errorOf(yaml: string, file = 'rules/test.yaml'): RulePackError {
  try {
    parseRulePack(yaml, file);
  } catch (err) {
    expect(err).toBeInstanceOf(RulePackError);
    return err as RulePackError;
  }
  throw new Error('expected parseRulePack to throw');
}

describe('parseRulePack', () => {
  it('accepts a minimal pack and fills defaults', () => {
    const p = parseRulePack(pack([rule()]), 'rules/test.yaml');
    expect(p.pack).toBe('test');
    expect(p.fileName).toBe('rules/test.yaml');
    expect(p.rules[0]).toMatchObject({ id: 'test-rule', minScore: 0.5, allow: [], deny: [], negativeContext: [] });
    expect(p.rules[0]!.patterns[0]!.flags).toBe('');
  });

  it.each([
    ['invalid regex', [rule({ patterns: [{ name: 'bad', regex: '(\\d', score: 0.5 }] })], 'E020', 'rules/test.yaml: rule "test-rule": invalid regex in pattern "bad"'],
    ['empty-matching regex', [rule({ patterns: [{ name: 'empty', regex: '\\d*', score: 0.5 }] })], 'E020', 'rule "test-rule"'],
    ['unknown label', [rule({ label: 'PERSON' })], 'E021', 'rule "test-rule": invalid value at label'],
    ['subtype of another label', [rule({ subtype: 'PHONE' })], 'E021', 'subtype "PHONE" is not one of ID'],
    ['unknown validator', [rule({ validator: 'crc32' })], 'E021', 'rule "test-rule": invalid value at validator'],
    ['score above 1', [rule({ patterns: [{ name: 'p', regex: 'x', score: 1.5 }] })], 'E021', 'patterns.0.score'],
    ['missing notes', [rule({ notes: undefined })], 'E021', 'rule "test-rule"'],
    ['unknown key', [rule({ colour: 'red' })], 'E021', 'rule "test-rule"'],
    ['bad flag', [rule({ patterns: [{ name: 'p', regex: 'x', score: 0.5, flags: 'gy' }] })], 'E021', 'flags'],
    ['no patterns and no deny list', [rule({ patterns: [] })], 'E021', 'at least one pattern'],
    ['duplicate pattern names', [rule({ patterns: [{ name: 'p', regex: 'x', score: 0.5 }, { name: 'p', regex: 'y', score: 0.5 }] })], 'E021', 'duplicate pattern name "p"'],
    ['nested quantifier (a+)+', [rule({ patterns: [{ name: 'redos', regex: '(a+)+b', score: 0.5 }] })], 'E022', 'rule "test-rule": pattern "redos" may backtrack'],
    ['nested quantifier (\\w*)*', [rule({ patterns: [{ name: 'redos', regex: '(\\w*)*x', score: 0.5 }] })], 'E022', 'rule "test-rule"'],
    ['duplicate rule ids', [rule(), rule()], 'E023', 'rule "test-rule": duplicate rule id'],
  ])('rejects %s with a coded error naming file and rule', (_name, rules, code, fragment) => {
    const err = errorOf(pack(rules));
    expect(err.code).toBe(code);
    expect(err.message.startsWith(`${code} rules/test.yaml`)).toBe(true);
    expect(err.message).toContain(fragment);
  });

  it('names the rule by position when it has no usable id', () => {
    const err = errorOf(pack([rule(), { label: 'ID' }]));
    expect(err.message).toContain('rule "#2"');
  });

  it.each([
    ['YAML syntax', 'pack: [unclosed', 'E024'],
    ['empty document', '', 'E021'],
    ['no rules', pack([]), 'E021'],
    ['a list, not a pack', '- a\n- b\n', 'E021'],
    ['bad pack name', pack([rule()], { pack: 'Has Spaces' }), 'E021'],
  ])('rejects %s', (_name, yaml, code) => {
    const err = errorOf(yaml);
    expect(err.code).toBe(code);
    expect(err.message).toContain('rules/test.yaml');
  });

  it('never crashes on random YAML-ish input: returns a pack or throws a coded RulePackError', () => {
    const yamlish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
      fc
        .record({
          id: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('ok-id', 'x')),
          label: fc.constantFrom('ID', 'DATE', 'NOPE', 3),
          subtype: fc.constantFrom('MRN', 'DATE', 'PHONE', ''),
          notes: fc.string({ maxLength: 30 }),
          patterns: fc.array(fc.record({ name: fc.constantFrom('p', 'q', 'Bad Name'), regex: fc.string({ maxLength: 12 }), score: fc.double({ min: -1, max: 2, noNaN: true }) }), { maxLength: 3 }),
        })
        .map((r) => pack([r])),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        try {
          const p = parseRulePack(text, 'rules/random.yaml');
          expect(p.rules.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(RulePackError);
          expect((err as Error).message).toMatch(/^E02[0-4] rules\/random\.yaml/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseRulePack properties', () => {
  it('any pattern the JS engine rejects is reported as E020 naming file, rule and pattern', () => {
    const regexish = fc.string({ unit: fc.constantFrom('(', ')', '[', ']', '{', '}', '\\', '*', '+', '?', 'a', '1', '|', '^', '$', '<', '>', 'k'), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(regexish, fc.constantFrom('r-one', 'other-rule'), (source, id) => {
        let jsRejects = false;
        try {
          new RegExp(source, 'gd');
        } catch {
          jsRejects = true;
        }
        fc.pre(jsRejects);
        const err = errorOf(pack([rule({ id, patterns: [{ name: 'p', regex: source, score: 0.5 }] })]), 'rules/prop.yaml');
        expect(err.message.startsWith(`E020 rules/prop.yaml: rule "${id}": invalid regex in pattern "p"`)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('valid packs survive a YAML round trip unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), { minLength: 1, maxLength: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), (ids, score) => {
        const unique = [...new Set(ids)];
        const text = pack(unique.map((id) => rule({ id, patterns: [{ name: 'p', regex: '\\d{4}', score }] })));
        const parsed = parseRulePack(text, 'rules/rt.yaml');
        expect(parsed.rules.map((r) => r.id)).toEqual(unique);
        const again = parseRulePack(stringify({ pack: parsed.pack, version: parsed.version, description: parsed.description, rules: parsed.rules }), 'rules/rt.yaml');
        expect(again.rules).toEqual(parsed.rules);
      }),
      { numRuns: 100 },
    );
  });
});

describe('backtrackingRisk (recheck)', () => {
  it.each(['(a+)+b', '(\\w*)*x', '(?:x|y+){2,}z', '((ab)*c)+', '(?:[a-z]+\\s?)*!', '(\\d+){1,100}x'])('flags %s', (re) => {
    expect(backtrackingRisk(re, '')).toMatch(/^recheck: (?:exponential|\d+(?:st|nd|rd|th) degree polynomial)/u);
  });
  it.each(['\\d{3}-\\d{4}', '(?:ab)+', '(a+)?', '(?:[A-Z][a-z]+\\.?){1,4}', '[(+)]+', '\\(\\d+\\)+', '(?:\\d{1,3}\\.){3}\\d{1,3}'])('accepts %s', (re) => {
    expect(backtrackingRisk(re, '')).toBeUndefined();
  });
  // Nested quantifiers with nothing after them that can fail: a search takes the first (longest)
  // match and never backtracks into them. The former shape check refused these; recheck finds them linear.
  it.each(['(a+)+', '(?:x|y+){2,}', '(?:[a-z]+\\s?)+', '(\\d+){1,100}'])('accepts %s (no failing suffix)', (re) => {
    expect(backtrackingRisk(re, '')).toBeUndefined();
  });
});
