import { beforeAll, describe, expect, it } from 'vitest';
import { plainWordSet, plainWordTest, type DictionaryData } from '../../src/lexicon/index.js';
import { dictionaryData } from '../detect/dictionaries/helpers.js';

describe('plainWordSet: words the NER plain-word check treats as never a name or place alone', () => {
  let data: DictionaryData;
  let plain: ReadonlySet<string>;
  beforeAll(async () => {
    data = await dictionaryData();
    plain = plainWordSet(data);
  });

  it('holds medical terms, drug brands, ordinary words and the cue file\'s clinical words', () => {
    for (const w of ['elbow', 'azithromycin', 'fentanyl', 'zestril', 'kefzol', 'hespan', 'period']) expect(plain.has(w), w).toBe(true);
    for (const w of data.nameCues.notNames) expect(plain.has(w), w).toBe(true);
  });

  it('never holds a word a name list holds, unless the cue file says it is not a name', () => {
    for (const w of ['frank', 'linda', 'hartman', 'okafor', 'will', 'may']) {
      if (!data.nameCues.notNames.has(w)) expect(plain.has(w), w).toBe(false);
    }
    const leaked = [...plain].filter((w) => data.names.has(w) && !data.nameCues.notNames.has(w) && !data.medicalWords.has(w));
    expect(leaked).toEqual([]);
  });

  it('plainWordTest adds the typing slips of plain words of five or more letters, never of a listed name or place', () => {
    const test = plainWordTest(data, plain);
    for (const w of ['reveiw', 'cehmistry', 'priamry', 'lassix', 'elbow', 'period']) expect(test.has(w), w).toBe(true);
    // too short to judge, a listed surname, a changed letter
    for (const w of ['apin', 'lgeg', 'hartman', 'okafor', 'canvan']) expect(test.has(w), w).toBe(false);
    const names = [...data.names].filter((w) => w.length >= 5 && !plain.has(w)).slice(0, 2000);
    expect(names.filter((w) => test.has(w))).toEqual([]);
  });
});
