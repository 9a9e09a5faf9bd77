import { faker } from '@faker-js/faker/locale/en';
import { keyedStream, normalizeForKey, type KeyedStream, type SecretKey } from '../keyed.js';
import { applyCaseOf, caseShape, drawDifferent, sameIgnoringCase, scrambleChars } from './shape.js';

/**
 * Person-name surrogates from @faker-js/faker's English locale *data* (the definition
 * arrays), picked by HMAC index — never faker's RNG — so a name maps to the same surrogate in
 * every process and run.
 *
 * Consistency without state: each name *token* maps by its own normalized form, whatever
 * its position, so "John Smith", "Smith", "Mr. Smith", "SMITH, JOHN" and "J. Smith" agree:
 * "smith" always gives the same surname, "john" the same first name. Initials map through a
 * keyed derangement of the alphabet, and a first name's surrogate is drawn among names that
 * start with its initial's image, so "J." becomes the initial of John's surrogate.
 */

type Sex = 'male' | 'female' | 'any';

interface NameTables {
  readonly bySex: Record<Sex, ReadonlyMap<string, readonly string[]>>;
  readonly maleSet: ReadonlySet<string>;
  readonly femaleSet: ReadonlySet<string>;
  readonly lastNames: readonly string[];
  /** Letters with first names of both sexes: the domain of the initial derangement. */
  readonly letters: readonly string[];
}

let tables: NameTables | undefined;

function groupByInitial(names: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of names) {
    const l = n[0]!.toUpperCase();
    if (!/[A-Z]/u.test(l)) continue;
    (out.get(l) ?? out.set(l, []).get(l)!).push(n);
  }
  return out;
}

function nameTables(): NameTables {
  if (tables) return tables;
  const def = faker.rawDefinitions.person;
  const first = def?.first_name as { male?: string[]; female?: string[] } | undefined;
  const male = [...new Set(first?.male ?? [])].filter((n) => /^[A-Za-z][A-Za-z'-]+$/u.test(n));
  const female = [...new Set(first?.female ?? [])].filter((n) => /^[A-Za-z][A-Za-z'-]+$/u.test(n));
  const lastRaw = def?.last_name as { generic?: string[] } | string[] | undefined;
  const last = (Array.isArray(lastRaw) ? lastRaw : (lastRaw?.generic ?? [])).filter((n) => /^[A-Za-z][A-Za-z' -]+$/u.test(n));
  if (male.length === 0 || female.length === 0 || last.length === 0) {
    throw new Error('E102 faker locale data has no person names: cannot build name surrogates');
  }
  const bySex: NameTables['bySex'] = {
    male: groupByInitial(male),
    female: groupByInitial(female),
    any: groupByInitial([...male, ...female]),
  };
  const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((l) => bySex.male.has(l) && bySex.female.has(l));
  tables = {
    bySex,
    maleSet: new Set(male.map((n) => n.toLowerCase())),
    femaleSet: new Set(female.map((n) => n.toLowerCase())),
    lastNames: last,
    letters,
  };
  return tables;
}

/** Sex as far as the first name tells it: in exactly one of faker's male/female lists. */
export function sexOfFirstName(name: string): Sex | undefined {
  const t = nameTables();
  const n = name.toLowerCase();
  const m = t.maleSet.has(n);
  const f = t.femaleSet.has(n);
  if (m && !f) return 'male';
  if (f && !m) return 'female';
  if (m && f) return 'any';
  return undefined;
}

/**
 * The scope's keyed derangement of initials: a Fisher–Yates shuffle driven by the HMAC
 * stream, then fixed points swapped away, so no letter maps to itself.
 */
function initialMap(key: SecretKey, scope: string): ReadonlyMap<string, string> {
  const { letters } = nameTables();
  const s = keyedStream(key, 'name/initials', scope);
  const perm = [...letters];
  for (let i = perm.length - 1; i > 0; i--) {
    const j = s.int(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  for (let i = 0; i < perm.length; i++) {
    if (perm[i] === letters[i]) {
      const j = (i + 1) % perm.length;
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
  }
  const map = new Map<string, string>();
  for (const [i, l] of letters.entries()) map.set(l, perm[i]!);
  // Letters outside the domain (X, Y for faker's lists, non-ASCII) map into it, never to themselves.
  for (const l of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (!map.has(l)) map.set(l, letters[keyedStream(key, 'name/initial-extra', scope, l).int(letters.length)]!);
  }
  return map;
}

const initialCache = new WeakMap<SecretKey, Map<string, ReadonlyMap<string, string>>>();

export function mapInitial(key: SecretKey, scope: string, letter: string): string {
  let perScope = initialCache.get(key);
  if (!perScope) {
    perScope = new Map();
    initialCache.set(key, perScope);
  }
  let map = perScope.get(scope);
  if (!map) {
    if (perScope.size > 10_000) perScope.clear();
    map = initialMap(key, scope);
    perScope.set(scope, map);
  }
  const up = letter.toUpperCase();
  const mapped = map.get(up) ?? nameTables().letters[keyedStream(key, 'name/initial-other', scope, up).int(nameTables().letters.length)]!;
  return letter === up ? mapped : mapped.toLowerCase();
}

function firstNameSurrogate(key: SecretKey, scope: string, token: string, sex: Sex): string {
  const t = nameTables();
  const letter = mapInitial(key, scope, token[0] ?? 'A').toUpperCase();
  const pool = t.bySex[sex].get(letter) ?? t.bySex.any.get(letter) ?? [...t.bySex.any.values()][0]!;
  const s = keyedStream(key, 'name/first', scope, normalizeForKey(token));
  return drawDifferent(token, () => s.pick(pool)) ?? scrambleChars(token, s);
}

function lastNameSurrogate(key: SecretKey, scope: string, token: string): string {
  const s = keyedStream(key, 'name/last', scope, normalizeForKey(token));
  return drawDifferent(token, () => s.pick(nameTables().lastNames)) ?? scrambleChars(token, s);
}

/** Words kept as they are (not names) when the span has other words: titles and Jr./Sr./III. */
export const KEPT_NAME_WORDS: ReadonlySet<string> = new Set(['dr', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'sr', 'sister', 'brother', 'father', 'rev', 'nurse', 'jr', 'ii', 'iii', 'iv']);
/** Credentials after a name, kept only when written in capitals (MD, RN, PhD): "do", "pa" may be names. */
const CREDENTIALS = new Set(['md', 'do', 'rn', 'np', 'pa', 'phd', 'lpn', 'pac', 'dds', 'cnm', 'crna', 'dnp']);

/**
 * The surrogate for one name token (a word without spaces; may hold an apostrophe: O'Brien).
 * Known first names keep their sex and their initial's mapping; anything else is a surname.
 */
export function nameTokenSurrogate(key: SecretKey, scope: string, token: string): string {
  const sex = sexOfFirstName(token);
  const raw = sex ? firstNameSurrogate(key, scope, token, sex) : lastNameSurrogate(key, scope, token);
  return applyCaseOf(token, raw);
}

/** Splits a name span into words and the separators between them (kept verbatim). */
const WORD = /[\p{L}\p{M}][\p{L}\p{M}'’]*|\d+/gu;

/**
 * A whole NAME span: titles and suffixes stay, possessives stay ('s), single letters are
 * initials (mapped through the scope's derangement), every other word is a name token.
 */
export function nameSurrogate(key: SecretKey, scope: string, original: string): string {
  const words = [...original.matchAll(WORD)];
  const nameWords = words.filter((m) => !isTitleOrSuffix(m[0], words.length));
  let out = '';
  let cursor = 0;
  for (const m of words) {
    const word = m[0];
    const at = m.index!;
    out += original.slice(cursor, at);
    cursor = at + word.length;
    if (nameWords.length > 0 && !nameWords.includes(m)) {
      out += word;
      continue;
    }
    out += wordSurrogate(key, scope, word);
  }
  out += original.slice(cursor);
  if (sameIgnoringCase(out, original)) {
    // Only titles, or every word mapped to itself (impossible by construction, kept as a guard).
    const s = keyedStream(key, 'name/fallback', scope, normalizeForKey(original));
    return applyCaseOf(original, drawDifferent(original, () => s.pick(nameTables().lastNames)) ?? scrambleChars(original, s));
  }
  return out;
}

function isTitleOrSuffix(word: string, wordCount: number): boolean {
  if (wordCount < 2) return false;
  const w = word.toLowerCase().replace(/['’]s$/u, '');
  return KEPT_NAME_WORDS.has(w) || (CREDENTIALS.has(w) && /^[A-Z]/u.test(word) && /[A-Z]$/u.test(word.replace(/['’]s$/u, '')));
}

function wordSurrogate(key: SecretKey, scope: string, word: string): string {
  if (/^\d+$/u.test(word)) return scrambleDigits(key, scope, word);
  const possessive = /^(.+?)(['’]s|['’])$/u.exec(word);
  if (possessive && possessive[1]!.length > 1) return wordSurrogate(key, scope, possessive[1]!) + possessive[2]!;
  if (word.length === 1) return mapInitial(key, scope, word);
  return nameTokenSurrogate(key, scope, word);
}

function scrambleDigits(key: SecretKey, scope: string, digits: string): string {
  const s = keyedStream(key, 'name/digits', scope, digits);
  return drawDifferent(digits, () => scrambleChars(digits, s)) ?? digits.replace(/\d/gu, (d) => String((Number(d) + 1) % 10));
}

/** For tests and shape checks: whether a rendered word keeps the original's case shape. */
export function sameCaseShape(a: string, b: string): boolean {
  return caseShape(a) === caseShape(b);
}

export type { KeyedStream };
