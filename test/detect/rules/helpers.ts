import { mergeSpans } from '../../../src/core/merge.js';
import type { Span } from '../../../src/core/span.js';
import { createRuleDetectors } from '../../../src/detect/rules/index.js';
import { join } from 'node:path';
import { bundledRulesDir, loadRulePacks } from '../../../src/node/assets/rulePacks.js';

/**
 * The bundled packs plus the opt-in ones (ages under 90), compiled once per test file: the
 * recognizer tables and the structured-PII set follow the strictest policy (every age is PHI).
 */
export const bundledPacks = loadRulePacks([bundledRulesDir(), join(bundledRulesDir(), 'optional')]);
export const bundledDetectors = createRuleDetectors(bundledPacks);

export function detectAll(text: string): Span[] {
  return bundledDetectors.flatMap((d) => d.detect(text) as Span[]);
}

/** The substrings flagged by one rule (by rule id), in order. */
export function flaggedBy(ruleIds: string | readonly string[], text: string): string[] {
  const ids = new Set((typeof ruleIds === 'string' ? [ruleIds] : ruleIds).map((r) => `rules/${r}`));
  return detectAll(text)
    .filter((s) => ids.has(s.source))
    .map((s) => text.slice(s.start, s.end));
}

/** The substrings flagged with a label after merging (what a redaction would replace). */
export function flaggedAs(label: string, text: string): string[] {
  return mergeSpans(detectAll(text))
    .filter((s) => s.label === label)
    .map((s) => text.slice(s.start, s.end));
}
