import { dirname, resolve } from 'node:path';
import { ConfigError, parseConfig, type Config, type ConfigInput } from '../core/config.js';
import { DETECTOR_KINDS, type DetectorKind } from '../core/detectorKinds.js';
import type { Detector } from '../detect/types.js';
import { Pipeline } from '../pipeline.js';
import { keyFingerprint } from '../transform/keyed.js';
import { loadConfig } from './configFile.js';
import { compileAllowList, createSiteDetector } from '../detect/site/index.js';
import { loadSiteLists } from './assets/siteLists.js';
import { DETECTOR_FACTORIES, loadRepeatLexicon } from './registry.js';
import { surrogateSetup } from './surrogates.js';

/**
 * The composition root: the only place that turns a config document into a loaded Pipeline.
 * The registry's factories (src/node/registry.ts) read the detectors' assets; the surrogate
 * wiring reads the key, the Safe Harbor tables and the vault.
 *
 * Error codes: E012 no detectors selected; E113 the policy uses `surrogate` but no key was
 * passed (the CLI always passes one). The config's and the detectors' own codes pass through.
 */

export { loadConfig } from './configFile.js';
export { nerThreads } from './registry.js';
export type { DetectorKind } from '../core/detectorKinds.js';

export interface LoadPipelineOptions {
  /** A config object (partial: the schema fills the defaults); wins over `configPath`. */
  readonly config?: Config | ConfigInput;
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
  /** Fingerprints of inputs beside the config that change outputs (a `--known` sidecar), for the resume key and audit. */
  readonly fingerprints?: Readonly<Record<string, string>>;
}

/** Builds and loads a Pipeline: rule packs when 'rules' is requested, the word lists for 'dictionaries', the NER model for 'ner'. */
export async function loadPipeline(options: LoadPipelineOptions = {}): Promise<Pipeline> {
  const config = options.config !== undefined ? parseConfig(options.config) : loadConfig(options.configPath);
  const baseDir =
    options.configPath !== undefined && options.config === undefined
      ? dirname(resolve(options.configPath))
      : resolve(options.baseDir ?? process.cwd());
  const kinds = [...new Set(options.detectors ?? config.detectors)];
  if (kinds.length === 0) throw new ConfigError('E012', 'no detectors selected');

  const detectors: Detector[] = [];
  // Registry order, whatever order they were asked in: the merge sees the same detectors the same way.
  for (const kind of DETECTOR_KINDS) {
    if (kinds.includes(kind)) detectors.push(...(await DETECTOR_FACTORIES[kind]({ config, baseDir, sharingCores: options.sharingCores })));
  }
  // Site lists (issue 16) add to whatever detectors were chosen: the site's own words are always wanted.
  const site = loadSiteLists(config.site, baseDir);
  const { deny, roster, allow } = site.lists;
  if (roster.length > 0 || deny.some((d) => d.terms.length > 0)) detectors.push(createSiteDetector({ deny, roster }, site.fingerprint));
  const allowList = allow.length > 0 ? { index: compileAllowList(allow), fingerprint: site.fingerprint } : undefined;
  // The preset decides the effective policy; the surrogate operator needs the key.
  // Dynamic: only a --vault run loads the native SQLite module.
  const vault =
    options.vault !== undefined && options.key !== undefined
      ? (await import('./vault/vault.js')).Vault.open(options.vault, options.key, { create: true })
      : undefined;
  const surrogates = await surrogateSetup(config, options.key, vault);
  if (surrogates.needsKey && options.key === undefined) {
    throw new ConfigError('E113', 'the policy uses the surrogate operator but no key was given (--key-file or PHI_REDACT_KEY)');
  }
  const keyFp = surrogates.needsKey && options.key !== undefined ? keyFingerprint(options.key) : undefined;
  // Consistency reads the word lists; a rules-only run (chosen for speed) does without it.
  const { consistency } = config;
  const wordListsLoaded = kinds.includes('dictionaries') || kinds.includes('ner');
  const repeats = (consistency.note || consistency.run) && wordListsLoaded ? await loadRepeatLexicon({ config, baseDir }) : undefined;
  return Pipeline.create(detectors, { ...surrogates.config, detectors: kinds }, surrogates.operators, {
    ...(keyFp !== undefined ? { keyFingerprint: keyFp } : {}),
    ...(surrogates.observer !== undefined ? { observer: surrogates.observer } : {}),
    ...(repeats !== undefined ? { repeats } : {}),
    ...(allowList !== undefined ? { allow: allowList } : {}),
    ...(options.fingerprints !== undefined ? { fingerprints: options.fingerprints } : {}),
  });
}
