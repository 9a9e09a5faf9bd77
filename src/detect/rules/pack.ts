import { parseYaml, yamlErrorLine } from '../../core/yaml.js';
import { z } from 'zod';
import { LABELS, SUBTYPES, type Label } from '../../core/labels.js';
import { backtrackingRisk } from './backtracking.js';
import { VALIDATOR_NAMES } from './validators.js';
import { describeSchemaIssue, PhiRedactError } from '../../core/errors.js';

/**
 * Rule packs are data (Presidio's YAML recognizers, Philter's filter list): each rule names
 * its label, its patterns with scores, an optional checksum/library validator, context words
 * that raise or lower the score, allow/deny lists, and a `notes` field saying what the format
 * is and where it is specified. `parseRulePack` is pure: YAML text in, a checked pack out, or a
 * coded error naming the file and the rule (never any note text: packs hold no PHI).
 *
 * Error codes: E020 invalid regex, E021 schema violation, E022 super-linear backtracking
 * (recheck's verdict, see backtracking.ts), E023 duplicate rule id, E024 YAML syntax (E025,
 * file not found, comes from node/assets/rulePacks).
 *
 * A pack (see rules/*.yaml for real ones):
 *
 *   pack: extra                 # kebab-case name; the detector id is rules/<pack>
 *   description: what the pack covers
 *   rules:
 *     - id: staff-badge         # spans carry source rules/<id>
 *       label: ID               # a Label; subtype must be one of SUBTYPES[label]
 *       subtype: ID
 *       notes: format, and where it is specified
 *       patterns:               # JS regex source; a named group `phi` narrows the span
 *         - { name: after-word, regex: 'badge[ ]?#?(?<phi>\d{5})', flags: i, score: 0.4 }
 *       validator: luhn         # optional, from VALIDATORS; a failing check drops the match
 *       context: { words: [badge, staff], before: 4, after: 0, boost: 0.35 }
 *       negativeContext: [{ words: [mg, units], before: 0, after: 1, effect: drop }]
 *       minScore: 0.5           # matches scoring lower after context are not reported
 *       allow: ['00000']        # never flagged; deny: words always flagged
 *
 * Context windows are whitespace tokens and stop at a sentence end or a line break (except
 * a line ending in a colon, as in forms).
 */

const word = z.string().min(1).max(60);

/** Words near a match (whole-word, case-insensitive; a trailing `*` matches any word starting so). */
const ContextSchema = z
  .object({
    words: z.array(word).min(1),
    /** Tokens (whitespace-separated) searched before the match. */
    before: z.number().int().min(0).max(20).default(4),
    /** Tokens searched after the match. */
    after: z.number().int().min(0).max(20).default(0),
    /** Added to the score when a word is present. */
    boost: z.number().min(0).max(1).default(0.35),
  })
  .strict();

const NegativeContextSchema = z
  .object({
    words: z.array(word).min(1),
    before: z.number().int().min(0).max(20).default(1),
    after: z.number().int().min(0).max(20).default(1),
    /** `drop` removes the match; a number is subtracted from its score. */
    effect: z.union([z.literal('drop'), z.number().min(0).max(1)]).default('drop'),
  })
  .strict();

const PatternSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'pattern names are lower-case kebab-case'),
    /** JavaScript regex source. A named group `phi` narrows the span to that group. */
    regex: z.string().min(1).max(2000),
    /** Extra flags; `g` and `d` are always added. */
    flags: z.string().regex(/^[imsu]*$/, 'flags may only be i, m, s, u').default(''),
    score: z.number().min(0).max(1),
  })
  .strict();

const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule ids are lower-case kebab-case'),
    label: z.enum(LABELS),
    subtype: z.string().min(1),
    notes: z.string().min(10, 'notes must say what the format is and where it is specified'),
    patterns: z.array(PatternSchema).default([]),
    validator: z.enum(VALIDATOR_NAMES).optional(),
    context: ContextSchema.optional(),
    negativeContext: z.array(NegativeContextSchema).default([]),
    /** Matches scoring below this (after context) are not reported. */
    minScore: z.number().min(0).max(1).default(0.5),
    /** Values never flagged (case-insensitive, compared with the whole matched text). */
    allow: z.array(z.string().min(1)).default([]),
    /** Words or phrases always flagged wherever they occur (case-insensitive, whole words). */
    deny: z.array(z.string().min(1)).default([]),
  })
  .strict();

const PackSchema = z
  .object({
    pack: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'pack names are lower-case kebab-case'),
    version: z.number().int().min(1).default(1),
    description: z.string().min(1),
    rules: z.array(z.unknown()).min(1),
  })
  .strict();

export type RulePattern = z.infer<typeof PatternSchema>;
export type RuleContext = z.infer<typeof ContextSchema>;
export type RuleNegativeContext = z.infer<typeof NegativeContextSchema>;
export type Rule = Readonly<z.infer<typeof RuleSchema>> & { readonly label: Label };
export interface RulePack {
  readonly pack: string;
  readonly version: number;
  readonly description: string;
  /** File the pack came from, as given to the parser (for error messages only). */
  readonly fileName: string;
  readonly rules: readonly Rule[];
}


function where(fileName: string, ruleId?: string): string {
  return ruleId === undefined ? fileName : `${fileName}: rule "${ruleId}"`;
}

function checkRule(raw: unknown, fileName: string, index: number): Rule {
  const rawId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : `#${index + 1}`;
  const result = RuleSchema.safeParse(raw);
  if (!result.success) throw new RulePackError('E021', `${where(fileName, rawId)}: ${describeSchemaIssue(result.error)}`);
  const rule = result.data;
  const subtypes = SUBTYPES[rule.label] as readonly string[];
  if (!subtypes.includes(rule.subtype)) {
    throw new RulePackError('E021', `${where(fileName, rule.id)}: subtype "${rule.subtype}" is not one of ${rule.label}: ${subtypes.join(', ')}`);
  }
  if (rule.patterns.length === 0 && rule.deny.length === 0) {
    throw new RulePackError('E021', `${where(fileName, rule.id)}: a rule needs at least one pattern or deny entry`);
  }
  const names = new Set<string>();
  for (const p of rule.patterns) {
    if (names.has(p.name)) throw new RulePackError('E021', `${where(fileName, rule.id)}: duplicate pattern name "${p.name}"`);
    names.add(p.name);
    try {
      const re = new RegExp(p.regex, `gd${p.flags}`);
      if (re.test('')) throw new Error('pattern matches the empty string');
    } catch (err) {
      throw new RulePackError('E020', `${where(fileName, rule.id)}: invalid regex in pattern "${p.name}": ${(err as Error).message}`);
    }
    const risk = backtrackingRisk(p.regex, p.flags);
    if (risk) throw new RulePackError('E022', `${where(fileName, rule.id)}: pattern "${p.name}" may backtrack catastrophically (${risk})`);
  }
  return rule as Rule;
}

/** Parses and checks one pack. Pure: the caller reads the file. */
export function parseRulePack(yamlText: string, fileName: string): RulePack {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText, { prettyErrors: false, maxAliasCount: 100 });
  } catch (err) {
    const at = yamlErrorLine(err);
    const line = at !== undefined ? ` line ${at}` : '';
    throw new RulePackError('E024', `${fileName}:${line} YAML syntax error`);
  }
  return rulePackFromDocument(doc, fileName);
}

/** Checks one pack already parsed from YAML (the loader may hold a parse made at build time). Pure. */
export function rulePackFromDocument(doc: unknown, fileName: string): RulePack {
  const head = PackSchema.safeParse(doc);
  if (!head.success) throw new RulePackError('E021', `${fileName}: ${describeSchemaIssue(head.error)}`);
  const rules = head.data.rules.map((r, i) => checkRule(r, fileName, i));
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw new RulePackError('E023', `${where(fileName, r.id)}: duplicate rule id`);
    seen.add(r.id);
  }
  return { pack: head.data.pack, version: head.data.version, description: head.data.description, fileName, rules };
}

/** A rule pack that cannot be used: E020–E025, naming the file (and rule), never note text. */
export class RulePackError extends PhiRedactError {
  override name = 'RulePackError';
}
