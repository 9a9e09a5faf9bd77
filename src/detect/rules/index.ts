import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/canonicalJson.js';
import type { Label } from '../../core/labels.js';
import type { Span } from '../../core/span.js';
import type { Detector } from '../types.js';
import { compileRule } from './engine.js';
import type { RulePack } from './pack.js';

export { parseRulePack, RulePackError, type Rule, type RulePack } from './pack.js';
export { backtrackingRisk } from './backtracking.js';
export { VALIDATORS, VALIDATOR_NAMES, type ValidatorName } from './validators.js';


/** sha256 of the packs' content (not of where they were read from), in load order; key order in the YAML does not count. */
export function fingerprintRulePacks(packs: readonly RulePack[]): string {
  const content = packs.map(({ pack, version, description, rules }) => ({ pack, version, description, rules }));
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * One detector per pack (`rules/<pack>`); each span's `source` is `rules/<rule-id>` so
 * evaluation can attribute hits and misses to single rules. Patterns compile here, once.
 */
export function createRuleDetectors(packs: readonly RulePack[]): Detector[] {
  const ids = new Set<string>();
  for (const p of packs) {
    for (const r of p.rules) {
      if (ids.has(r.id)) throw new Error(`E023 ${p.fileName}: rule "${r.id}": duplicate rule id across packs`);
      ids.add(r.id);
    }
  }
  return packs.map((pack) => {
    const compiled = pack.rules.map(compileRule);
    const labels = [...new Set(pack.rules.map((r) => r.label))] as Label[];
    const fingerprint = fingerprintRulePacks([pack]);
    return {
      id: `rules/${pack.pack}`,
      kind: 'phi',
      labels,
      detect(text: string): Span[] {
        const out: Span[] = [];
        for (const c of compiled) for (const s of c.find(text)) out.push(s);
        return out;
      },
      fingerprint: () => fingerprint,
    } satisfies Detector;
  });
}
