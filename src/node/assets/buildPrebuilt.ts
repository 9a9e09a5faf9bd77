import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { listPlainWords, packWords, type PackedWords } from '../../lexicon/index.js';
import { rulePackFromDocument } from '../../detect/rules/pack.js';
import { ASSETS_DIR, BUNDLED_RULES_DIR } from '../paths.js';
import { encodeLexicon, GENERATED_DIR, SET_NAMES, textKey, type CheckedRulePack, type PrebuiltAssetsJson } from './lexiconFile.js';
import { buildWordLists, wordListSourcesFingerprint, type WordLists } from './wordLists.js';

/**
 * The build step behind dist/generated/ (src/node/assets/lexiconFile.ts says what the files
 * hold): run by scripts/build-lexicon.mjs from `npm run build` and `prepare`.
 */

/** Packs built word lists with their precomputed plain words. */
export function packWordLists(lists: WordLists): PackedWords {
  const plain = listPlainWords(lists);
  return packWords(new Map(SET_NAMES.map((name) => [name, name === 'plain' ? plain : lists[name]])));
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/i.test(e.name) ? [join(dir, e.name)] : [],
  );
}

function survivesJson(value: unknown): boolean {
  return value !== undefined && isDeepStrictEqual(JSON.parse(JSON.stringify(value)), value);
}

/**
 * Every bundled YAML file parsed, by the sha256 of its text; only documents that survive JSON
 * unchanged (no dates, no special numbers). The bundled rule packs (`rulesDir`) are also checked
 * here, as the loader would check them (schema, defaults, regexes, backtracking), so that a start
 * need not: a pack that fails its check has no checked entry, and the loader reports it.
 */
export function buildAssets(dir: string = ASSETS_DIR, rulesDir: string = BUNDLED_RULES_DIR): PrebuiltAssetsJson {
  const yaml: Record<string, unknown> = {};
  const rulePacks: Record<string, CheckedRulePack> = {};
  for (const file of yamlFiles(dir).sort()) {
    const text = readFileSync(file, 'utf8');
    let doc: unknown;
    try {
      doc = parseYaml(text, { prettyErrors: false, maxAliasCount: 100 });
    } catch {
      continue; // not ours to fix here: the loader parses it and reports it with its code
    }
    if (!survivesJson(doc)) continue;
    yaml[textKey(text)] = doc;
    if (dirname(file) === rulesDir) {
      const checked = checkedRulePack(doc);
      if (checked !== undefined && survivesJson(checked)) rulePacks[textKey(text)] = checked;
    }
  }
  return { yaml, rulePacks };
}

/** The pack as the loader checks it, less its file name; undefined when the check fails. */
function checkedRulePack(doc: unknown): CheckedRulePack | undefined {
  try {
    const { fileName: _name, ...checked } = rulePackFromDocument(doc, 'bundled pack');
    return checked;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, bytes: Buffer | string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

/** Builds both files from source (the build step). Returns their paths and sizes. */
export async function writePrebuilt(dir: string = GENERATED_DIR): Promise<{ file: string; bytes: number }[]> {
  const lexicon = encodeLexicon(packWordLists(await buildWordLists()), wordListSourcesFingerprint());
  const assetsJson = JSON.stringify(buildAssets());
  const files = [
    { file: join(dir, 'lexicon.bin'), data: lexicon },
    { file: join(dir, 'assets.json'), data: assetsJson },
  ];
  for (const f of files) writeAtomically(f.file, f.data);
  return files.map((f) => ({ file: f.file, bytes: Buffer.byteLength(f.data) }));
}
