import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, type Config } from '../core/config.js';
import { createDictionaryDetector, createSafeTermsDetector } from '../detect/dictionaries/index.js';
import type { DetectorKind } from '../core/detectorKinds.js';
import { createRuleDetectors } from '../detect/rules/index.js';
import type { RepeatLexicon } from '../detect/repeats/index.js';
import type { Detector } from '../detect/types.js';
import { plainWordSet, plainWordTest, spanTails, wordLexicon } from '../lexicon/index.js';
import { loadRulePacks } from './assets/rulePacks.js';
import { loadDictionaries } from './assets/wordLists.js';
import { BUNDLED_MODEL_DIR } from './paths.js';

/**
 * The detector registry's factories: one per kind in src/core/detectorKinds.ts (the mapped type
 * makes a missing one a compile error). Each reads its assets (rule packs, word lists, model)
 * and returns loaded-on-demand detectors; everything they wire together is pure.
 *
 * Error codes: E030 NER requested but the model (or the NER module) is not available; we fail
 * closed rather than silently run rules only and write less-redacted text.
 */

export interface DetectorSetup {
  readonly config: Config;
  /** Folder that relative paths in the config resolve against. */
  readonly baseDir: string;
  /** Pipelines loaded side by side in this process (the pool's worker count): they share the cores. */
  readonly sharingCores?: number;
}

type DetectorFactory = (setup: DetectorSetup) => Promise<Detector[]>;

export const DETECTOR_FACTORIES: { readonly [K in DetectorKind]: DetectorFactory } = {
  rules: async ({ config, baseDir }) => createRuleDetectors(await loadRulePacks(config.rules.packs, baseDir, config.rules.bundled)),

  dictionaries: async (setup) => {
    const dict = await loadDictionaries(cueDir(setup));
    // The safe terms (clinical abbreviations, eponyms, states) correct every detector's names and places.
    return [createDictionaryDetector(dict.data, dict.fingerprint), createSafeTermsDetector(dict.data, dict.fingerprint)];
  },

  ner: async (setup) => {
    const { config, baseDir } = setup;
    const modelDir = config.ner.modelDir !== undefined ? resolve(baseDir, config.ner.modelDir) : BUNDLED_MODEL_DIR;
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
    // The NER reads the same word lists: the plain-word check (off when its threshold adds
    // nothing), the span tails it trims, and a phi-ner/3 model's input, each word's class in them.
    const { data, fingerprint: listsFingerprint } = await loadDictionaries(cueDir(setup));
    const plainWords = plainWordTest(data);
    const plainCheck = config.ner.plainWordThreshold > config.ner.threshold;
    const { threshold, numericThreshold, plainWordThreshold, windowTokens, strideTokens, batchSize } = config.ner;
    return [
      ner.createNerDetector({
        modelDir,
        threads: nerThreads(config.ner.threads, setup.sharingCores),
        threshold,
        numericThreshold,
        plainWordThreshold,
        uncapitalisedThreshold: config.ner.uncapitalisedThreshold,
        slipThreshold: config.ner.slipThreshold,
        oneWordThreshold: config.ner.oneWordThreshold,
        standAloneThreshold: config.ner.standAloneThreshold,
        nameCuePhrases: [...[...data.nameCues.titles].map((t) => [t]), ...data.nameCues.relativeRoles, ...data.nameCues.clinicianRoles],
        english: data.vocabulary,
        knownNames: data.knownNames,
        listedPlain: plainWordSet(data),
        placePrepositions: data.placeCues.placePrepositions,
        // A policy that tags ages under 90 wants the model's too (Safe Harbor, the default, keeps them).
        agesUnder90: config.surrogate.agesUnder90 === 'tag',
        windowTokens,
        strideTokens,
        batchSize,
        plainWords: plainCheck ? plainWords : undefined,
        lexicon: readsWordClasses(modelDir) ? wordLexicon(data, plainWords) : undefined,
        tails: spanTails(data),
        listsFingerprint,
      }),
    ];
  },
};

/** The configured cue folder, or undefined for the bundled one. */
/** The word lists' view the consistency step needs (src/detect/repeats): word classes and the English vocabulary. */
export async function loadRepeatLexicon(setup: DetectorSetup): Promise<RepeatLexicon> {
  const data = (await loadDictionaries(cueDir(setup))).data;
  return { classes: wordLexicon(data, plainWordTest(data)), english: data.vocabulary };
}

function cueDir({ config, baseDir }: DetectorSetup): string | undefined {
  return config.dictionaries.cues !== undefined ? resolve(baseDir, config.dictionaries.cues) : undefined;
}

/** NER intra-op threads: the config's, else the cores divided among the pipelines that share them. */
export function nerThreads(configured: number | undefined, sharingCores = 1, cores = availableParallelism()): number {
  return configured ?? Math.max(1, Math.floor(cores / Math.max(1, sharingCores)));
}

/** Whether the model's config.json lists word classes (phi-ner/3). Unreadable: no; the session load reports it properly. */
function readsWordClasses(modelDir: string): boolean {
  try {
    return Array.isArray((JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as { lexicon?: unknown }).lexicon);
  } catch {
    return false;
  }
}
