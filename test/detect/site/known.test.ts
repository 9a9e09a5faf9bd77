import { describe, expect, it } from 'vitest';
import { dateForms, knownSpans, readKnown } from '../../../src/detect/site/known.js';

// Invented identifiers.
const found = (text: string, known: Parameters<typeof knownSpans>[1]): string[] => knownSpans(text, known).map((s) => `${s.label}/${s.subtype}:${text.slice(s.start, s.end)}`);

describe('readKnown', () => {
  it('maps the usual keys to labels, lists and single values alike', () => {
    const r = readKnown({ names: ['Ysolde Parrin'], MRN: 4410023, dob: '1961-07-02', relatives: 'Cato Parrin', phone: ['(555) 013-2290'], address: '9 Wren Row, Lowmoor', LOCATION: 'Lowmoor' });
    expect(r).toEqual({
      ok: true,
      known: {
        NAME: ['Ysolde Parrin', { value: 'Cato Parrin', subtype: 'RELATIVE' }].map((v) => (typeof v === 'string' ? { value: v, subtype: 'PATIENT' } : v)),
        ID: [{ value: '4410023', subtype: 'MRN' }],
        DATE: [{ value: '1961-07-02', subtype: 'DATE' }],
        CONTACT: [{ value: '(555) 013-2290', subtype: 'PHONE' }],
        LOCATION: [{ value: '9 Wren Row, Lowmoor', subtype: 'LOCATION' }, 'Lowmoor'],
      },
    });
  });

  it.each([
    [['a list'], 'is not an object of key: value(s)'],
    ['text', 'is not an object of key: value(s)'],
    [{ colour: 'x' }, 'has an unknown key (not repeated: it could be PHI)'],
    [{ Quennell: 'x' }, 'has an unknown key (not repeated: it could be PHI)'], // a surname used as a key
    [{ nmes: ['x'] }, 'has an unknown key (did you mean "names"?)'],
    [{ 'x y!': 'v' }, 'has an unknown key (not repeated: it could be PHI)'],
    [{ names: [{ deep: 1 }] }, 'key "names" holds something other than strings or numbers'],
  ])('%j is refused without quoting a value', (value, reason) => {
    expect(readKnown(value)).toEqual({ ok: false, reason });
  });

  it('null and absent mean nothing known', () => {
    expect(readKnown(null)).toEqual({ ok: true, known: {} });
  });
});

describe('knownSpans', () => {
  it.each([
    ['Ysolde seen; Parrin stable; Y. Parrin; PARRIN', { NAME: ['Ysolde Parrin'] }, ['NAME/PATIENT:Ysolde', 'NAME/PATIENT:Parrin', 'NAME/PATIENT:Y. Parrin', 'NAME/PATIENT:Parrin', 'NAME/PATIENT:PARRIN']],
    ['MRN 441-0023 and 4410023', { ID: ['4410023'] }, ['ID/ID:441-0023', 'ID/ID:4410023']],
    ['call (555) 013 2290', { CONTACT: ['555-013-2290'] }, ['CONTACT/PHONE:(555) 013 2290']],
    ['dob 7/2/1961, born July 2nd, 1961', { DATE: ['1961-07-02'] }, ['DATE/DATE:7/2/1961', 'DATE/DATE:July 2nd, 1961']],
    ['lives at 9 Wren Row in Lowmoor', { LOCATION: ['9 Wren Row, Lowmoor'] }, ['LOCATION/LOCATION:9 Wren Row', 'LOCATION/LOCATION:Lowmoor']],
    ['mail ysolde.p@example.org', { CONTACT: ['ysolde.p@example.org'] }, ['CONTACT/PHONE:ysolde.p@example.org']],
  ])('%j', (text, known, want) => {
    expect(found(text, known).sort()).toEqual([...want].sort());
  });

  it.each([
    ['MRN 44100231 is another patient', { ID: ['4410023'] }], // inside a longer number
    ['lower-case parrin is a word here', { NAME: ['Ysolde Parrin'] }], // a name alone in lower case
    ['dose 7/21', { DATE: ['1961-07-02'] }],
    ['id 12', { ID: ['12'] }], // too short to be an identifier on its own
  ])('%j finds nothing', (text, known) => {
    expect(found(text, known)).toEqual([]);
  });

  it('dateForms reads ISO and US dates, refuses nonsense', () => {
    expect(dateForms('1961-07-02')).toContain('07/02/61');
    expect(dateForms('7/2/61')).toContain('1961-07-02');
    expect(dateForms('1961-13-02')).toBeUndefined();
    expect(dateForms('yesterday')).toBeUndefined();
  });
});
