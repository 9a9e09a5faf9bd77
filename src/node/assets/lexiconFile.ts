import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join, relative } from 'node:path';
import { PackedTable, PackedWordSet, rememberPlainWords, type DictionaryData, type PackedWords } from '../../lexicon/index.js';
import type { RulePack } from '../../detect/rules/pack.js';
import { PACKAGE_ROOT } from '../paths.js';

/**
 * The word lists and the bundled YAML assets, built once at build time (`npm run build`,
 * `prepare`: scripts/build-lexicon.mjs) into dist/generated/, so that a start reads them in
 * milliseconds instead of building them (1–2 s per process and pool worker).
 *
 *   lexicon.bin   the package word lists packed into one hash table (src/lexicon/packedWords.ts),
 *                 stamped with the fingerprint of their sources: the word-list packages'
 *                 versions, the recipe (locales, SCOWL levels) and this file's format
 *   assets.json   the bundled YAML files (rule packs, cue files) already parsed, by the sha256 of
 *                 their text: a file is used only when its text is byte for byte the one parsed;
 *                 the bundled rule packs also as checked at build time (`prebuiltRulePack`)
 *
 * A missing, unreadable or stale file is no error: the caller builds from source, as before the
 * file existed (correct, slower), and the CLI says so once (`prebuiltStatus`).
 */

/** Bumped whenever the packed layout or what is packed changes. */
export const LEXICON_FORMAT = 1;
const MAGIC = 'PHIRLEX1';

export const GENERATED_DIR = join(PACKAGE_ROOT, 'dist', 'generated');
export const LEXICON_FILE = join(GENERATED_DIR, 'lexicon.bin');
export const ASSETS_FILE = join(GENERATED_DIR, 'assets.json');

/** The sets a lexicon file holds, in bit order; `plain` is `listPlainWords` (the cue file's notNames are added at load). */
export const SET_NAMES = ['firstNames', 'knownNames', 'names', 'common', 'veryCommon', 'vocabulary', 'medical', 'medicalWords', 'countries', 'cities', 'plain'] as const;

interface Header {
  readonly format: number;
  readonly fingerprint: string;
  readonly endianness: string;
  readonly setNames: readonly string[];
  readonly words: number;
  readonly slots: number;
  readonly textBytes: number;
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The file's bytes: magic, header length, JSON header, then starts, slots, masks and the words' UTF-8, each 4-byte aligned. */
export function encodeLexicon(packed: PackedWords, fingerprint: string): Buffer {
  const text = Buffer.from(packed.text, 'utf8');
  const header: Header = {
    format: LEXICON_FORMAT,
    fingerprint,
    endianness: endianness(),
    setNames: packed.setNames,
    words: packed.masks.length,
    slots: packed.slots.length,
    textBytes: text.length,
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const body = align(12 + head.length, 4);
  const parts = [packed.starts, packed.slots, packed.masks].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const out = Buffer.alloc(body + parts.reduce((n, p) => n + align(p.length, 4), 0) + text.length);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(head.length, 8);
  head.copy(out, 12);
  let at = body;
  for (const p of parts) {
    p.copy(out, at);
    at += align(p.length, 4);
  }
  text.copy(out, at);
  return out;
}

/** Reads `encodeLexicon`'s bytes back (the arrays are views into `bytes`), or says why it cannot. */
export function decodeLexicon(bytes: Buffer): { packed: PackedWords; fingerprint: string } | { problem: string } {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) return { problem: 'not a lexicon file' };
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + bytes.readUInt32LE(8))) as Header;
  } catch {
    return { problem: 'unreadable header' };
  }
  if (header.format !== LEXICON_FORMAT) return { problem: `format ${header.format}, expected ${LEXICON_FORMAT}` };
  if (header.endianness !== endianness()) return { problem: 'written on a machine of other byte order' };
  // Typed arrays need aligned offsets: copy the rare buffer that does not start on one.
  const buf = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  let at = align(12 + buf.readUInt32LE(8), 4);
  const take = <T>(make: (b: ArrayBufferLike, offset: number, n: number) => T, n: number, size: number): T => {
    const view = make(buf.buffer, buf.byteOffset + at, n);
    at += align(n * size, 4);
    return view;
  };
  const starts = take((b, o, n) => new Uint32Array(b, o, n), header.words + 1, 4);
  const slots = take((b, o, n) => new Uint32Array(b, o, n), header.slots, 4);
  const masks = take((b, o, n) => new Uint16Array(b, o, n), header.words, 2);
  if (at + header.textBytes !== buf.length) return { problem: 'truncated' };
  const text = buf.toString('utf8', at, at + header.textBytes);
  if (text.length !== starts[header.words]) return { problem: 'truncated' };
  return { packed: { setNames: header.setNames, text, starts, masks, slots }, fingerprint: header.fingerprint };
}

/**
 * The dictionary data over a packed table: every list a packed set; the plain words (the lists'
 * plus the cue file's notNames) handed to the lexicon so that they are not rebuilt.
 */
export function dictionaryDataFromPacked(packed: PackedWords, cues: Pick<DictionaryData, 'nameCues' | 'placeCues'>): DictionaryData {
  const table = new PackedTable(packed);
  const set = (name: (typeof SET_NAMES)[number], extra?: ReadonlySet<string>): PackedWordSet => new PackedWordSet(table, name, extra);
  const data: DictionaryData = {
    firstNames: set('firstNames'),
    knownNames: set('knownNames'),
    names: set('names'),
    common: set('common'),
    veryCommon: set('veryCommon'),
    vocabulary: set('vocabulary'),
    medical: set('medical'),
    medicalWords: set('medicalWords'),
    countries: set('countries'),
    cities: set('cities'),
    nameCues: cues.nameCues,
    placeCues: cues.placeCues,
  };
  rememberPlainWords(data, set('plain', cues.nameCues.notNames));
  return data;
}

export type PrebuiltStatus = { readonly fresh: true; readonly packed: PackedWords } | { readonly fresh: false; readonly reason: string };

const statusByFile = new Map<string, PrebuiltStatus>();

/** The packed word lists of `file` when its stamp is `fingerprint` (the installed sources'); read once per file and process (thread). */
export function prebuiltLexicon(fingerprint: string, file: string = LEXICON_FILE): PrebuiltStatus {
  if (prebuiltOff()) return { fresh: false, reason: `${PREBUILT_ENV}=off` };
  const key = `${file}\n${fingerprint}`;
  let status = statusByFile.get(key);
  if (status === undefined) {
    status = readPrebuilt(file, fingerprint);
    statusByFile.set(key, status);
  }
  return status;
}

/** `PHI_REDACT_PREBUILT=off` ignores dist/generated/ (benchmarks measure the from-source start beside it). */
export const PREBUILT_ENV = 'PHI_REDACT_PREBUILT';

function prebuiltOff(): boolean {
  return process.env[PREBUILT_ENV] === 'off';
}

function readPrebuilt(file: string, fingerprint: string): PrebuiltStatus {
  const name = relative(PACKAGE_ROOT, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { fresh: false, reason: `${name} is missing (npm run build writes it)` };
  }
  const decoded = decodeLexicon(bytes);
  if ('problem' in decoded) return { fresh: false, reason: `${name}: ${decoded.problem}` };
  if (decoded.fingerprint !== fingerprint) return { fresh: false, reason: `${name} was built from other word-list packages than those installed` };
  return { fresh: true, packed: decoded.packed };
}

/** sha256 of a text, the key of assets.json. */
export function textKey(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A rule pack as `rulePackFromDocument` returns it, less the file name (the loader adds it). */
export type CheckedRulePack = Omit<RulePack, 'fileName'>;

/** assets.json: YAML documents and checked rule packs, each by the sha256 of its file's text. */
export interface PrebuiltAssetsJson {
  readonly yaml: Readonly<Record<string, unknown>>;
  readonly rulePacks: Readonly<Record<string, CheckedRulePack>>;
}

interface PrebuiltAssets {
  readonly yaml: ReadonlyMap<string, unknown>;
  readonly rulePacks: ReadonlyMap<string, CheckedRulePack>;
}

const NO_ASSETS: PrebuiltAssets = { yaml: new Map(), rulePacks: new Map() };
let assets: PrebuiltAssets | undefined;

function readAssets(): PrebuiltAssets {
  if (prebuiltOff()) return NO_ASSETS;
  try {
    const json = JSON.parse(readFileSync(ASSETS_FILE, 'utf8')) as Partial<PrebuiltAssetsJson>;
    return { yaml: new Map(Object.entries(json.yaml ?? {})), rulePacks: new Map(Object.entries(json.rulePacks ?? {})) };
  } catch {
    return NO_ASSETS; // no file (a source checkout before its build): every text is parsed from YAML
  }
}

/** The prebuilt parse of a bundled YAML text, or undefined (not bundled, edited, or no assets.json): parse it yourself. */
export function prebuiltYaml(text: string): unknown {
  assets ??= readAssets();
  return assets.yaml.size === 0 ? undefined : assets.yaml.get(textKey(text));
}

/**
 * The bundled rule pack of this exact text as checked at build time, named `fileName`, or
 * undefined (not bundled, edited, failed its check, or no assets.json): check it yourself.
 * A copy, as a fresh check would give: callers own what they load.
 */
export function prebuiltRulePack(text: string, fileName: string): RulePack | undefined {
  assets ??= readAssets();
  const checked = assets.rulePacks.size === 0 ? undefined : assets.rulePacks.get(textKey(text));
  if (checked === undefined) return undefined;
  const { pack, version, description, rules } = structuredClone(checked);
  return { pack, version, description, fileName, rules };
}
