import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import type { Span } from '../../src/core/span.js';
import { loadRestrictedZip3 } from '../../src/node/surrogates.js';
import { applyOperators } from '../../src/transform/apply.js';
import { createSurrogateOperator } from '../../src/transform/operators/surrogate.js';
import { effectivePolicy, SAFE_HARBOR_POLICY, surrogateOptionsFromConfig, usesSurrogate } from '../../src/transform/safeHarbor.js';

const KEY = Buffer.from('safe harbor key: 32 bytes long..');

describe('restricted ZIP3 data', () => {
  it('is the 17-prefix Census list', () => {
    expect(loadRestrictedZip3()).toEqual(['036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893']);
  });
});

describe('safe-harbor preset', () => {
  const config = parseConfig({ preset: 'safe-harbor' });
  const policy = effectivePolicy(config);
  const op = createSurrogateOperator(KEY, surrogateOptionsFromConfig(config, loadRestrictedZip3()));

  it('surrogates or tags every identifier label; explicit policy labels still win', () => {
    expect(policy).toEqual(SAFE_HARBOR_POLICY);
    expect(usesSurrogate(policy)).toBe(true);
    expect(effectivePolicy(parseConfig({ preset: 'safe-harbor', policy: { NAME: 'tag' } })).NAME).toBe('tag');
    expect(effectivePolicy(parseConfig({ policy: { DEFAULT: 'mask' } }))).toEqual({ DEFAULT: 'mask' });
    expect(usesSurrogate(effectivePolicy(parseConfig({})))).toBe(false);
  });

  it('applies the generalizations to a note', () => {
    const text = 'Mr. John Smith, 92 yo, of Baltimore, MD 21201, seen March 4, 2021 (SSN 123-45-6789); ZIP 89301; f/u 8/23.';
    const mk = (needle: string, label: Span['label'], subtype?: string): Span => {
      const start = text.indexOf(needle);
      return { start, end: start + needle.length, label, subtype, source: 't', score: 1 };
    };
    const spans = [
      mk('John Smith', 'NAME'),
      mk('92', 'AGE'),
      mk('Baltimore', 'LOCATION', 'CITY'),
      mk('MD', 'LOCATION', 'STATE'),
      mk('21201', 'LOCATION', 'ZIP'),
      mk('March 4, 2021', 'DATE'),
      mk('123-45-6789', 'ID', 'SSN'),
      mk('89301', 'LOCATION', 'ZIP'),
      mk('8/23', 'DATE'),
    ];
    const out = applyOperators(text, spans, policy, { scope: 'p1' }, { surrogate: op }).text;
    expect(out).toMatch(/^Mr\. \S+ \S+, 90\+ yo, of \S+, MD 21200, seen 2021 \(SSN 9\d\d-\d\d-\d{4}\); ZIP 00000; f\/u \[DATE\]\.$/u);
    expect(out).not.toMatch(/John|Smith|Baltimore|123-45-6789|March/u);
  });

  it('keeps states and countries, by subtype or by name; not cities or lowercase "in"', () => {
    const loc = (text: string, subtype?: string): string => op({ start: 0, end: text.length, label: 'LOCATION', subtype, source: 't', score: 1 }, text, { scope: 'p1' });
    expect(loc('Maryland')).toBe('Maryland');
    expect(loc('MD')).toBe('MD');
    expect(loc('France')).toBe('France');
    expect(loc('Ruritania', 'COUNTRY')).toBe('Ruritania');
    expect(loc('Baltimore')).not.toBe('Baltimore');
    expect(loc('in')).not.toBe('in');
  });

  it('tags years that imply an age over 89 (more than 89 years back)', () => {
    const dated = createSurrogateOperator(KEY, surrogateOptionsFromConfig(config, [], 2026));
    const date = (text: string): string => dated({ start: 0, end: text.length, label: 'DATE', source: 't', score: 1 }, text, { scope: 'p1' });
    expect(date('3/4/1937')).toBe('1937');
    expect(date('1936')).toBe('[DATE]');
    expect(date('March 4, 1921')).toBe('[DATE]');
    // Outside the preset there is no floor.
    const plain = surrogateOptionsFromConfig(parseConfig({ surrogate: { dateShift: { yearOnly: true } } }), [], 2026);
    expect(plain.dateShift?.minYear).toBeUndefined();
  });

  it('can shift dates instead of reducing them to the year', () => {
    const config2 = parseConfig({ preset: 'safe-harbor', surrogate: { dateShift: { yearOnly: false } } });
    const op2 = createSurrogateOperator(KEY, surrogateOptionsFromConfig(config2, []));
    const out = op2({ start: 0, end: 13, label: 'DATE', source: 't', score: 1 }, 'March 4, 2021', { scope: 'p1' });
    expect(out).toMatch(/^[A-Z][a-z]+ \d{1,2}, 20(20|21)$/u);
    expect(out).not.toBe('March 4, 2021');
  });
});
