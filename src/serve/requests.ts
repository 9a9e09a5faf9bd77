import { z } from 'zod';
import { canonicalJson } from '../core/canonicalJson.js';
import { closest, ConfigSchema, configKeysAt, parseConfig, type Config } from '../core/config.js';
import { describeSchemaIssue, PhiRedactError } from '../core/errors.js';
import { LABELS } from '../core/labels.js';
import { readKnown } from '../detect/site/known.js';

/**
 * What `POST /v1/redact` and `POST /v1/analyze` accept and return, as zod schemas: the handlers
 * validate with them and the OpenAPI document (openapi.ts) is generated from them, so the two
 * cannot drift. Pure: no I/O.
 *
 * A request's `config` is a partial config (the config file's schema) merged over the server's;
 * what only the operator may set — file paths (the server's files are not the client's to
 * read), budgets, threads, the run memory — is refused (E133).
 */

/** Top-level config sections a request may not name at all: paths, budgets, the server itself. */
const SERVER_ONLY_SECTIONS = ['rules', 'dictionaries', 'limits', 'serve', 'site'] as const;

/** Fields inside allowed sections that stay the operator's: a path, the cores, cross-request memory. */
const SERVER_ONLY_FIELDS: readonly (readonly [string, string])[] = [
  ['ner', 'modelDir'],
  ['ner', 'threads'],
  ['consistency', 'run'],
  ['consistency', 'memory'],
];

/** The config a request may send (the config file's schema less the operator's sections). */
export const RequestConfigSchema = ConfigSchema.omit({ rules: true, dictionaries: true, limits: true, serve: true, site: true }).describe(
  'A partial phi-redact config (the config file schema), merged over the server config. Not allowed: rules, dictionaries, limits, serve, site (the server\'s site lists apply), ner.modelDir, ner.threads, consistency.run, consistency.memory (E133).',
);

export const NoteSchema = z
  .object({
    text: z.string().describe('The note (UTF-16 offsets in responses count into it).'),
    id: z.string().max(256).optional().describe('Echoed back; never interpreted.'),
    patientId: z.string().min(1).max(256).optional().describe('Surrogate scope: the same patient gets the same surrogates and date shift.'),
    known: z
      .record(z.string(), z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]))
      .optional()
      .describe(
        "What the record system knows about the note's patient (README 'Adapting to your site'): {names, relatives, mrn, ids, dob, phone, email, address, ...: value or list}. Found in the note and redacted whatever the detectors say; never echoed or logged.",
      ),
  })
  .strict();

export const SingleRequestSchema = NoteSchema.extend({ config: RequestConfigSchema.optional() }).strict();
export const BatchRequestSchema = z.object({ notes: z.array(NoteSchema).min(1), config: RequestConfigSchema.optional() }).strict();
export const NoteRequestSchema = z.union([SingleRequestSchema, BatchRequestSchema]);

export type NoteInput = z.infer<typeof NoteSchema>;
export interface NoteRequest {
  readonly notes: readonly NoteInput[];
  /** True for `{notes: [...]}`: the response is `{notes: [...]}` too. */
  readonly batch: boolean;
  /** The request's raw partial config, checked, not yet merged. */
  readonly config?: Record<string, unknown>;
}

/** Parses a request body: a single note, or a batch (a body with `notes`). E132 on a schema failure, E133 on an operator's setting. */
export function parseNoteRequest(body: unknown, maxBatch: number): NoteRequest {
  const batch = isPlainObject(body) && 'notes' in body;
  // The operator's settings first, so the answer says why (the schema would only call them unknown).
  const raw = isPlainObject(body) && isPlainObject(body.config) ? body.config : undefined;
  if (raw !== undefined) refuseServerOnly(raw);
  const result = (batch ? BatchRequestSchema : SingleRequestSchema).safeParse(body);
  if (!result.success) throw new PhiRedactError('E132', `request body: ${describeIssue(result.error)}`);
  const notes = 'notes' in result.data ? result.data.notes : [{ text: result.data.text, id: result.data.id, patientId: result.data.patientId, known: result.data.known }];
  notes.forEach((n, i) => {
    const known = n.known === undefined ? undefined : readKnown(n.known);
    if (known !== undefined && !known.ok) throw new PhiRedactError('E132', `request body: ${batch ? `note ${i} ` : ''}known ${known.reason}`);
  });
  if (notes.length > maxBatch) throw new PhiRedactError('E132', `request body: ${notes.length} notes in one batch, more than serve.maxBatch (${maxBatch})`);
  return { notes, batch, ...(raw !== undefined ? { config: raw } : {}) };
}

/**
 * A schema failure without the client's words: zod quotes an unknown key, and a key may be
 * anything, so it is never repeated; the nearest known key (ours) is suggested instead.
 */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue?.code !== 'unrecognized_keys') return describeSchemaIssue(error);
  const path = issue.path.map(String).join('.') || '(root)';
  const known = knownKeysAt(issue.path);
  const hints = issue.keys.map((k) => closest(k, known)).filter((h) => h !== undefined);
  return `unknown field at ${path}${hints.length > 0 ? ` (did you mean "${hints[0]}"?)` : ''}; known: ${known.join(', ')}`;
}

/** The keys a request may have at `path` (request root, `config`, or a config section). */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const [head, ...rest] = path.filter((p) => typeof p === 'string');
  if (head === undefined) return [...Object.keys(SingleRequestSchema.shape), 'notes'];
  if (head === 'config') return rest.length === 0 ? Object.keys(RequestConfigSchema.shape) : configKeysAt(rest);
  if (head === 'notes') return Object.keys(NoteSchema.shape);
  return [];
}

function refuseServerOnly(config: Record<string, unknown>): void {
  // The schema already refused the sections (unknown keys); this names why, for the fields inside allowed ones.
  for (const section of SERVER_ONLY_SECTIONS) {
    if (Object.hasOwn(config, section)) throw new PhiRedactError('E133', `request config: "${section}" is the server operator's setting`);
  }
  for (const [section, field] of SERVER_ONLY_FIELDS) {
    const inner = config[section];
    if (typeof inner === 'object' && inner !== null && Object.hasOwn(inner, field)) {
      throw new PhiRedactError('E133', `request config: "${section}.${field}" is the server operator's setting`);
    }
  }
}

/**
 * The effective config of a request: its partial config merged over the server's (objects key by
 * key, everything else replaced), checked by the config schema. The run memory is always off:
 * a response must never depend on other clients' notes.
 */
export function requestConfig(server: Config, partial: Record<string, unknown> | undefined): Config {
  const merged = partial === undefined ? server : parseConfig(mergeDeep(server, partial), 'request config');
  return merged.consistency.run ? { ...merged, consistency: { ...merged.consistency, run: false } } : merged;
}

/** `over` merged into `base`: plain objects merged key by key, arrays and scalars replaced. Returns new objects. */
export function mergeDeep(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  // defineProperty: a key named __proto__ stays a plain key (the schema refuses it afterwards).
  for (const [k, v] of Object.entries(over)) {
    Object.defineProperty(out, k, { value: mergeDeep(Object.hasOwn(base, k) ? base[k] : undefined, v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Identity of everything that changes a pipeline's output; the pipeline cache's key. */
export function configKey(config: Config): string {
  const { serve: _server, limits: _budgets, ...output } = config;
  return canonicalJson(output);
}

// Responses. Spans carry offsets, labels and detector ids; their text only when the operator set serve.spanText.
const label = z.enum(LABELS);
export const SpanSchema = z.object({
  start: z.number().int().describe('Offset into the input note (UTF-16 code units).'),
  end: z.number().int().describe('End-exclusive.'),
  label,
  subtype: z.string().optional(),
  source: z.string().describe('Detector id, e.g. rules/us-ssn.'),
  score: z.number(),
  text: z.string().optional().describe('The original text of the span: only when the server sets serve.spanText.'),
});
export const RedactedSpanSchema = SpanSchema.extend({
  outStart: z.number().int().describe('Offset into the redacted text.'),
  outEnd: z.number().int(),
  operator: z.enum(['tag', 'mask', 'surrogate', 'keep']),
});
export const ErrorSchema = z.object({
  code: z.string().describe('An error code from the table in src/core/errors.ts (E130-E139 for the service).'),
  message: z.string().describe('PHI-free: names offsets, fields and limits, never note text.'),
});
const noteError = z.object({ id: z.string().optional(), error: ErrorSchema });
export const RedactedNoteSchema = z.object({ id: z.string().optional(), text: z.string(), spans: z.array(RedactedSpanSchema) });
export const AnalyzedNoteSchema = z.object({ id: z.string().optional(), spans: z.array(SpanSchema) });
export const RedactResponseSchema = z.union([
  RedactedNoteSchema,
  z.object({ notes: z.array(z.union([RedactedNoteSchema, noteError])).describe('In request order; a failed note has `error` instead.') }),
]);
export const AnalyzeResponseSchema = z.union([
  AnalyzedNoteSchema,
  z.object({ notes: z.array(z.union([AnalyzedNoteSchema, noteError])) }),
]);
export const HealthSchema = z.object({ status: z.literal('ok') });
export const ReadySchema = z.object({
  status: z.enum(['ready', 'loading', 'stopping']),
  detectors: z.array(z.string()).optional().describe('The loaded detector ids (when ready).'),
  fingerprints: z.record(z.string(), z.string()).optional().describe('Config, rules and model fingerprints (when ready).'),
});
