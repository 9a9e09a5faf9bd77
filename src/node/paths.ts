import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the package's own files are: the one place that computes the package root. This module
 * sits at src/node/ (tsx, vitest) and dist/node/ (built package), two levels below the root.
 */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundled data: rule packs, cue lists for the dictionaries, Safe Harbor tables. */
export const ASSETS_DIR = join(PACKAGE_ROOT, 'assets');
export const BUNDLED_RULES_DIR = join(ASSETS_DIR, 'rules');
export const BUNDLED_DICTIONARY_DIR = join(ASSETS_DIR, 'dictionaries');
export const ZIP3_RESTRICTED_FILE = join(ASSETS_DIR, 'safe-harbor', 'zip3-restricted.yaml');

/** The NER model used when the config names no `ner.modelDir`. */
export const BUNDLED_MODEL_DIR = join(PACKAGE_ROOT, 'models', 'phi-ner');

/** The review page's static files. */
export const REVIEW_PAGE_DIR = join(PACKAGE_ROOT, 'review-page');

