import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../../src/core/labels.js';
import type { DictionaryData } from '../../../src/detect/dictionaries/index.js';
import { detect, dictionaryData, flaggedAs } from './helpers.js';

let data: DictionaryData;
let surnames: string[];
beforeAll(async () => {
  data = await dictionaryData();
  // Surnames the lists know that are no English, medical or cue word (sorted: runs are reproducible).
  surnames = [...data.names]
    .filter((n) => /^[a-z]{4,12}$/.test(n) && !data.vocabulary.has(n) && !data.medical.has(n) && !data.nameCues.notNames.has(n) && !data.nameCues.stopWords.has(n))
    .sort()
    .filter((_, i) => i % 97 === 0);
});

const noteAlphabet = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;()/-\'\n\t'.split(''),
  'Dr. ', 'DR ', 'Mrs. ', 'wife ', 'WIFE ', ', RN\n', ' RRT\n', 'St. ', ' Hospital', ' HOSPITAL ', 'lives in ', 'transferred to ',
  'Smith', 'GRACE', 'Will ', 'Boston', 'é', '😀',
);
const note = fc.array(noteAlphabet, { maxLength: 80 }).map((parts) => parts.join(''));

function titleCase(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

describe('dictionaries: properties', () => {
  it('spans lie inside the note, are sorted, labelled NAME or LOCATION, and come from dict/ rules', () => {
    fc.assert(
      fc.property(note, (text) => {
        const spans = detect(text, data);
        let prev = -1;
        for (const s of spans) {
          expect(Number.isInteger(s.start) && Number.isInteger(s.end)).toBe(true);
          expect(s.start).toBeGreaterThanOrEqual(0);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.end).toBeLessThanOrEqual(text.length);
          expect(s.start).toBeGreaterThanOrEqual(prev);
          prev = s.start;
          expect(LABELS).toContain(s.label);
          expect(['NAME', 'LOCATION']).toContain(s.label);
          expect(s.source.startsWith('dict/')).toBe(true);
          expect(s.score).toBeGreaterThan(0);
          expect(s.score).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic: the same note gives the same spans', () => {
    fc.assert(
      fc.property(note, (text) => {
        expect(detect(text, data)).toEqual(detect(text, data));
      }),
      { numRuns: 200 },
    );
  });

  it('finds a listed surname after a title in every case style, with the same extent', () => {
    fc.assert(
      fc.property(fc.constantFrom(...surnames), fc.constantFrom('Dr.', 'Dr', 'Mrs.', 'Mr'), (surname, title) => {
        const mixed = `K 3.1 this am. ${title} ${titleCase(surname)} aware, KCL given.`;
        for (const text of [mixed, mixed.toUpperCase(), mixed.toLowerCase()]) {
          const start = text.toLowerCase().indexOf(surname, 8);
          expect(flaggedAs('NAME', text, data)).toEqual([text.slice(start, start + surname.length)]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('finds a signature before a credential at a line end in every case style', () => {
    fc.assert(
      fc.property(fc.constantFrom(...surnames), fc.constantFrom(', RN', ' RRT', ', NP'), (surname, credential) => {
        const mixed = `Resting comfortably overnight.\nJ. ${titleCase(surname)}${credential}\n`;
        for (const text of [mixed, mixed.toUpperCase(), mixed.toLowerCase()]) {
          const start = text.indexOf('\n') + 1;
          expect(flaggedAs('NAME', text, data)).toEqual([text.slice(start, start + 3 + surname.length)]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('leaves characters outside spans alone: spans never cover a line break', () => {
    fc.assert(
      fc.property(note, (text) => {
        for (const s of detect(text, data)) expect(text.slice(s.start, s.end)).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 300 },
    );
  });
});
