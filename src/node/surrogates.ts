import { readFileSync } from 'node:fs';
import { ZIP3_RESTRICTED_FILE } from './paths.js';
import { parseYaml } from '../core/yaml.js';
import { ConfigError, type Config } from '../core/config.js';
import type { SecretKey } from '../transform/keyed.js';
import { patientIdFor, type PatientIdSource } from '../transform/scope.js';
import { effectivePolicy, surrogateOptionsFromConfig, usesSurrogate } from '../transform/safeHarbor.js';
import type { Operator, OperatorName } from '../transform/types.js';
import type { RedactionObserver } from '../pipeline.js';
import type { NoteSpan, Vault } from './vault/vault.js';

/**
 * Wiring for the surrogate operator: reads the Safe Harbor ZIP3 data file and builds the
 * operator map Pipeline.create takes.
 *
 * Error codes: E112 the restricted-ZIP3 data file cannot be read or is malformed.
 */

export { ZIP3_RESTRICTED_FILE };

export function loadRestrictedZip3(path = ZIP3_RESTRICTED_FILE): string[] {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError('E112', `cannot read restricted ZIP3 list ${path}`);
  }
  const list = (raw as { restricted?: unknown } | null)?.restricted;
  if (!Array.isArray(list) || !list.every((z) => typeof z === 'string' && /^\d{3}$/u.test(z))) {
    throw new ConfigError('E112', `${path}: "restricted" must be a list of 3-digit strings`);
  }
  return list as string[];
}

/**
 * The config with its effective policy (preset applied) and the extra operators it needs.
 * `key` is only required when the policy uses `surrogate`.
 */
export async function surrogateSetup(
  config: Config,
  key: SecretKey | undefined,
  vault?: Vault,
): Promise<{ config: Config; operators: Partial<Record<OperatorName, Operator>>; needsKey: boolean; observer?: RedactionObserver }> {
  const policy = effectivePolicy(config);
  const effective = { ...config, policy };
  if (!usesSurrogate(policy)) return { config: effective, operators: {}, needsKey: false };
  if (key === undefined) return { config: effective, operators: {}, needsKey: true };
  const options = surrogateOptionsFromConfig(config, loadRestrictedZip3(), new Date().getUTCFullYear());
  // Imported here: the operator's tables come from faker's locale data (~35 ms to load), which a
  // policy without surrogates (the default) never needs.
  const { createSurrogateOperator } = await import('../transform/operators/surrogate.js');
  const surrogate = createSurrogateOperator(key, options);
  return { config: effective, operators: { surrogate }, needsKey: true, ...(vault ? { observer: vaultObserver(vault) } : {}) };
}

/**
 * The transform context's `scope` for one note under the config's `surrogate.patientId`
 * rule: from the JSONL record field, the file name pattern, or the parent folder. Empty when
 * surrogates are corpus-scoped or the id is not found (the operator then uses corpus scope).
 */
export function noteScope(config: Pick<Config, 'surrogate'>, note: { readonly path?: string; readonly record?: unknown }): { scope?: string } {
  const s = config.surrogate;
  if (s === undefined || s.scope !== 'patient') return {};
  const { from, field, pattern } = s.patientId;
  const source: PatientIdSource =
    from === 'field' ? { from, field } : from === 'filename' ? { from, pattern: pattern ?? '^([^._-]+)' } : { from };
  const id = patientIdFor(source, note);
  return id === undefined ? {} : { scope: id };
}

/**
 * The vault's observer: for every note, where each span the surrogate operator replaced was
 * written (output offsets, original, what was written: a surrogate or its tag fallback), under
 * the note's id and patient scope. Spans whose output equals the input (kept values) are not
 * recorded; nothing else in the text is ever restored.
 */
export function vaultObserver(vault: Pick<Vault, 'recordNote'>): RedactionObserver {
  return (input, result, ctx) => {
    const spans: NoteSpan[] = [];
    for (const s of result.spans) {
      if (s.operator !== 'surrogate') continue;
      const original = input.slice(s.start, s.end);
      const surrogate = result.text.slice(s.outStart, s.outEnd);
      if (surrogate !== original) spans.push({ outStart: s.outStart, outEnd: s.outEnd, label: s.label, original, surrogate });
    }
    vault.recordNote(result.text, {
      noteId: typeof ctx.noteId === 'string' ? ctx.noteId : '',
      scope: typeof ctx.scope === 'string' ? ctx.scope : '',
      spans,
    });
  };
}
