import { describe, expect, it } from 'vitest';
import { createSiteDetector } from '../../../src/detect/site/index.js';
import { nameForms, parsePersonName } from '../../../src/detect/site/names.js';

// Invented staff names.
describe('parsePersonName', () => {
  it.each([
    ['Orla Quennell', { given: ['orla'], surname: ['quennell'] }],
    ['Dr. Orla B. Quennell, MD', { given: ['orla', 'b'], surname: ['quennell'] }],
    ['Quennell, Orla', { given: ['orla'], surname: ['quennell'] }],
    ['Quennell, Orla B, RN', { given: ['orla', 'b'], surname: ['quennell'] }],
    ['Orla Quennell-Ashby', { given: ['orla'], surname: ['quennell', 'ashby'] }],
    ['Quennell', { given: [], surname: ['quennell'] }],
    ['Dr.', undefined],
    ['', undefined],
  ])('%j', (entry, want) => {
    expect(parsePersonName(entry)).toEqual(want);
  });
});

describe('roster matching (site detector)', () => {
  const detector = createSiteDetector({ deny: [], roster: ['Dr. Orla Quennell-Ashby, MD', 'Bexley, Tamsin'] }, 'test');
  const found = (text: string): string[] => (detector.detect(text) as { start: number; end: number }[]).map((s) => text.slice(s.start, s.end));

  it.each([
    ['seen by O. Quennell-Ashby', 'O. Quennell-Ashby'],
    ['per Quennell Ashby, Orla', 'Quennell Ashby, Orla'],
    ['QUENNELL-ASHBY aware', 'QUENNELL-ASHBY'],
    ["Quennell-Ashby's note", 'Quennell-Ashby'],
    ['QuennellAshby aware', 'QuennellAshby'],
    ['d/w Ashby', 'Ashby'],
    ['d/w tamsin bexley', 'tamsin bexley'],
    ['d/w T Bexley', 'T Bexley'],
    ['d/w Bexly', 'Bexly'], // one slip, five letters or more, capitalised
  ])('%j finds %j', (text, want) => {
    expect(found(text)).toContain(want);
  });

  it.each([
    'the bexley road', // a surname alone in lower case
    'Tamsin called', // a colleague's first name alone
    'Bexleyheath', // inside a longer word
    'the ashby', // lower case
    'Bxly', // too far
  ])('%j finds nothing', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('spans are NAME/DOCTOR; exact matches outrank the safe terms (score >= merge.safeOverride)', () => {
    const [s] = detector.detect('by Bexley') as { label: string; subtype: string; score: number }[];
    expect(s).toMatchObject({ label: 'NAME', subtype: 'DOCTOR' });
    expect(s!.score).toBeGreaterThanOrEqual(0.95);
  });

  it('a name form list has no duplicates and no surname under three letters alone', () => {
    const forms = nameForms(parsePersonName('Wen Li')!);
    expect(forms.map((f) => f.words.join(' '))).not.toContain('li');
    expect(new Set(forms.map((f) => `${f.capital}${f.words.join(' ')}`)).size).toBe(forms.length);
  });
});
