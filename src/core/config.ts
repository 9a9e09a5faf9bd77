import { z } from 'zod';
import { LABELS } from './labels.js';

/**
 * The one configuration document (JSON or YAML), validated at load time. Every field has a
 * default, so `{}` is a complete config. Fields for later stages (NER, surrogates) live here
 * too so a run's fingerprint covers everything that changes its output.
 */
const operatorName = z.enum(['tag', 'mask', 'surrogate', 'keep']);

export const PolicySchema = z
  .object({ DEFAULT: operatorName.default('tag') })
  .extend(Object.fromEntries(LABELS.map((l) => [l, operatorName.optional()])) as Record<(typeof LABELS)[number], z.ZodOptional<typeof operatorName>>)
  .strict();

export const ConfigSchema = z
  .object({
    detectors: z.array(z.enum(['rules', 'dictionaries', 'ner'])).min(1).default(['rules', 'dictionaries', 'ner']),
    rules: z
      .object({
        /** Rule pack files or folders; relative paths resolve against the config file (default: the bundled `rules/`). */
        packs: z.array(z.string()).optional(),
      })
      .strict()
      .default({}),
    dictionaries: z
      .object({
        /** Folder with names.yaml and places.yaml cue files, relative to the config file (default: the bundled `assets/dictionaries/`). */
        cues: z.string().optional(),
      })
      .strict()
      .default({}),
    ner: z
      .object({
        modelDir: z.string().optional(),
        /**
         * onnxruntime intra-op threads per pipeline. Unset: the cores divided among the worker
         * threads (at least 1) — two workers of two threads each on 2 cores ran 1.3x slower
         * than two of one (bench/bench-ner.ts --workers 2: 702 vs 912 notes/s).
         */
        threads: z.number().int().min(1).max(64).optional(),
        /**
         * A word is PHI when 1 − P(O) reaches this. Chosen on the held-out validation patients
         * with model v5 (rules + dictionaries + ner, numeric and plain-word thresholds 0.9): 0.3 →
         * token recall 0.978 at precision 0.784; 0.5 → 0.955 at 0.829. Recall first. The shipped
         * v10 at 0.3, with the later second looks and rules: 0.994 at 0.851 (models/MODEL_CARD.md).
         */
        threshold: z.number().min(0).max(1).default(0.3),
        /**
         * Score an NER span without letters (a bare number: a time, a dose, a vital sign, or a
         * date/ID the rules also read) needs to be kept. Same split: 0.9 raised precision from
         * 0.644 to 0.744 at the same recall; 1 (drop them all) lost a date token.
         */
        numericThreshold: z.number().min(0).max(1).default(0.9),
        /**
         * Score a NAME/LOCATION/ORGANIZATION/PROFESSION span made only of plain words (medical
         * terms, drug brands, English words no name list holds) needs to be kept. Same split:
         * 0.9 raised precision from 0.744 to 0.784 at the same recall; 0.95 lost a name token.
         * Set it to `threshold` (or lower) to turn the check off.
         */
        plainWordThreshold: z.number().min(0).max(1).default(0.9),
        windowTokens: z.number().int().min(16).max(4096).default(256),
        strideTokens: z.number().int().min(0).max(4096).default(32),
        /**
         * Windows per onnxruntime call. 1 by default: no padding, as fast as 4 and 30 % cheaper
         * than 16 (bench/bench-ner.ts), and an int8 model's dynamic activation scales then never
         * depend on which other notes share the batch (output is the same however notes are batched).
         */
        batchSize: z.number().int().min(1).max(256).default(1),
      })
      .strict()
      .default({ threshold: 0.3, numericThreshold: 0.9, plainWordThreshold: 0.9, windowTokens: 256, strideTokens: 32, batchSize: 1 }),
    merge: z
      .object({
        threshold: z.number().min(0).max(1).default(0),
        safeOverride: z.number().min(0).max(1).default(0.95),
      })
      .strict()
      .default({ threshold: 0, safeOverride: 0.95 }),
    policy: PolicySchema.default({ DEFAULT: 'tag' }),
    /** `safe-harbor`: HIPAA Safe Harbor policy (src/transform/safeHarbor.ts); explicit `policy` labels still win. */
    preset: z.enum(['none', 'safe-harbor']).default('none'),
    /** Options of the `surrogate` operator (src/transform/operators/surrogate.ts). */
    surrogate: z
      .object({
        scope: z.enum(['patient', 'corpus']).default('patient'),
        patientId: z
          .object({
            from: z.enum(['field', 'filename', 'folder']).default('field'),
            field: z.string().min(1).default('patient_id'),
            /** Regex on the file name; first capture group (or `(?<patient>…)`) is the id. */
            pattern: z
              .string()
              .min(1)
              .refine((p) => {
                try {
                  new RegExp(p, 'u');
                  return true;
                } catch {
                  return false;
                }
              }, 'not a valid regular expression')
              .optional(),
          })
          .strict()
          .prefault({}),
        dateShift: z
          .object({
            minDays: z.number().int().default(-365),
            maxDays: z.number().int().default(-1),
            keepWeekday: z.boolean().default(false),
            /** Dates to year only; unset: true under the safe-harbor preset, else false. */
            yearOnly: z.boolean().optional(),
            referenceYear: z.number().int().min(1000).max(9999).default(2000),
          })
          .strict()
          .refine((d) => d.minDays <= d.maxDays, { message: 'minDays must be <= maxDays' })
          .prefault({}),
        ageOver89: z.string().min(1).default('90+'),
        agesUnder90: z.enum(['keep', 'tag']).default('keep'),
        keepChecksum: z.boolean().default(false),
        zip: z.enum(['surrogate', 'zip3']).optional(),
        keepStates: z.boolean().optional(),
        /** Refuse to run without --key-file or PHI_REDACT_KEY (no per-run random key): E117. */
        requireKey: z.boolean().optional(),
      })
      .strict()
      .prefault({}),
  })
  .passthrough();

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code} ${message}`);
    this.name = 'ConfigError';
  }
}

/** Validates a parsed config object; `where` names the file for the error message. */
export function parseConfig(raw: unknown, where = 'config'): Config {
  const result = ConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new ConfigError('E010', `${where}: invalid value at ${path}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
