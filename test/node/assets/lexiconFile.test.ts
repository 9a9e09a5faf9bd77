import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainWordSet, plainWordTest, wordLexicon } from '../../../src/lexicon/index.js';
import { parseRulePack, rulePackFromDocument } from '../../../src/detect/rules/pack.js';
import { buildAssets, packWordLists } from '../../../src/node/assets/buildPrebuilt.js';
import { decodeLexicon, encodeLexicon, LEXICON_FILE, prebuiltLexicon, textKey } from '../../../src/node/assets/lexiconFile.js';
import {
  buildDictionaries,
  bundledDictionaryDir,
  dictionaryFingerprint,
  loadDictionariesFrom,
  prebuiltWordLists,
  wordListSourcesFingerprint,
  wordListVersions,
  type BuiltDictionaries,
} from '../../../src/node/assets/wordLists.js';
import { ASSETS_DIR, BUNDLED_RULES_DIR } from '../../../src/node/paths.js';

// The prebuilt word lists must give exactly what building them from the packages gives; a file
// that does not match the installed sources must never be used.
const LISTS = ['firstNames', 'knownNames', 'names', 'common', 'veryCommon', 'vocabulary', 'medical', 'medicalWords', 'countries', 'cities'] as const;

let dir: string;
let fromSource: BuiltDictionaries;
let fromFile: BuiltDictionaries;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phi-lexicon-'));
  fromSource = await buildDictionaries();
  file = join(dir, 'lexicon.bin');
  writeFileSync(file, encodeLexicon(packWordLists(fromSource.data), wordListSourcesFingerprint()));
  fromFile = await loadDictionariesFrom(bundledDictionaryDir(), file);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lexicon file: the packed lists are the lists built from source', () => {
  it('was read from the file (not rebuilt), with the same run fingerprint', () => {
    expect(prebuiltLexicon(wordListSourcesFingerprint(), file).fresh).toBe(true);
    expect(fromFile.data.names).not.toBe(fromSource.data.names);
    expect(fromFile.data.names.constructor.name).toBe('PackedWordSet');
    expect(fromFile.fingerprint).toBe(fromSource.fingerprint);
  });

  it.each(LISTS)('%s: same size and every word of the source set', (name) => {
    const packed = fromFile.data[name];
    const source = fromSource.data[name];
    expect(packed.size).toBe(source.size);
    const missing = [...source].filter((w) => !packed.has(w));
    expect(missing).toEqual([]);
  });

  it('random words and every listed word get the same answer from every list, the plain-word test and the word class', () => {
    const a = fromSource.data;
    const b = fromFile.data;
    const classesA = wordLexicon(a, plainWordTest(a));
    const classesB = wordLexicon(b, plainWordTest(b));
    const same = (w: string): void => {
      for (const name of LISTS) expect(b[name].has(w), `${name} ${w}`).toBe(a[name].has(w));
      expect(plainWordSet(b).has(w), w).toBe(plainWordSet(a).has(w));
      expect(classesB.classOf(w), w).toBe(classesA.classOf(w));
    };
    const anyWord = fc.oneof(
      fc.string({ maxLength: 14 }),
      fc.constantFrom(...[...a.names].slice(0, 5000), ...[...a.cities].slice(0, 2000), ...[...a.medical].slice(0, 2000)),
      fc.constantFrom(...[...a.vocabulary].slice(0, 5000)).map((w) => `${w}s`),
    );
    fc.assert(fc.property(anyWord, (w) => same(w)), { numRuns: 2000 });
    // Every word of every source list, by plain-word status and class (the NER's input).
    const all = new Set<string>();
    for (const name of LISTS) for (const w of a[name]) all.add(w);
    let differ = 0;
    for (const w of all) if (plainWordSet(b).has(w) !== plainWordSet(a).has(w) || classesB.classOf(w) !== classesA.classOf(w)) differ++;
    expect(differ).toBe(0);
    expect(plainWordSet(b).size).toBe(plainWordSet(a).size);
  });

  it('encode then decode gives the same table', () => {
    const packed = packWordLists(fromSource.data);
    const decoded = decodeLexicon(encodeLexicon(packed, 'f'.repeat(64)));
    if ('problem' in decoded) throw new Error(decoded.problem);
    expect(decoded.fingerprint).toBe('f'.repeat(64));
    expect(decoded.packed.text).toBe(packed.text);
    expect(decoded.packed.setNames).toEqual(packed.setNames);
    // Byte comparison: toEqual walks a million-slot array element by element.
    const bytes = (a: Uint32Array | Uint16Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const k of ['starts', 'masks', 'slots'] as const) expect(bytes(decoded.packed[k]).equals(bytes(packed[k])), k).toBe(true);
  });
});

describe('lexicon file: a file that does not match is not used', () => {
  it.each([
    ['stamped by other package versions', (bytes: Buffer) => encodeLexicon(decodeOk(bytes), wordListSourcesFingerprint(['humannames@0.0.1']))],
    ['truncated', (bytes: Buffer) => bytes.subarray(0, bytes.length - 100)],
    ['not a lexicon file', () => Buffer.from('hello')],
  ])('%s: the lists are built from source, the reason is given, the results are the same', async (_name, spoil) => {
    const bad = join(dir, `bad-${_name.length}.bin`);
    writeFileSync(bad, spoil(readFileSync(file)));
    const status = prebuiltLexicon(wordListSourcesFingerprint(), bad);
    expect(status.fresh).toBe(false);
    if (!status.fresh) expect(status.reason).toMatch(/other word-list packages|truncated|not a lexicon file/);
    const rebuilt = await loadDictionariesFrom(bundledDictionaryDir(), bad);
    expect(rebuilt.data.names).toBeInstanceOf(Set);
    expect(rebuilt.fingerprint).toBe(fromSource.fingerprint);
    expect(rebuilt.data.names.size).toBe(fromSource.data.names.size);
  }, 120_000);

  it('a missing file is reported as missing', () => {
    const status = prebuiltLexicon(wordListSourcesFingerprint(), join(dir, 'nowhere.bin'));
    expect(status).toEqual({ fresh: false, reason: expect.stringMatching(/is missing \(npm run build writes it\)$/) });
  });

  it('the stamp and the run fingerprint both change with a word-list package version (so --resume notices an upgrade)', () => {
    const versions = wordListVersions();
    const upgraded = versions.map((v) => (v.startsWith('humannames@') ? 'humannames@99.0.0' : v));
    expect(wordListSourcesFingerprint(upgraded)).not.toBe(wordListSourcesFingerprint(versions));
    const texts = { names: 'a', places: 'b' };
    expect(dictionaryFingerprint(upgraded, texts)).not.toBe(dictionaryFingerprint(versions, texts));
  });

  it('the shipped file (dist/generated, written by npm run build) matches the installed packages', () => {
    if (!existsSync(LEXICON_FILE)) {
      console.warn(`skipped: ${LEXICON_FILE} not built (npm run build)`);
      return;
    }
    const status = prebuiltWordLists();
    expect(status.fresh ? 'fresh' : status.reason).toBe('fresh');
  });
});

describe('prebuilt YAML (assets.json): the same packs and cues as parsing the YAML', () => {
  const { yaml: docs, rulePacks } = buildAssets();

  it('holds every bundled rule pack and cue file, and each gives the same pack as its YAML', () => {
    const packs = readdirSync(BUNDLED_RULES_DIR).filter((f) => f.endsWith('.yaml'));
    expect(packs.length).toBeGreaterThan(3);
    for (const f of packs) {
      const text = readFileSync(join(BUNDLED_RULES_DIR, f), 'utf8');
      expect(docs[textKey(text)], f).toBeDefined();
      expect(rulePackFromDocument(docs[textKey(text)], f)).toEqual(parseRulePack(text, f));
    }
    for (const f of ['names.yaml', 'places.yaml']) expect(docs[textKey(readFileSync(join(ASSETS_DIR, 'dictionaries', f), 'utf8'))], f).toBeDefined();
  });

  it('holds every bundled rule pack checked at build time, equal to checking its YAML at load', () => {
    const packs = readdirSync(BUNDLED_RULES_DIR).filter((f) => f.endsWith('.yaml'));
    expect(Object.keys(rulePacks)).toHaveLength(packs.length);
    for (const f of packs) {
      const text = readFileSync(join(BUNDLED_RULES_DIR, f), 'utf8');
      expect({ ...rulePacks[textKey(text)], fileName: f }, f).toEqual(parseRulePack(text, f));
    }
  });

  it('an edited text has no entry (it is parsed from its YAML)', () => {
    const text = readFileSync(join(BUNDLED_RULES_DIR, 'ages.yaml'), 'utf8');
    expect(docs[textKey(`${text}\n# edited\n`)]).toBeUndefined();
    expect(rulePacks[textKey(`${text}\n# edited\n`)]).toBeUndefined();
  });

  it('a bundled-looking pack that fails its check is parsed but not checked, so the loader reports it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'phi-redact-assets-'));
    try {
      const bad = 'pack: bad\ndescription: a rule without patterns or deny entries\nrules:\n  - { id: empty, label: ID, subtype: ID, notes: no patterns at all here }\n';
      writeFileSync(join(dir, 'bad.yaml'), bad);
      const built = buildAssets(dir, dir);
      expect(built.yaml[textKey(bad)]).toBeDefined();
      expect(built.rulePacks).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function decodeOk(bytes: Buffer): ReturnType<typeof packWordLists> {
  const d = decodeLexicon(bytes);
  if ('problem' in d) throw new Error(d.problem);
  return d.packed;
}

