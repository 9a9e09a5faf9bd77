import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locationSurrogate, organizationSurrogate, zipSurrogate } from '../../src/transform/surrogate/places.js';
import { ageSurrogate, readAge } from '../../src/transform/surrogate/age.js';

const KEY = Buffer.from('places test key, 32 bytes long..');
const plain = { zip: 'surrogate' as const, restrictedZip3: new Set<string>() };
const zip3 = { zip: 'zip3' as const, restrictedZip3: new Set(['036', '059', '893']) };
const loc = (text: string, subtype?: string, options = plain): string => locationSurrogate(KEY, 'p', text, options, subtype);

describe('locationSurrogate', () => {
  it.each([
    ['21201', /^\d{5}$/u],
    ['21201-1234', /^\d{5}-\d{4}$/u],
    ['212011234', /^\d{9}$/u],
    ['MD', /^[A-Z]{2}$/u],
    ['Maryland', /^[A-Z][a-z]+( [A-Z][a-z]+)*$/u],
    ['St. Agnes Hospital', /^St\. \S+ Hospital$/u],
    ['FREDERICK MEMORIAL', /^[A-Z' -]+ MEMORIAL$/u],
    ['Sacred Heart Medical Center', /^\S+ \S+ Medical Center$/u],
    ['123 Main Street', /^\d{3} \S+ Street$/u],
    ['BWMC', /^[A-Z]{4}$/u],
    ['baltimore', /^[a-z .'-]+$/u],
  ])('%s keeps its shape', (original, shape) => {
    const out = loc(original);
    expect(out).toMatch(shape);
    expect(out.toLowerCase()).not.toBe(original.toLowerCase());
  });

  it('maps place words consistently, whether detected together or apart', () => {
    const together = loc('Holy Cross');
    expect(`${loc('Holy')} ${loc('Cross')}`).toBe(together);
    expect(loc('HOLY CROSS')).toBe(together.toUpperCase());
  });

  it('keeps a street suffix in a street address only: a region\'s landform word is part of its name', () => {
    expect(loc('45 Harbor Crossing')).toMatch(/^\d{2} \S+ Crossing$/u);
    expect(loc('Elm Crossing', 'STREET')).toMatch(/^\S+ Crossing$/u);
    for (const region of ['Western Shore', 'WESTERN SHORE', 'Gold Coast']) {
      const out = loc(region, 'LOCATION');
      expect(out.split(' ')).toHaveLength(2);
      for (const w of region.split(' ')) expect(out.toLowerCase().split(' '), region).not.toContain(w.toLowerCase());
    }
  });

  it('replaces a span made only of generic words too (never the original)', () => {
    for (const w of ['Memorial', 'General', 'Hospital', 'North', 'St.']) expect(loc(w).toLowerCase()).not.toBe(w.toLowerCase());
  });

  it('Safe Harbor ZIP: first three digits kept, 000 for the sparse areas', () => {
    expect(zipSurrogate(KEY, 'p', '21201', zip3)).toBe('21200');
    expect(zipSurrogate(KEY, 'p', '21201-1234', zip3)).toBe('21200-0000');
    expect(zipSurrogate(KEY, 'p', '03601', zip3)).toBe('00000');
    expect(zipSurrogate(KEY, 'p', '89301', zip3)).toBe('00000');
    expect(zipSurrogate(KEY, 'p', 'Baltimore', zip3)).toBeUndefined();
  });

  it('ZIP surrogates keep length and separators and differ from the original', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), fc.stringMatching(/^\d{5}(-\d{4})?$/u), (key, zip) => {
        const out = locationSurrogate(key, 's', zip, plain, 'ZIP');
        expect(out.replace(/\d/gu, '9')).toBe(zip.replace(/\d/gu, '9'));
        expect(out).not.toBe(zip);
      }),
    );
  });

  it('organizations keep generic words', () => {
    expect(organizationSurrogate(KEY, 'p', 'Acme Pharmaceuticals Inc.')).toMatch(/^\S+ Pharmaceuticals Inc\.$/u);
    expect(organizationSurrogate(KEY, 'p', 'Genentech')).not.toBe('Genentech');
  });
});

describe('ages', () => {
  const opts = { over89: '90+', under90: 'keep' as const };
  it.each([
    ['92', '90+'],
    ['92 yo', '90+ yo'],
    ['104-year-old', '90+-year-old'],
    ['ninety-two', '90+'],
    ['45', '45'],
    ['89', '89'],
    ['eighty-nine', 'eighty-nine'],
  ])('%s → %s', (input, expected) => {
    expect(ageSurrogate(input, opts)).toBe(expected);
  });

  it('uses the configured bucket, and tags ≤ 89 when asked', () => {
    expect(ageSurrogate('93', { over89: '>89', under90: 'keep' })).toBe('>89');
    expect(ageSurrogate('45', { over89: '90+', under90: 'tag' })).toBeUndefined();
    expect(ageSurrogate('elderly', opts)).toBeUndefined();
    expect(readAge('ninety two')?.value).toBe(92);
    expect(readAge('one hundred and one')?.value).toBe(101);
  });
});
