import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEPT_NAME_WORDS, mapInitial, nameSurrogate, sexOfFirstName } from '../../src/transform/surrogate/names.js';
import { caseShape } from '../../src/transform/surrogate/shape.js';

const KEY = Buffer.from('a fixed test key, 32 bytes long!');
const OTHER_KEY = Buffer.from('another test key, also 32 bytes');
const S = 'patient:1';
const name = (text: string, key = KEY, scope = S): string => nameSurrogate(key, scope, text);

describe('nameSurrogate: one person, many spellings', () => {
  const full = name('John Smith');
  const [first, last] = full.split(' ') as [string, string];

  it('maps every spelling of the same person to the same surrogate person', () => {
    expect(name('Smith')).toBe(last);
    expect(name('John')).toBe(first);
    expect(name('Mr. Smith')).toBe(`Mr. ${last}`);
    expect(name('JOHN SMITH')).toBe(full.toUpperCase());
    expect(name('john smith')).toBe(full.toLowerCase());
    expect(name('Smith, John')).toBe(`${last}, ${first}`);
    expect(name('J. Smith')).toBe(`${first[0]}. ${last}`);
    expect(name('J Smith')).toBe(`${first[0]} ${last}`);
    expect(name("Smith's")).toBe(`${last}'s`);
    expect(name('Dr. John Smith, MD')).toBe(`Dr. ${full}, MD`);
  });

  it('keeps the sex told by the first name', () => {
    for (const n of ['John', 'Robert', 'William', 'James']) expect(['male', 'any']).toContain(sexOfFirstName(name(n)));
    for (const n of ['Mary', 'Jennifer', 'Susan', 'Barbara']) expect(['female', 'any']).toContain(sexOfFirstName(name(n)));
    expect(sexOfFirstName('John')).toBe('male');
    expect(sexOfFirstName('Mary')).toBe('female');
    expect(sexOfFirstName('Xqzt')).toBeUndefined();
  });

  it.each([
    ['SMITH', 'upper'],
    ['Smith', 'title'],
    ['smith', 'lower'],
  ] as const)('keeps the case shape of %s', (original, shape) => {
    expect(caseShape(name(original))).toBe(shape);
  });

  it('keeps titles, suffixes, separators and spacing', () => {
    expect(name('Mrs. Smith')).toMatch(/^Mrs\. \S+$/u);
    expect(name('ROSSETTI. ')).toMatch(/^[A-Z' -]+\. $/u);
    expect(name('Smith-Jones')).toMatch(/^[A-Za-z' ]+-[A-Za-z' ]+$/u);
    expect(name('Smith  Jr.')).toMatch(/^\S+ {2}Jr\.$/u);
    expect(name('Ann Lee, RN')).toMatch(/^\S+ \S+, RN$/u);
    expect(name('Ann Pa')).not.toMatch(/Pa$/u); // a credential only in capitals
    expect(name('ann do')).not.toMatch(/do$/u);
  });

  it('maps initials through a derangement: no letter maps to itself', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), fc.string(), (key, scope) => {
        const images = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((l) => mapInitial(key, scope, l));
        for (const [i, img] of images.entries()) expect(img).not.toBe(String.fromCharCode(65 + i));
        expect(mapInitial(key, scope, 'j')).toBe(images[9]!.toLowerCase());
      }),
      { numRuns: 50 },
    );
  });

  it('depends on the scope (patient) and on the key', () => {
    const people = ['John Smith', 'Mary Jones', 'Robert Brown', 'Linda Davis', 'Maria Garcia'];
    const here = people.map((p) => name(p));
    expect(people.map((p) => name(p, KEY, 'patient:2'))).not.toEqual(here);
    expect(people.map((p) => name(p, OTHER_KEY))).not.toEqual(here);
  });
});

const wordArb = fc.stringMatching(/^[A-Za-z][a-z]{1,11}$/u);
const nameArb = fc.oneof(
  wordArb,
  fc.tuple(wordArb, wordArb).map(([a, b]) => `${a} ${b}`),
  fc.tuple(wordArb, wordArb).map(([a, b]) => `${a}, ${b}`),
  fc.tuple(fc.constantFrom('Dr.', 'Mr.', 'Mrs.', 'Ms.'), wordArb).map(([t, b]) => `${t} ${b}`),
  fc.tuple(fc.stringMatching(/^[A-Z]$/u), wordArb).map(([i, b]) => `${i}. ${b}`),
  wordArb.map((w) => w.toUpperCase()),
  fc.stringMatching(/^[A-Za-z]$/u),
);

describe('name properties', () => {
  it('never equals the original, case-insensitively, and no name word survives', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), fc.string(), nameArb, (key, scope, original) => {
        const out = nameSurrogate(key, scope, original);
        expect(out.toLowerCase()).not.toBe(original.toLowerCase());
        const kept = KEPT_NAME_WORDS;
        const outWords = new Set(out.toLowerCase().split(/[^a-z']+/u));
        for (const w of original.toLowerCase().split(/[^a-z']+/u)) {
          if (w.length > 1 && !kept.has(w)) expect(outWords.has(w)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is a pure function of (key, scope, text)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), fc.string(), nameArb, (key, scope, original) => {
        expect(nameSurrogate(Buffer.from(key), scope, original)).toBe(nameSurrogate(Buffer.from(key), scope, original));
      }),
    );
  });
});
