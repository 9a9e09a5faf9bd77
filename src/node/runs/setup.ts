import { dirname, resolve } from 'node:path';
import { ConfigError, UsageError } from '../../core/errors.js';
import type { Config } from '../../core/config.js';
import type { DetectorKind } from '../../core/detectorKinds.js';
import { effectivePolicy, usesSurrogate } from '../../transform/safeHarbor.js';
import type { LoadPipelineOptions } from '../createPipeline.js';
import { loadSecretKey } from '../keys.js';
import { prebuiltNotice } from '../assets/wordLists.js';

/**
 * What every run (folder, stream, queue worker) settles before it reads a note: the surrogate
 * key and its rules, and the vault's lifecycle. The CLI only parses options and prints.
 *
 * Key rules: the key is loaded only when the effective policy uses surrogates; a per-run random
 * key is refused when the config says `surrogate.requireKey` (E117), for a vault (E116), and for
 * queue workers, which must all share one (E083).
 */

export interface RunSetupOptions {
  readonly config: Config;
  /** The config file, if any: relative paths in it resolve against its folder. */
  readonly configPath?: string;
  readonly cwd: string;
  readonly detectors?: readonly DetectorKind[];
  readonly keyFile?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly vault?: string;
  /** Queue workers: several processes must write the same surrogates. */
  readonly sharedKey?: boolean;
  /** `--hash-names`: output names are keyed hashes, so a fixed key is needed whatever the policy (E123). */
  readonly hashNames?: boolean;
  /** Called with each warning to show (a random key; word lists built from source), never PHI. */
  readonly onWarning?: (message: string) => void;
}

export interface RunSetup {
  /** What each pipeline (in-process or in a worker) is loaded from. */
  readonly load: LoadPipelineOptions;
  /** The run's fixed key when `hashNames` was asked for (for `nameHasher`). */
  readonly nameKey?: Uint8Array;
  /** Ends the run's use of the vault: folds its write-ahead log into the file. Call once, after the engine closed. */
  finish(): Promise<void>;
}

export async function setUpRun(o: RunSetupOptions): Promise<RunSetup> {
  // Said once, here in the main thread: pool workers that build the lists too stay quiet.
  const kinds = o.detectors ?? o.config.detectors;
  const notice = kinds.includes('dictionaries') || kinds.includes('ner') ? prebuiltNotice() : undefined;
  if (notice !== undefined) o.onWarning?.(notice);
  let key: Uint8Array | undefined;
  let nameKey: Uint8Array | undefined;
  if (o.hashNames === true) {
    const loaded = await loadSecretKey({ keyFile: o.keyFile === undefined ? undefined : resolve(o.cwd, o.keyFile), env: o.env });
    if (loaded.source === 'random') throw new ConfigError('E123', '--hash-names needs a fixed key (--key-file or PHI_REDACT_KEY), so that names are the same in every run');
    nameKey = loaded.key;
  }
  if (usesSurrogate(effectivePolicy(o.config))) {
    const loaded = await loadSecretKey({ keyFile: o.keyFile === undefined ? undefined : resolve(o.cwd, o.keyFile), env: o.env });
    const random = loaded.source === 'random';
    if (random && o.sharedKey === true) throw new ConfigError('E083', 'queue workers need the shared key (--key-file or PHI_REDACT_KEY) when the policy uses surrogates');
    if (random && o.config.surrogate.requireKey === true) throw new ConfigError('E117', 'the config requires a fixed key (surrogate.requireKey): give --key-file or PHI_REDACT_KEY');
    if (loaded.warning !== undefined) o.onWarning?.(loaded.warning);
    if (random && o.vault !== undefined) throw new ConfigError('E116', '--vault needs a fixed key (--key-file or PHI_REDACT_KEY)');
    key = loaded.key;
  }
  if (o.vault !== undefined && key === undefined) throw new UsageError('--vault records surrogates: use it with a policy that uses surrogate');
  const vaultPath = o.vault === undefined ? undefined : resolve(o.cwd, o.vault);
  // Dynamic: only a --vault run loads the native SQLite module. Made (or checked against the
  // key) once here, before any worker writes to it.
  const Vault = vaultPath === undefined ? undefined : (await import('../vault/vault.js')).Vault;
  if (Vault !== undefined) Vault.open(vaultPath!, key!, { create: true }).close();
  const load: LoadPipelineOptions = {
    config: o.config,
    ...(o.detectors !== undefined ? { detectors: o.detectors } : {}),
    baseDir: o.configPath === undefined ? o.cwd : dirname(o.configPath),
    ...(key !== undefined ? { key } : {}),
    ...(vaultPath !== undefined ? { vault: vaultPath } : {}),
  };
  return {
    load,
    ...(nameKey !== undefined ? { nameKey } : {}),
    // Each worker's pipeline had its own connection; one last open and close checkpoints the log.
    finish: async () => Vault?.open(vaultPath!, key!).close(),
  };
}
