import { existsSync, readFileSync } from 'node:fs';
import { readSmallTextFile } from './files/smallFile.js';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { BUNDLED_MODEL_DIR } from './paths.js';
import { parse as parseYaml, YAMLError } from 'yaml';
import { ConfigError, parseConfig, type Config } from '../core/config.js';
import { createDictionaryDetector, createSafeTermsDetector, plainWordTest, wordLexicon } from '../detect/dictionaries/index.js';
import { createRuleDetectors } from '../detect/rules/index.js';
import type { DictionaryData } from '../detect/dictionaries/index.js';
import type { Detector, SpanTails, WordLexicon, WordTest } from '../detect/types.js';
import { Pipeline } from '../pipeline.js';
import { loadDictionaries } from './assets/wordLists.js';
import { loadRulePacks } from './assets/rulePacks.js';
import { surrogateSetup } from './surrogates.js';
import { keyFingerprint } from '../transform/keyed.js';

/**
 * The composition root: the only place that turns a config document into loaded detectors.
 * Everything it wires together is pure; the file reads (config, rule packs, model) happen here
 * and in the loaders it calls.
 *
 * Error codes (all `ConfigError`, which the CLI maps to exit code 2):
 *   E010 config fails the schema (from parseConfig)
 *   E011 config file cannot be read
 *   E014 config file is not valid YAML/JSON
 *   E030 NER requested but the model (or the NER module) is not available — we fail closed
 *        rather than silently run rules only and write less-redacted text.
 *   E113 the policy uses `surrogate` but no key was passed (the CLI always passes one).
 */

export type DetectorKind = 'rules' | 'dictionaries' | 'ner';

/** Where the NER model is looked for when the config does not name `ner.modelDir`. */
export const DEFAULT_MODEL_DIR = BUNDLED_MODEL_DIR;

/** Reads and validates a YAML or JSON config file; with no path, returns the all-defaults config. */
export function loadConfig(path?: string): Config {
  if (path === undefined) return parseConfig({});
  let source: string;
  try {
    source = readSmallTextFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ConfigError('E011', `cannot read config file ${path} (${code})`);
  }
  let raw: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser covers both formats.
    raw = parseYaml(source, { prettyErrors: false });
  } catch (err) {
    const where = err instanceof YAMLError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new ConfigError('E014', `config file ${path} is not valid YAML or JSON${where}`);
  }
  return parseConfig(raw, path);
}

export interface LoadPipelineOptions {
  /** An already-validated config; wins over `configPath`. */
  readonly config?: Config;
  /** A YAML/JSON config file; relative paths inside it resolve against its folder. */
  readonly configPath?: string;
  /** Overrides `config.detectors` (the CLI's `--detectors`). */
  readonly detectors?: readonly DetectorKind[];
  /** Folder that relative paths in an in-memory `config` resolve against (default: cwd). */
  readonly baseDir?: string;
  /** The surrogate secret (src/node/keys.ts); required when the policy (or preset) uses `surrogate`. */
  readonly key?: Uint8Array;
  /** Re-identification vault file (src/node/vault/vault.ts): surrogate pairs are recorded there, encrypted. */
  readonly vault?: string;
  /** Pipelines loaded side by side in this process (the pool's worker count): they share the cores. */
  readonly sharingCores?: number;
}

/** NER intra-op threads: the config's, else the cores divided among the pipelines that share them. */
export function nerThreads(configured: number | undefined, sharingCores = 1, cores = availableParallelism()): number {
  return configured ?? Math.max(1, Math.floor(cores / Math.max(1, sharingCores)));
}

/** Builds and loads a Pipeline: rule packs when 'rules' is requested, the word lists for 'dictionaries', the NER model for 'ner'. */
export async function loadPipeline(options: LoadPipelineOptions = {}): Promise<Pipeline> {
  const config = options.config ?? loadConfig(options.configPath);
  const baseDir =
    options.configPath !== undefined && options.config === undefined
      ? dirname(resolve(options.configPath))
      : resolve(options.baseDir ?? process.cwd());
  const kinds = [...new Set(options.detectors ?? config.detectors)];
  if (kinds.length === 0) throw new ConfigError('E012', 'no detectors selected');

  const detectors: Detector[] = [];
  if (kinds.includes('rules')) {
    const packs = await loadRulePacks(config.rules.packs, baseDir);
    detectors.push(...createRuleDetectors(packs));
  }
  // Word lists from installed packages, built once per process (src/node/assets/wordLists.ts).
  const cueDir = config.dictionaries.cues !== undefined ? resolve(baseDir, config.dictionaries.cues) : undefined;
  if (kinds.includes('dictionaries')) {
    const dict = await loadDictionaries(cueDir);
    // The safe terms (clinical abbreviations, eponyms, states) correct every detector's names and places.
    detectors.push(createDictionaryDetector(dict.data, dict.fingerprint), createSafeTermsDetector(dict.data, dict.fingerprint));
  }
  if (kinds.includes('ner')) {
    // The NER reads the same word lists: the plain-word check (off when its threshold adds
    // nothing), the span tails it trims, and a phi-ner/3 model's input, each word's class in them.
    const modelDir = nerModelDir(config, baseDir);
    const plainCheck = config.ner.plainWordThreshold > config.ner.threshold;
    const data = (await loadDictionaries(cueDir)).data;
    const plainWords = plainWordTest(data);
    const lexicon = readsWordClasses(modelDir) ? wordLexicon(data, plainWords) : undefined;
    const words = { plainWords: plainCheck ? plainWords : undefined, lexicon, tails: spanTails(data) };
    detectors.push(await loadNerDetector(config, modelDir, nerThreads(config.ner.threads, options.sharingCores), words));
  }
  // The preset decides the effective policy; the surrogate operator needs the key.
  // Dynamic: only a --vault run loads the native SQLite module.
  const vault =
    options.vault !== undefined && options.key !== undefined
      ? (await import('./vault/vault.js')).Vault.open(options.vault, options.key, { create: true })
      : undefined;
  const surrogates = surrogateSetup(config, options.key, vault);
  if (surrogates.needsKey && options.key === undefined) {
    throw new ConfigError('E113', 'the policy uses the surrogate operator but no key was given (--key-file or PHI_REDACT_KEY)');
  }
  const keyFp = surrogates.needsKey && options.key !== undefined ? keyFingerprint(options.key) : undefined;
  return Pipeline.create(detectors, { ...surrogates.config, detectors: kinds }, surrogates.operators, keyFp);
}

function nerModelDir(config: Config, baseDir: string): string {
  return config.ner.modelDir !== undefined ? resolve(baseDir, config.ner.modelDir) : DEFAULT_MODEL_DIR;
}

/** Whether the model's config.json lists word classes (phi-ner/3). Unreadable: no; the session load reports it properly. */
function readsWordClasses(modelDir: string): boolean {
  try {
    return Array.isArray((JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as { lexicon?: unknown }).lexicon);
  } catch {
    return false;
  }
}

interface NerWords {
  readonly plainWords: WordTest | undefined;
  readonly lexicon: WordLexicon | undefined;
  readonly tails: SpanTails;
}

/** The cue-file words the NER trims from its spans' ends. */
function spanTails(data: DictionaryData): SpanTails {
  const { placeCues, nameCues } = data;
  const namingWords = new Set([...placeCues.facilityNameWords, ...placeCues.notFacilityNames]);
  return { facilityHeads: placeCues.facilityHeads, namingWords, credentials: nameCues.credentials, abbreviations: nameCues.clinicalAbbreviations };
}

async function loadNerDetector(config: Config, modelDir: string, threads: number, words: NerWords): Promise<Detector> {
  const unavailable = (): ConfigError =>
    new ConfigError('E030', `NER model not available at ${modelDir}; use --detectors rules to run rules only`);
  if (!existsSync(modelDir)) throw unavailable();
  let ner: typeof import('../detect/ner/index.js');
  try {
    // Dynamic so that rules-only runs never load onnxruntime (only the NER module imports it).
    ner = await import('../detect/ner/index.js');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_DLOPEN_FAILED') throw unavailable();
    throw err;
  }
  const { threshold, numericThreshold, plainWordThreshold, windowTokens, strideTokens, batchSize } = config.ner;
  // A policy that tags ages under 90 wants the model's too (Safe Harbor, the default, keeps them).
  const agesUnder90 = config.surrogate.agesUnder90 === 'tag';
  return ner.createNerDetector({ modelDir, threads, threshold, numericThreshold, plainWordThreshold, agesUnder90, windowTokens, strideTokens, batchSize, ...words });
}
