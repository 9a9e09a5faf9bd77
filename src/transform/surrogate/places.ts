import { faker } from '@faker-js/faker/locale/en';
import { keyedStream, normalizeForKey, type SecretKey } from '../keyed.js';
import { applyCaseOf, drawDifferent, sameIgnoringCase, scrambleChars } from './shape.js';

/**
 * LOCATION and ORGANIZATION surrogates in the shape of the original: a ZIP keeps its length,
 * a state stays a state (an abbreviation stays a 2-letter abbreviation), a country a country,
 * a street address keeps its number of digits and its suffix, a hospital or company keeps its
 * generic words ("St. Y Hospital", "X Medical Center", "Z Inc"). Proper words map one by one
 * by their normalized form, so "Holy Cross" and a separately detected "HOLY" agree.
 */

interface PlaceTables {
  readonly states: readonly string[];
  readonly stateAbbrs: readonly string[];
  readonly countries: readonly string[];
  readonly cities: readonly string[];
  readonly words: readonly string[];
  readonly stateSet: ReadonlySet<string>;
  readonly abbrSet: ReadonlySet<string>;
  readonly countrySet: ReadonlySet<string>;
  readonly citySet: ReadonlySet<string>;
  readonly streetSuffixes: ReadonlySet<string>;
  readonly jobs: readonly string[];
}

let tables: PlaceTables | undefined;

function placeTables(): PlaceTables {
  if (tables) return tables;
  const loc = faker.rawDefinitions.location ?? {};
  const person = faker.rawDefinitions.person ?? {};
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const states = list(loc.state);
  const stateAbbrs = list(loc.state_abbr);
  const countries = list(loc.country);
  const cities = list(loc.city_name);
  const lastRaw = person.last_name as { generic?: string[] } | string[] | undefined;
  const last = Array.isArray(lastRaw) ? lastRaw : (lastRaw?.generic ?? []);
  const words = [...new Set([...cities.filter((c) => /^[A-Z][a-z]+$/u.test(c)), ...last.filter((n) => /^[A-Z][a-z]+$/u.test(n))])];
  if (states.length === 0 || countries.length === 0 || words.length === 0) {
    throw new Error('E103 faker locale data has no places: cannot build location surrogates');
  }
  const suffixes = list(loc.street_suffix).map((s) => s.toLowerCase());
  tables = {
    states,
    stateAbbrs,
    countries,
    cities,
    words,
    stateSet: new Set(states.map((s) => s.toLowerCase())),
    abbrSet: new Set(stateAbbrs.map((s) => s.toLowerCase())),
    countrySet: new Set(countries.map((s) => s.toLowerCase())),
    citySet: new Set(cities.map((s) => s.toLowerCase())),
    streetSuffixes: new Set([...suffixes, 'st', 'ave', 'rd', 'blvd', 'dr', 'ln', 'ct', 'pl', 'hwy', 'pkwy', 'sq', 'ter', 'cir']),
    jobs: list(person.job_type),
  };
  return tables;
}

/** Words that name the kind of place, not the place: kept so the shape survives. */
const GENERIC_WORDS = new Set(
  (
    'hospital hospitals medical center centre clinic clinics memorial general health healthcare university ' +
    'regional community children childrens saint st st. of the and & at for institute rehabilitation rehab ' +
    'nursing home care hospice infirmary county city state north south east west new lake mount mt port fort ' +
    'valley heights park unit ward floor room bldg building suite apt apartment road street avenue ' +
    'inc inc. llc ltd corp corporation co company group associates partners pharmaceuticals pharmacy labs ' +
    'laboratories services systems foundation school college'
  ).split(' '),
);

export interface PlaceOptions {
  /** 'surrogate': keyed digits of the same length; 'zip3': Safe Harbor truncation. */
  readonly zip: 'surrogate' | 'zip3';
  /** 3-digit ZIP prefixes with ≤ 20,000 people (assets/safe-harbor/zip3-restricted.yaml). */
  readonly restrictedZip3: ReadonlySet<string>;
}

const ZIP = /^(\d{5})(?:([-\s]?)(\d{4}))?$/u;

/** ZIP codes: same length and separators; or Safe Harbor's first 3 digits + zeros (000 if sparse). */
export function zipSurrogate(key: SecretKey, scope: string, original: string, options: PlaceOptions): string | undefined {
  const m = ZIP.exec(original.trim());
  if (!m) return undefined;
  if (options.zip === 'zip3') {
    const prefix = options.restrictedZip3.has(m[1]!.slice(0, 3)) ? '000' : m[1]!.slice(0, 3);
    return original.replace(/\d/gu, (_digit, at: number) => (at < 3 ? prefix[at]! : '0'));
  }
  const s = keyedStream(key, 'place/zip', scope, original.replace(/\D/gu, ''));
  return drawDifferent(original, () => scrambleChars(original, s));
}

export function looksLikeZip(text: string): boolean {
  return ZIP.test(text.trim());
}

function pickFrom(key: SecretKey, scope: string, purpose: string, original: string, pool: readonly string[]): string | undefined {
  const s = keyedStream(key, purpose, scope, normalizeForKey(original));
  const picked = drawDifferent(original, () => s.pick(pool));
  return picked === undefined ? undefined : applyCaseOf(original, picked);
}

/** One proper word of a place or organization name. */
function placeWord(key: SecretKey, scope: string, word: string): string {
  // Words without a vowel (QWMC, QGH) are acronyms: keep them acronyms of the same length.
  // The test ignores case so "HOLY", "Holy" and "holy" always take the same path.
  if (/^\p{L}+$/u.test(word) && (word.length <= 2 || !/[aeiouy]/iu.test(word))) {
    const s = keyedStream(key, 'place/acronym', scope, word.toLowerCase());
    return drawDifferent(word, () => scrambleChars(word, s)) ?? word.replace(/[A-Z]/gu, (c) => (c === 'Z' ? 'A' : String.fromCharCode(c.charCodeAt(0) + 1)));
  }
  if (/^\d+$/u.test(word)) {
    const s = keyedStream(key, 'place/number', scope, word);
    return drawDifferent(word, () => scrambleChars(word, s)) ?? word.replace(/\d/gu, (d) => String((Number(d) + 1) % 10));
  }
  const possessive = /^(.+?)(['’]s)$/u.exec(word);
  if (possessive) return placeWord(key, scope, possessive[1]!) + possessive[2]!;
  return pickFrom(key, scope, 'place/word', word, placeTables().words) ?? scrambleChars(word, keyedStream(key, 'place/word-x', scope, word));
}

const WORD = /[\p{L}\p{M}][\p{L}\p{M}'’.]*|\d+/gu;

/**
 * Maps proper words, keeps generic ones; if nothing would change, maps every word. Street
 * suffixes (Shore, Crossing, Pike) count as generic only in a street address: in a region's
 * name ("Western Shore") the landform word is part of the name.
 */
function wordwise(key: SecretKey, scope: string, original: string, keepGeneric: boolean, street = false): string {
  let out = '';
  let cursor = 0;
  for (const m of original.matchAll(WORD)) {
    let word = m[0];
    let trail = '';
    // A trailing period belongs to the sentence unless the word is an abbreviation (St.).
    if (word.endsWith('.') && !GENERIC_WORDS.has(word.toLowerCase())) {
      trail = '.';
      word = word.slice(0, -1);
    }
    out += original.slice(cursor, m.index!);
    cursor = m.index! + m[0].length;
    const generic = GENERIC_WORDS.has(word.toLowerCase()) || (street && placeTables().streetSuffixes.has(word.toLowerCase().replace(/\.$/u, '')));
    out += (keepGeneric && generic ? word : placeWord(key, scope, word.replace(/\.$/u, '')) + (word.endsWith('.') ? '.' : '')) + trail;
  }
  return out + original.slice(cursor);
}

/** True for a US state name or abbreviation, or a country name (Safe Harbor may keep these). */
export function isStateOrCountry(text: string): boolean {
  const t = placeTables();
  const trimmed = text.trim();
  const norm = normalizeForKey(trimmed);
  return (t.abbrSet.has(norm) && /^[A-Z]{2}$/u.test(trimmed)) || t.stateSet.has(norm) || t.countrySet.has(norm);
}

/** LOCATION: ZIP, state, country, city, street address, hospital, or any other place. */
export function locationSurrogate(key: SecretKey, scope: string, original: string, options: PlaceOptions, subtype?: string): string {
  const t = placeTables();
  const trimmed = original.trim();
  const norm = normalizeForKey(trimmed);
  const sub = subtype?.toUpperCase();
  if (sub === 'ZIP' || looksLikeZip(trimmed)) {
    const zip = zipSurrogate(key, scope, original, options);
    if (zip !== undefined) return zip;
  }
  const whole = (pool: readonly string[], purpose: string): string | undefined => {
    const r = pickFrom(key, scope, purpose, trimmed, pool);
    return r === undefined ? undefined : original.replace(trimmed, r);
  };
  if (t.abbrSet.has(norm) && trimmed.length === 2) return whole(t.stateAbbrs, 'place/state-abbr') ?? wordwise(key, scope, original, false);
  if (t.stateSet.has(norm)) return whole(t.states, 'place/state') ?? wordwise(key, scope, original, false);
  if (t.countrySet.has(norm)) return whole(t.countries, 'place/country') ?? wordwise(key, scope, original, false);
  if (t.citySet.has(norm)) return whole(t.cities, 'place/city') ?? wordwise(key, scope, original, false);
  const kept = wordwise(key, scope, original, true, sub === 'STREET' || /^\s*\d/u.test(original));
  return sameIgnoringCase(kept, original) ? wordwise(key, scope, original, false) : kept;
}

/** ORGANIZATION (hospital, company): generic words stay, proper words map. */
export function organizationSurrogate(key: SecretKey, scope: string, original: string): string {
  const kept = wordwise(key, scope, original, true);
  return sameIgnoringCase(kept, original) ? wordwise(key, scope, original, false) : kept;
}

/** PROFESSION: another job type from the locale data, same capitalization. */
export function professionSurrogate(key: SecretKey, scope: string, original: string): string {
  const jobs = placeTables().jobs;
  return (jobs.length > 0 ? pickFrom(key, scope, 'profession', original.trim(), jobs) : undefined) ?? wordwise(key, scope, original, false);
}
