import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeSpans } from '../../../src/core/merge.js';
import type { Span } from '../../../src/core/span.js';
import { detectNamesAndPlaces, safeTermSpans, type DictionaryData } from '../../../src/detect/dictionaries/index.js';
import { oneEditApart } from '../../../src/detect/dictionaries/safeTerms.js';
import { dictionaryData } from './helpers.js';

// Invented sentences; clinical abbreviations, eponyms and states are public vocabulary.
let data: DictionaryData;
beforeAll(async () => {
  data = await dictionaryData();
});

const safeTexts = (t: string, kind?: string): string[] =>
  safeTermSpans(t, data)
    .filter((s) => kind === undefined || s.source === `dict/safe-${kind}`)
    .map((s) => t.slice(s.start, s.end));

describe('safe terms: what the word lists prove is not PHI', () => {
  it.each([
    ['Afib with RVR overnight, LE edema 2+.', 'abbreviation', ['RVR', 'LE']],
    ['RAPID AFIB WITH RVR TO 140. BLE WARM.', 'abbreviation', ['AFIB', 'RVR', 'BLE']],
    ['le pulses dopplerable, osa on cpap.', 'abbreviation', ['le', 'osa', 'cpap']],
    ['Fiance and son at bedside, daughter on the phone.', 'role', ['Fiance', 'son', 'daughter']],
    ['DAUGTHER CALLED FOR AN UPDATE.', 'role', ['DAUGTHER']],
    // a slip some non-English name list happens to hold is still the role word
    ['NEICE AND NEPHEW IN TO VISIT.', 'role', ['NEICE', 'NEPHEW']],
    ["Noted Kussmaul's respirations on arrival.", 'eponym', ["Kussmaul's respirations"]],
    ['Breathing with Kussmaul respirations.', 'eponym', ['Kussmaul respirations']],
    ['egd: small mallory weiss tear.', 'eponym', ['mallory weiss tear']],
    ['Positive Homans sign on the left.', 'eponym', ['Homans sign']],
    ['Sister in Illinois was called.', 'state', ['Illinois']],
    ['DAUGHTER FLEW IN FROM CALIF. TODAY', 'state', ['CALIF.']],
    ['Her brother drove down from Pensylvania.', 'state', ['Pensylvania']],
    ['moving to north carolina next month', 'state', ['north carolina']],
  ])('%s → %s %j', (text, kind, expected) => {
    expect(safeTexts(text, kind)).toEqual(expected);
  });

  it.each([
    // a capitalised "Le" in prose may be a surname; Ed, Art, Tia are names an English list holds
    ['Seen by Dr. Le this morning.', 'abbreviation'],
    ['Son Ed and daughter Tia at bedside.', 'abbreviation'],
    ['ART LINE IN PLACE.', 'abbreviation'],
    // after a title or a role word the name is a person's
    ['Discussed with Dr. Homans, test results pending.', 'eponym'],
    ['Wife Rose sign consent.', 'eponym'],
    ['Positive sign of improvement.', 'eponym'],
    // a state in a facility's name, or named like its city
    ['Transferred from Maryland Rehab.', 'state'],
    ['Records from University of Maryland.', 'state'],
    ['Daughter lives in New York.', 'state'],
    ['Lives in Washington with her son.', 'state'],
  ])('%s has no %s span', (text, kind) => {
    expect(safeTexts(text, kind)).toEqual([]);
  });

  it('labels a state LOCATION when an English name list holds it, so a nurse named Virginia stays a name', () => {
    const t = 'Nurse Virginia called from Virginia. Sister in Ohio.';
    const spans = safeTermSpans(t, data).filter((s) => s.source === 'dict/safe-state');
    expect(spans.map((s) => [t.slice(s.start, s.end), s.label])).toEqual([
      ['Virginia', 'LOCATION'],
      ['Virginia', 'LOCATION'],
      ['Ohio', 'OTHER'],
    ]);
    const name: Span = { start: 6, end: 14, label: 'NAME', source: 'ner/phi-ner', score: 0.99 };
    const place: Span = { start: 27, end: 35, label: 'LOCATION', source: 'ner/phi-ner', score: 0.99 };
    expect(mergeSpans([name, place], { safe: spans }).map((s) => t.slice(s.start, s.end))).toEqual(['Virginia']);
  });

  it('removes the false names of a note from the merged output but no name a cue proves', () => {
    const t = 'Pt with AF and RVR, seen by Dr. Okafor. Wife Mary from Ohio at bedside.';
    const ner: Span[] = [
      { start: t.indexOf('RVR'), end: t.indexOf('RVR') + 3, label: 'NAME', source: 'ner/phi-ner', score: 1 },
      { start: t.indexOf('Ohio'), end: t.indexOf('Ohio') + 4, label: 'LOCATION', source: 'ner/phi-ner', score: 0.98 },
    ];
    const merged = mergeSpans([...ner, ...detectNamesAndPlaces(t, data)], { safe: safeTermSpans(t, data) });
    expect(merged.map((s) => t.slice(s.start, s.end))).toEqual(['Okafor', 'Mary']);
  });

  it('never covers a name a cue proves: no dictionaries name span lies inside a safe span (invented notes)', () => {
    const first = fc.constantFrom('Mary', 'Okafor', 'Lindqvist', 'Priya', 'Hartman', 'Feldman');
    const cue = fc.constantFrom('Dr.', 'Wife', 'Son', 'Nurse', 'Daughter', 'called');
    const filler = fc.constantFrom('LE edema.', 'AF with RVR.', 'from Ohio.', 'Homans sign neg.', 'at bedside.', 'aware.');
    fc.assert(
      fc.property(fc.array(fc.tuple(cue, first, filler), { minLength: 1, maxLength: 5 }), (parts) => {
        const t = parts.map((p) => p.join(' ')).join(' ');
        const names = detectNamesAndPlaces(t, data).filter((s) => s.label === 'NAME');
        const safe = safeTermSpans(t, data);
        for (const n of names) expect(safe.some((g) => g.start <= n.start && n.end <= g.end)).toBe(false);
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});

describe('oneEditApart', () => {
  it('is true for exactly one substituted, inserted, dropped or swapped letter', () => {
    expect(oneEditApart('pensylvania', 'pennsylvania')).toBe(true);
    expect(oneEditApart('pennsylvannia', 'pennsylvania')).toBe(true);
    expect(oneEditApart('califronia', 'california')).toBe(true);
    expect(oneEditApart('califirnia', 'california')).toBe(true);
    expect(oneEditApart('california', 'california')).toBe(false);
    expect(oneEditApart('califrnai', 'california')).toBe(false);
  });

  it('agrees with a brute-force edit enumeration', () => {
    const word = fc.stringMatching(/^[abc]{0,6}$/);
    fc.assert(
      fc.property(word, word, (a, b) => {
        const edits = new Set<string>();
        const abc = ['a', 'b', 'c'];
        for (let i = 0; i <= a.length; i++) for (const x of abc) edits.add(a.slice(0, i) + x + a.slice(i));
        for (let i = 0; i < a.length; i++) {
          edits.add(a.slice(0, i) + a.slice(i + 1));
          for (const x of abc) edits.add(a.slice(0, i) + x + a.slice(i + 1));
          if (i + 1 < a.length) edits.add(a.slice(0, i) + a[i + 1] + a[i] + a.slice(i + 2));
        }
        edits.delete(a);
        expect(oneEditApart(a, b)).toBe(edits.has(b));
      }),
      { numRuns: 500, seed: 5 },
    );
  });
});
