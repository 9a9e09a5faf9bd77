import { readdirSync, statSync } from 'node:fs';
import { readSmallTextFile } from '../files/smallFile.js';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { BUNDLED_RULES_DIR } from '../paths.js';
import { parseRulePack, RulePackError, rulePackFromDocument, type RulePack } from '../../detect/rules/pack.js';
import { prebuiltRulePack, prebuiltYaml } from './lexiconFile.js';

/** The bundled rule packs (`assets/rules/`). */
export function bundledRulesDir(): string {
  return BUNDLED_RULES_DIR;
}

/** Shortest honest name for messages: relative to cwd when inside it. */
function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function isPackFile(name: string): boolean {
  const ext = extname(name).toLowerCase();
  return ext === '.yaml' || ext === '.yml';
}

/**
 * Reads rule packs from files and folders (a folder contributes its `*.yaml`/`*.yml` files,
 * sorted by name, not recursive). Relative paths resolve against `baseDir` (default: cwd).
 * The bundled packs come first unless `bundled` is false (a site's packs add to them, issue 16);
 * with no paths they are all there is. Errors are coded and name the file, never note text.
 */
export function loadRulePacks(paths?: readonly string[], baseDir: string = process.cwd(), bundled = false): RulePack[] {
  const given = (paths ?? []).map((p) => resolve(baseDir, p));
  const roots = given.length === 0 || bundled ? [bundledRulesDir(), ...given.filter((p) => p !== bundledRulesDir())] : given;
  const files: string[] = [];
  for (const root of roots) {
    let isDir: boolean;
    try {
      isDir = statSync(root).isDirectory();
    } catch {
      throw new RulePackError('E025', `${root}: rule pack file or folder not found`);
    }
    if (isDir) {
      const inDir = readdirSync(root).filter(isPackFile).sort();
      if (inDir.length === 0) throw new RulePackError('E025', `${root}: folder holds no .yaml rule packs`);
      files.push(...inDir.map((f) => join(root, f)));
    } else {
      files.push(root);
    }
  }
  return files.map((f) => {
    let text: string;
    try {
      text = readSmallTextFile(f);
    } catch {
      throw new RulePackError('E025', `${f}: cannot read rule pack`);
    }
    // The bundled packs were parsed and checked at build time (dist/generated/assets.json), by
    // their exact text; any other text is parsed and checked here, with the same coded errors.
    const checked = prebuiltRulePack(text, displayName(f));
    if (checked !== undefined) return checked;
    const doc = prebuiltYaml(text);
    return doc !== undefined ? rulePackFromDocument(doc, displayName(f)) : parseRulePack(text, displayName(f));
  });
}
