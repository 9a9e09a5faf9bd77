import { z } from 'zod';
import { DETECTOR_KINDS } from './detectorKinds.js';
import { ConfigError, describeSchemaIssue } from './errors.js';
import { LABELS } from './labels.js';

export { ConfigError } from './errors.js';

/**
 * The one configuration document (JSON or YAML), validated at load time, and the only place
 * defaults are written: every field has one, so `{}` is a complete config, and the library's
 * other defaults (CONFIG_DEFAULTS) are read from here. Unknown keys fail at every level, the root
 * included, with the nearest known key as a suggestion. Fields for later stages (NER, surrogates)
 * live here too so a run's fingerprint covers everything that changes its output. Measured
 * figures behind the NER defaults are in models/MODEL_CARD.md.
 */
/** The input formats a run reads (src/node/formats). */
export const RECORD_FORMATS = ['text', 'jsonl', 'csv', 'fhir'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** True when Node's TextDecoder knows the label (`latin1`, `windows-1252`, `utf-8`, ...). */
export function isEncodingLabel(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

const operatorName = z.enum(['tag', 'mask', 'surrogate', 'keep']);

export const PolicySchema = z
  .object({ DEFAULT: operatorName.default('tag') })
  .extend(Object.fromEntries(LABELS.map((l) => [l, operatorName.optional()])) as Record<(typeof LABELS)[number], z.ZodOptional<typeof operatorName>>)
  .strict();

export const ConfigSchema = z
  .object({
    detectors: z.array(z.enum(DETECTOR_KINDS)).min(1).default([...DETECTOR_KINDS]),
    rules: z
      .object({
        /** Rule pack files or folders, relative to the config file: added to the bundled `assets/rules/` packs. */
        packs: z.array(z.string()).optional(),
        /** false: `packs` replace the bundled packs instead of adding to them. */
        bundled: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
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
        /** onnxruntime intra-op threads per pipeline. Unset: the cores divided among the worker threads (at least 1). */
        threads: z.number().int().min(1).max(64).optional(),
        /** A word is PHI when 1 − P(O) reaches this. Low: recall first. */
        threshold: z.number().min(0).max(1).default(0.3),
        /** Score an NER span without letters (a bare number: a time, a dose, a vital sign, or a date/ID the rules also read) needs to be kept. */
        numericThreshold: z.number().min(0).max(1).default(0.9),
        /**
         * Score a NAME/LOCATION/ORGANIZATION/PROFESSION span made only of plain words (medical
         * terms, drug brands, English words no name list holds) needs to be kept. Set it to
         * `threshold` (or lower) to turn the check off.
         */
        plainWordThreshold: z.number().min(0).max(1).default(0.9),
        /**
         * Score a one-word NAME/LOCATION span with no capital's sign of a name needs: lower case
         * where the note capitalises, any word of an ALL-CAPS note, an English word in a
         * lower-case note (src/detect/ner/filters.ts keepSpans).
         */
        uncapitalisedThreshold: z.number().min(0).max(1).default(0.8),
        /** Score a one-word NAME/LOCATION span that is a typing slip of a plain word ("agiation") needs: 1, only a certain one. */
        slipThreshold: z.number().min(0).max(1).default(1),
        /** Score any one-word NAME/LOCATION span needs: no second word makes it look like a name (measured on fold models, model card). */
        oneWordThreshold: z.number().min(0).max(1).default(0.5),
        /**
         * Score a one-word NAME/LOCATION span needs to stand alone: under it the span is kept only
         * where another finding of a word label (another detector's, or the model's own longer
         * span) overlaps or adjoins it on its line (src/core/merge.ts dropUnsupported), or, in an
         * ALL-CAPS note, a place after a preposition of place. Measured on fold models, model card.
         */
        standAloneThreshold: z.number().min(0).max(1).default(0.9),
        windowTokens: z.number().int().min(16).max(4096).default(256),
        strideTokens: z.number().int().min(0).max(4096).default(32),
        /**
         * Windows per onnxruntime call. 1: no padding, and an int8 model's dynamic activation
         * scales then never depend on which other notes share the batch (output is the same
         * however notes are batched).
         */
        batchSize: z.number().int().min(1).max(256).default(1),
      })
      .strict()
      .prefault({}),
    /**
     * Consistency (src/detect/repeats): a NAME or LOCATION found with this merged score or more is
     * also redacted where the same words recur, in the same note (`note`) and in later notes the
     * same process handles in this run (`run`: a stream, each pool or queue worker; bounded by
     * `memory` strings, oldest forgotten first). Needs the word lists (dictionaries or ner).
     */
    consistency: z
      .object({
        note: z.boolean().default(true),
        run: z.boolean().default(true),
        minScore: z.number().min(0).max(1).default(0.8),
        memory: z.number().int().min(1).max(1_000_000).default(5_000),
      })
      .strict()
      .prefault({}),
    /**
     * Per-note budgets of a folder run's worker threads (src/node/runs/pool/engine.ts). A note that
     * runs longer than `noteSeconds` (from the moment its worker starts on it) or takes its worker's
     * JS heap past `workerMemoryMb` is stopped and failed (E058, E059); the run goes on. 0: no
     * limit. They never change an output's bytes, so they are left out of the run fingerprint.
     * 4096 MB: far above what a note needs now that long notes are redacted piece by piece
     * (src/pipeline/streamed.ts: a 50 MB note, ordinary or dense, stays under 600 MB RSS), so it
     * stops runaway cases, not big notes.
     */
    limits: z
      .object({
        noteSeconds: z.number().min(0).max(86_400).default(900),
        workerMemoryMb: z.number().int().min(0).max(1_048_576).default(4096),
      })
      .strict()
      .prefault({}),
    /**
     * `phi-redact serve` (src/serve): where it listens and how much it takes at once. Never part of
     * a run's fingerprint (they decide whether a request is served, not its bytes), and a request's
     * `config` may not set them. Host: loopback unless the command also says --allow-remote.
     */
    serve: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        /** 0: a free port chosen by the system (printed at start). */
        port: z.number().int().min(0).max(65_535).default(8080),
        /** A larger request body is refused unread (413, E135). */
        maxBodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
        /** Requests being served at once (the pipeline routes); one more is refused (503, E136, Retry-After). */
        maxInFlight: z.number().int().min(1).max(1024).default(8),
        /** Notes in one batch request. */
        maxBatch: z.number().int().min(1).max(10_000).default(100),
        /** A note whose detection runs longer fails (E137); 0: no limit. Checked between pipeline steps. */
        noteSeconds: z.number().min(0).max(3600).default(30),
        /** Pipelines kept for requests with their own `config` (by config fingerprint, least recently used dropped). */
        pipelines: z.number().int().min(0).max(16).default(2),
        /** Add each span's original text to responses (off: offsets only; the client has the note). */
        spanText: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /**
     * Site lists (src/detect/site, README "Adapting to your site"): files the site keeps, relative to
     * the config file, read at start and fingerprinted into the run's resume key and audit (never
     * logged). `deny`: phrases always redacted as `label` (institutions, wards, local towns); `roster`:
     * staff names, matched with their variants; `allow`: words never PHI here, which no detector
     * overrides; `knownField`: the JSONL field holding a record's known identifiers (dropped from the
     * output). `lists`: reviewed YAML files holding all three (what `phi-redact lists learn` writes).
     */
    site: z
      .object({
        deny: z
          .array(
            z
              .object({
                label: z.enum(LABELS),
                subtype: z.string().min(1).optional(),
                file: z.string().min(1),
              })
              .strict(),
          )
          .default([]),
        roster: z.array(z.string().min(1)).default([]),
        /** YAML files of all three at once, in the form `phi-redact lists learn` proposes (deny: {LABEL: [...]}, roster, allow). */
        lists: z.array(z.string().min(1)).default([]),
        allow: z.array(z.string().min(1)).default([]),
        knownField: z.string().min(1).default('phi'),
      })
      .strict()
      .prefault({}),
    /**
     * How folder and file runs (and stdin) read their inputs (src/node/formats). `auto`: by
     * extension (.jsonl/.ndjson, .csv, .json = FHIR R4, anything else text); stdin reads text.
     * `encoding`: a WHATWG label Node's TextDecoder knows (windows-1252, latin1, ...); outputs are
     * always UTF-8. CSV: the column redacted and the column naming each record (vault note ids);
     * every other column is copied unchanged.
     */
    input: z
      .object({
        format: z.enum(['auto', ...RECORD_FORMATS]).default('auto'),
        encoding: z.string().min(1).refine(isEncodingLabel, 'not an encoding label TextDecoder knows').default('utf-8'),
        csv: z
          .object({
            textColumn: z.string().min(1).default('text'),
            idColumn: z.string().min(1).default('id'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    merge: z
      .object({
        threshold: z.number().min(0).max(1).default(0),
        safeOverride: z.number().min(0).max(1).default(0.95),
      })
      .strict()
      .prefault({}),
    policy: PolicySchema.prefault({}),
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
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
/** What a config file or a library caller may write: any part of a Config, the rest defaulted. */
export type ConfigInput = z.input<typeof ConfigSchema>;

/** The all-defaults config: where the library's defaults (NER, surrogates) are read from. */
export const CONFIG_DEFAULTS: Config = ConfigSchema.parse({});


/** Validates a parsed config object; `where` names the file for the error message. */
export function parseConfig(raw: unknown, where = 'config'): Config {
  const result = ConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    if (issue?.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const hint = closest(key, knownKeys(issue.path));
      throw new ConfigError('E010', `${where}: unknown key "${key}" at ${path}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`);
    }
    throw new ConfigError('E010', `${where}: ${describeSchemaIssue(result.error)}`);
  }
  return result.data;
}

/** The keys the schema allows at `path` (an object's path in the config). */
export function configKeysAt(path: readonly PropertyKey[]): string[] {
  return knownKeys(path);
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  let node = unwrap(ConfigSchema);
  for (const p of path) {
    const child = node instanceof z.ZodObject ? (node.shape as Record<string, z.ZodType | undefined>)[String(p)] : undefined;
    if (child === undefined) return [];
    node = unwrap(child);
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(t: z.ZodType): z.ZodType {
  let cur: unknown = t;
  // Defaults, optionals and refinements wrap the object; look through them.
  while (cur !== null && typeof cur === 'object' && 'unwrap' in cur && typeof (cur as { unwrap: unknown }).unwrap === 'function') {
    cur = (cur as { unwrap(): unknown }).unwrap();
  }
  const def = (cur as { def?: { innerType?: z.ZodType; in?: z.ZodType } }).def;
  if (def?.innerType) return unwrap(def.innerType);
  if (def?.in) return unwrap(def.in);
  return cur as z.ZodType;
}

/** The candidate nearest to `name` by edit distance, if it is close enough to be a typo of it. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Levenshtein distance (insert, delete, substitute), two rows. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
