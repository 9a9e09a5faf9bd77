import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ibanValid, idOrContactSurrogate, luhnValid } from '../../src/transform/surrogate/formats.js';

const charClass = (c: string): string => (/\d/u.test(c) ? '9' : /[a-z]/u.test(c) ? 'a' : /[A-Z]/u.test(c) ? 'A' : c);
const shapeOf = (s: string): string => [...s].map(charClass).join('');

const keyArb = fc.uint8Array({ minLength: 16, maxLength: 32 });
const sepArb = fc.constantFrom('-', ' ', '.', '/', '');
const options = { keepChecksum: false };

/** Shape-preserving subtypes: every position keeps its character class, separators stay. */
const shaped: readonly [string, 'ID' | 'CONTACT', fc.Arbitrary<string>][] = [
  ['SSN', 'ID', fc.tuple(fc.stringMatching(/^\d{3}$/u), sepArb, fc.stringMatching(/^\d{2}$/u), fc.stringMatching(/^\d{4}$/u)).map(([a, s, b, c]) => `${a}${s}${b}${s}${c}`)],
  ['MRN', 'ID', fc.stringMatching(/^[A-Z]{0,3}[-# ]?\d{4,10}$/u)],
  ['ACCOUNT', 'ID', fc.stringMatching(/^\d{4,8}-?\d{2,6}$/u)],
  ['LICENSE', 'ID', fc.stringMatching(/^[A-Z]\d{3}-\d{3}-\d{2}-\d{3}-\d$/u)],
  ['VEHICLE', 'ID', fc.stringMatching(/^[A-HJ-NPR-Z0-9]{17}$/u)],
  ['DEVICE', 'ID', fc.stringMatching(/^[A-Z0-9]{2,6}-[a-z0-9]{3,8}$/u)],
  ['HEALTHPLAN', 'ID', fc.stringMatching(/^[A-Z]{3}\d{9}$/u)],
  ['NPI', 'ID', fc.stringMatching(/^\d{10}$/u)],
  ['DEA', 'ID', fc.stringMatching(/^[A-Z]{2}\d{7}$/u)],
  ['CARD', 'ID', fc.tuple(fc.stringMatching(/^[3-6]\d{3}$/u), sepArb, fc.stringMatching(/^\d{4}$/u), fc.stringMatching(/^\d{4}$/u), fc.stringMatching(/^\d{4}$/u)).map(([a, s, b, c, d]) => `${a}${s}${b}${s}${c}${s}${d}`)],
  ['IBAN', 'ID', fc.tuple(fc.constantFrom('GB', 'DE', 'FR'), fc.stringMatching(/^\d{2}$/u), fc.stringMatching(/^[A-Z0-9]{12,26}$/u)).map(([c, k, b]) => `${c}${k}${b}`)],
  ['ROUTING', 'ID', fc.stringMatching(/^\d{9}$/u)],
  ['BIOID', 'ID', fc.stringMatching(/^[a-f0-9]{8,16}$/u)],
  ['ID', 'ID', fc.stringMatching(/^[A-Za-z0-9]{1,4}[-/.]?[A-Za-z0-9]{2,8}$/u)],
  ['PHONE', 'CONTACT', fc.stringMatching(/^\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}$/u)],
  ['PHONE', 'CONTACT', fc.stringMatching(/^\+?1[-. ]\d{3}[-. ]\d{3}[-. ]\d{4}$/u)],
  ['PHONE', 'CONTACT', fc.stringMatching(/^\d{3}-\d{4}$/u)],
  ['PHONE', 'CONTACT', fc.stringMatching(/^x?\d{2,6}$/u)],
  ['FAX', 'CONTACT', fc.stringMatching(/^\d{3}\.\d{3}\.\d{4}$/u)],
];

describe('ID and CONTACT surrogates keep their format', () => {
  it.each(shaped.map(([sub, label, arb], i) => [`${sub} #${i}`, sub, label, arb] as const))(
    '%s: same character class at every position, never the original',
    (_name, sub, label, arb) => {
      fc.assert(
        fc.property(keyArb, fc.string(), arb, (key, scope, original) => {
          const out = idOrContactSurrogate(key, scope, original, label, sub, options);
          expect(shapeOf(out)).toBe(shapeOf(original));
          expect(out.toLowerCase()).not.toBe(original.toLowerCase());
          expect(idOrContactSurrogate(key, scope, original, label, sub, options)).toBe(out);
        }),
        { numRuns: 100 },
      );
    },
  );

  it('phones land in the fictional 555-01xx range', () => {
    fc.assert(
      fc.property(keyArb, fc.stringMatching(/^\(?[2-9]\d{2}\)?[-. ]?\d{3}[-. ]\d{4}$/u), (key, original) => {
        const digits = idOrContactSurrogate(key, 's', original, 'CONTACT', 'PHONE', options).replace(/\D/gu, '');
        expect(digits.slice(3, 8)).toBe('55501');
        expect(digits[0]).toMatch(/[2-9]/u);
      }),
    );
    expect(idOrContactSurrogate(Buffer.alloc(16, 1), 's', '867-5309', 'CONTACT', 'PHONE', options)).toMatch(/^555-01\d\d$/u);
  });

  it('SSNs come from area 900–999 with group 01–49 (neither an SSN nor an ITIN)', () => {
    fc.assert(
      fc.property(keyArb, fc.stringMatching(/^\d{3}-\d{2}-\d{4}$/u), (key, original) => {
        const out = idOrContactSurrogate(key, 's', original, 'ID', 'SSN', options);
        expect(out).toMatch(/^9\d\d-(0[1-9]|[1-3]\d|4[0-9])-\d{4}$/u);
        expect(out.slice(-4)).not.toBe('0000');
      }),
    );
  });

  it('cards, NPIs and IBANs keep a valid checksum only when asked', () => {
    fc.assert(
      fc.property(keyArb, fc.stringMatching(/^4\d{15}$/u), fc.stringMatching(/^[12]\d{9}$/u), fc.stringMatching(/^GB\d{2}[A-Z]{4}\d{14}$/u), (key, card, npi, iban) => {
        for (const keepChecksum of [true, false]) {
          const o = { keepChecksum };
          expect(luhnValid(idOrContactSurrogate(key, 's', card, 'ID', 'CARD', o))).toBe(keepChecksum);
          expect(luhnValid(`80840${idOrContactSurrogate(key, 's', npi, 'ID', 'NPI', o)}`)).toBe(keepChecksum);
          expect(ibanValid(idOrContactSurrogate(key, 's', iban, 'ID', 'IBAN', o))).toBe(keepChecksum);
        }
      }),
    );
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(luhnValid('4111111111111111')).toBe(true);
  });

  it('emails and URLs move to reserved example domains; the local part keeps its shape', () => {
    fc.assert(
      fc.property(keyArb, fc.stringMatching(/^[a-z][a-z0-9._]{0,15}$/u), fc.stringMatching(/^[a-z]{2,10}\.(com|org|edu)$/u), (key, local, domain) => {
        const out = idOrContactSurrogate(key, 's', `${local}@${domain}`, 'CONTACT', 'EMAIL', options);
        const [outLocal, outDomain] = out.split('@') as [string, string];
        expect(['example.com', 'example.org', 'example.net']).toContain(outDomain);
        expect(shapeOf(outLocal)).toBe(shapeOf(local));
        const url = idOrContactSurrogate(key, 's', `https://www.${domain}/p/${local}`, 'CONTACT', 'URL', options);
        expect(url).toMatch(/^https:\/\/www\.example\.(com|org|net)\/[a-z]\//u);
      }),
    );
  });

  it('IPs come from the documentation ranges', () => {
    fc.assert(
      fc.property(keyArb, fc.ipV4(), fc.ipV6(), (key, v4, v6) => {
        const a = idOrContactSurrogate(key, 's', v4, 'CONTACT', 'IP', options);
        expect(isIP(a)).toBe(4);
        expect(a).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/u);
        expect(a).not.toBe(v4);
        const b = idOrContactSurrogate(key, 's', v6, 'CONTACT', 'IP', options);
        expect(isIP(b)).toBe(6);
        expect(b.toLowerCase()).toMatch(/^2001:db8:/u);
      }),
    );
  });
});
