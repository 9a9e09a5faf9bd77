import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { caseMode, DictionaryDataError, parseNameCues, parsePlaceCues, toPhrase, wordTokens } from '../../src/detect/dictionaries/index.js';
import { buildDictionaries, bundledDictionaryDir } from '../../src/node/assets/wordLists.js';

describe('dictionaries: cue files', () => {
  it('parses the bundled cue files into lowercase word sets and longest-first phrases', () => {
    const names = parseNameCues(parseYaml(readFileSync(join(bundledDictionaryDir(), 'names.yaml'), 'utf8')));
    const places = parsePlaceCues(parseYaml(readFileSync(join(bundledDictionaryDir(), 'places.yaml'), 'utf8')));
    expect(names.titles.has('dr')).toBe(true);
    expect(names.roleWords.has('wife')).toBe(true);
    expect(names.roleWords.has('spoke')).toBe(false); // only one-word cues are role words
    const lengths = names.clinicianRoles.map((p) => p.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    expect(places.facilityHeads.some((p) => p.join(' ') === 'nursing home')).toBe(true);
    for (const set of [names.titles, names.stopWords, names.notNames, places.notPlaces, places.usStateCodes]) {
      for (const w of set) expect(w).toBe(w.toLowerCase());
    }
  });

  it.each([
    ['"spoke w/"', 'spoke w/', ['spoke', 'w']],
    ['"d/c to"', 'd/c to', ['d', 'c', 'to']],
    ['hyphenated', 'pa-c', ['pa-c']],
    ['capitals', 'Seen By', ['seen', 'by']],
  ])('splits %s into the tokens the detector sees', (_name, cue, expected) => {
    expect(toPhrase(cue)).toEqual(expected);
  });

  it.each([
    ['missing titles', { roles: { relative: [], clinician: [] } }, 'titles'],
    ['a number in a list', { titles: ['dr'], roles: { relative: [3], clinician: [] } }, 'roles.relative.0'],
    ['an unknown field', { titles: ['dr'], roles: { relative: [], clinician: [] }, titels: [] }, '(root)'],
  ])('rejects %s with E026 naming the file and field', (_name, raw, path) => {
    expect(() => parseNameCues(raw, 'names.yaml')).toThrow(DictionaryDataError);
    expect(() => parseNameCues(raw, 'names.yaml')).toThrow(new RegExp(`^E026 names\\.yaml: invalid value at ${path.replace(/[.()]/g, '\\$&')}`));
  });

  it('fingerprints the cue files: an edited cue file changes it, the same content does not', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'dict-cues-'));
    const names = readFileSync(join(bundledDictionaryDir(), 'names.yaml'), 'utf8');
    writeFileSync(join(copy, 'names.yaml'), names);
    writeFileSync(join(copy, 'places.yaml'), readFileSync(join(bundledDictionaryDir(), 'places.yaml'), 'utf8'));
    const bundled = await buildDictionaries();
    const same = await buildDictionaries(copy);
    expect(same.fingerprint).toBe(bundled.fingerprint);
    writeFileSync(join(copy, 'names.yaml'), names.replace('titles: [dr,', 'titles: [dr, sister,'));
    const edited = await buildDictionaries(copy);
    expect(edited.fingerprint).not.toBe(bundled.fingerprint);
    expect(edited.data.nameCues.titles.has('sister')).toBe(true);
  });

  it('fails closed when a cue file is missing (E027) or is not YAML (E026)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dict-cues-'));
    await expect(buildDictionaries(dir)).rejects.toThrow(/^E027 cannot read cue file/);
    writeFileSync(join(dir, 'names.yaml'), 'titles: [dr\n');
    await expect(buildDictionaries(dir)).rejects.toThrow(/^E026 .*names\.yaml: not valid YAML/);
  });
});

describe('dictionaries: word tokens and case style', () => {
  it('keeps offsets into the note, strips a possessive from the key, keeps hyphens and apostrophes', () => {
    const text = "Dr. O'Brien-Smith's note; St. Mary's.";
    const tokens = wordTokens(text);
    for (const t of tokens) expect(text.slice(t.start, t.end)).toBe(t.text);
    expect(tokens.map((t) => t.key)).toEqual(['dr', "o'brien-smith", 'note', 'st', 'mary']);
    expect(tokens.map((t) => t.shape)).toEqual(['cap', 'cap', 'lower', 'cap', 'cap']);
  });

  it.each([
    ['PT RESTING IN BED. DR SMITH AWARE.', 'upper'],
    ['pt resting in bed. dr smith aware. hr 80s.', 'lower'],
    ['Pt resting in bed. Dr. Smith aware, HR 80s.', 'mixed'],
    ['', 'mixed'],
  ])('reads %j as %s', (text, mode) => {
    expect(caseMode(wordTokens(text))).toBe(mode);
  });
});
