import { configure } from 'safe-stable-stringify';

const stableStringify = configure({ circularValue: Error });

/**
 * JSON with object keys sorted at every level (safe-stable-stringify, code-unit order), so equal
 * values hash equally whatever their key order (configs, rule packs, fingerprints); a circular
 * value throws.
 */
export function canonicalJson(value: unknown): string {
  const json = stableStringify(value);
  if (json === undefined) throw new TypeError('canonicalJson: value has no JSON form');
  return json;
}
