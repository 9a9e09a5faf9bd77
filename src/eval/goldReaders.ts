import { z } from 'zod';
import type { Label } from '../core/labels.js';
import type { Span } from '../core/span.js';
import { EvalInputError } from './errors.js';
import { mapGoldLabel } from './labelMap.js';
import { codePointToUtf16Map, hasAstral } from './offsets.js';
import type { GoldDoc, GoldSpan } from './types.js';

/**
 * Readers for evaluation input: gold JSONL, BRAT standoff folders and prediction JSONL.
 * Every error is an EvalInputError naming the file and line, never note text (zod and
 * JSON.parse messages can quote input, so neither is passed on).
 *
 * Gold JSONL, one note per line: `{id, text, spans:[{start, end, label, subtype?, text?}]}`.
 * Offsets are end-exclusive. The shared gold was written by Python, so offsets count code
 * points; JS counts UTF-16 code units. With `offsets: 'auto'` (default) a note with characters
 * outside the BMP is read as code points, unless only the UTF-16 reading makes every span's
 * `text` match the note. Labels may be our coarse labels or common corpus types (see
 * `mapGoldLabel`); the corpus type is kept as the subtype.
 *
 * BRAT: a folder (searched recursively) of `name.ann` files, each beside `name.txt`; the note id
 * is the path of the pair relative to the folder, without extension. Text-bound lines
 * `T1<TAB>TYPE start end[;start end...]<TAB>text` become one gold span per fragment
 * (a discontinuous entity is scored by its pieces); A/R/E/M/N/# lines are ignored.
 *
 * Predictions: the JSONL `phi-redact redact --format jsonl --emit spans` writes,
 * `{id, text, spans:[{start, end, label, subtype?, source, score}]}` with offsets (UTF-16) into
 * the INPUT note; `text` (the redacted note) is ignored. An optional `raw` array carries
 * pre-merge spans for per-detector attribution.
 */

export type OffsetUnit = 'auto' | 'codepoint' | 'utf16';

export interface GoldReadOptions {
  readonly offsets?: OffsetUnit;
  /** How to name the path in error messages (the path as the user typed it); default the path itself. */
  readonly displayPath?: string;
}

/** A prediction line: spans in JS string offsets, to be joined with the gold by id. */
export interface PredDoc {
  readonly id: string;
  readonly line: number;
  readonly spans: readonly Span[];
  readonly raw?: readonly Span[];
  /** From a run's manifest: other names of the note (its output path without the extension), and gold may be a sample of the run. */
  readonly fromManifest?: { readonly aliases: readonly string[] };
}

const nonNegInt = z.number().int().min(0);

const GoldSpanSchema = z.object({
  start: nonNegInt,
  end: nonNegInt,
  label: z.string().min(1),
  subtype: z.string().nullish(),
  text: z.string().nullish(),
});

const GoldLineSchema = z.object({
  id: z.union([z.string().min(1), z.number()]),
  text: z.string(),
  spans: z.array(GoldSpanSchema),
});

const PredSpanSchema = z.object({
  start: nonNegInt,
  end: nonNegInt,
  label: z.string().min(1),
  subtype: z.string().nullish(),
  source: z.string().min(1).default('external'),
  score: z.number().min(0).max(1).default(1),
  sources: z.array(z.string().min(1)).optional(),
});

/** A folder run's manifest line (`<out>/.phi-redact/manifest.jsonl`): the output path names the note. */
const ManifestLineSchema = z.object({
  output: z.string().min(1),
  status: z.string(),
  spans: z.array(PredSpanSchema).optional(),
});

const PredLineSchema = z.object({
  id: z.union([z.string().min(1), z.number()]),
  spans: z.array(PredSpanSchema),
  raw: z.array(PredSpanSchema).optional(),
});

/** A zod issue described by path and kind only: zod messages for some issue kinds quote values. */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid line';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  const kind = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.code.replace(/_/g, ' ');
  return `${path}: ${kind}`;
}

/** Label names are type names, but a broken file could put anything there: show only tame ones. */
function labelForMessage(name: string): string {
  return /^[\w-]{1,40}$/.test(name) ? ` "${name}"` : '';
}

function mapLabel(name: string, where: string, what: string): Label {
  const label = mapGoldLabel(name);
  if (!label) throw new EvalInputError('E076', where, `${what}: unknown label${labelForMessage(name)}`);
  return label;
}

function splitLines(content: string): string[] {
  const lines = content.split('\n');
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function parseJsonLine(line: string, where: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new EvalInputError('E072', where, 'not valid JSON');
  }
}

interface Entity {
  /** `spans[3]` or `T12`, for messages. */
  readonly name: string;
  readonly where: string;
  readonly fragments: readonly { readonly start: number; readonly end: number }[];
  readonly label: Label;
  readonly subtype?: string;
  readonly text?: string;
}

/** Checks every entity against the note in one offset unit; returns the first problem or the spans. */
function tryResolve(text: string, entities: readonly Entity[], unit: 'codepoint' | 'utf16'): GoldSpan[] | EvalInputError {
  const map = unit === 'codepoint' ? codePointToUtf16Map(text) : undefined;
  const length = map ? map.length - 1 : text.length;
  const out: GoldSpan[] = [];
  for (const e of entities) {
    const frags: { start: number; end: number }[] = [];
    for (const f of e.fragments) {
      if (f.end <= f.start || f.end > length) {
        return new EvalInputError('E074', e.where, `${e.name} [${f.start}, ${f.end}) does not fit a note of length ${length}`);
      }
      frags.push(map ? { start: map[f.start]!, end: map[f.end]! } : f);
    }
    if (e.text !== undefined && frags.map((f) => text.slice(f.start, f.end)).join(' ') !== e.text) {
      return new EvalInputError('E075', e.where, `${e.name} text differs from the note at its offsets`);
    }
    for (const f of frags) out.push({ start: f.start, end: f.end, label: e.label, ...(e.subtype !== undefined ? { subtype: e.subtype } : {}) });
  }
  return out;
}

function resolveEntities(text: string, entities: readonly Entity[], unit: OffsetUnit): GoldSpan[] {
  let result: GoldSpan[] | EvalInputError;
  if (unit === 'utf16' || !hasAstral(text)) result = tryResolve(text, entities, 'utf16');
  else if (unit === 'codepoint') result = tryResolve(text, entities, 'codepoint');
  else {
    result = tryResolve(text, entities, 'codepoint');
    if (result instanceof EvalInputError) {
      const asUtf16 = tryResolve(text, entities, 'utf16');
      if (!(asUtf16 instanceof EvalInputError)) result = asUtf16;
    }
  }
  if (result instanceof EvalInputError) throw result;
  return result;
}

function checkUniqueId(seen: Map<string, string>, id: string, where: string): void {
  const first = seen.get(id);
  if (first !== undefined) throw new EvalInputError('E077', where, `note id already used at ${first}`);
  seen.set(id, where);
}

/** Parses gold JSONL content; `file` names the source in errors. Blank lines are skipped. */
export function parseGoldJsonl(content: string, file: string, options: GoldReadOptions = {}): GoldDoc[] {
  const docs: GoldDoc[] = [];
  const seen = new Map<string, string>();
  splitLines(content).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    const parsed = GoldLineSchema.safeParse(parseJsonLine(line, where));
    if (!parsed.success) throw new EvalInputError('E073', where, describeIssue(parsed.error.issues[0]));
    const { text, spans } = parsed.data;
    const id = String(parsed.data.id);
    checkUniqueId(seen, id, where);
    const entities: Entity[] = spans.map((s, k) => {
      const name = `spans[${k}]`;
      const label = mapLabel(s.label, where, name);
      const subtype = s.subtype ?? (label !== s.label ? s.label : undefined);
      return {
        name,
        where,
        fragments: [{ start: s.start, end: s.end }],
        label,
        ...(subtype != null ? { subtype } : {}),
        ...(s.text != null ? { text: s.text } : {}),
      };
    });
    docs.push({ id, text, spans: resolveEntities(text, entities, options.offsets ?? 'auto') });
  });
  return docs;
}

const BRAT_TEXT_BOUND = /^(T[^\t]*)\t([^\t ]+) (\d+ \d+(?:;\d+ \d+)*)(?:\t(.*))?$/;
/** Annotation kinds other than text-bound ones, which carry no spans of their own. */
const BRAT_IGNORED = /^[AREMN#*]/;

/** Parses one BRAT document (`.txt` content + `.ann` content). */
export function parseBratDocument(id: string, text: string, ann: string, annFile: string, options: GoldReadOptions = {}): GoldDoc {
  const entities: Entity[] = [];
  splitLines(ann).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${annFile}:${i + 1}`;
    const m = BRAT_TEXT_BOUND.exec(line);
    if (!m) {
      if (line.startsWith('T') || !BRAT_IGNORED.test(line)) {
        throw new EvalInputError('E078', where, 'malformed annotation line (expected "T<n><TAB>TYPE start end[;start end]<TAB>text")');
      }
      return;
    }
    const [, name, type, ranges, spanText] = m as unknown as [string, string, string, string, string | undefined];
    const fragments = ranges.split(';').map((r) => {
      const [s, e] = r.split(' ').map(Number) as [number, number];
      return { start: s, end: e };
    });
    entities.push({
      name: name.slice(0, 20),
      where,
      fragments,
      label: mapLabel(type, where, name.slice(0, 20)),
      subtype: type,
      ...(spanText !== undefined ? { text: spanText } : {}),
    });
  });
  return { id, text, spans: resolveEntities(text, entities, options.offsets ?? 'auto').sort((a, b) => a.start - b.start || a.end - b.end) };
}

function isManifestLine(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !('id' in v) && 'output' in v && 'status' in v;
}

function predSpans(list: z.infer<typeof PredSpanSchema>[], field: string, where: string): Span[] {
  return list.map((s, k) => {
    if (s.end <= s.start) throw new EvalInputError('E074', where, `${field}[${k}] [${s.start}, ${s.end}) is empty or reversed`);
    const label = mapLabel(s.label, where, `${field}[${k}]`);
    return {
      start: s.start,
      end: s.end,
      label,
      source: s.source,
      score: s.score,
      ...(s.subtype != null ? { subtype: s.subtype } : {}),
      ...(s.sources !== undefined && s.sources.length > 0 ? { sources: [...new Set(s.sources)].sort() } : {}),
    };
  });
}

/**
 * Parses prediction JSONL content: `redact --format jsonl --emit spans` output, or a folder
 * run's manifest (`<out>/.phi-redact/manifest.jsonl`: done notes, named by output path).
 */
export function parsePredJsonl(content: string, file: string): PredDoc[] {
  const docs: PredDoc[] = [];
  const seen = new Map<string, string>();
  /** Manifest notes by output path -> index in `docs` (a resumed run repeats a note; the later line wins). */
  const manifestIndex = new Map<string, number>();
  splitLines(content).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    const value = parseJsonLine(line, where);
    if (isManifestLine(value)) {
      const m = ManifestLineSchema.safeParse(value);
      if (!m.success) throw new EvalInputError('E073', where, describeIssue(m.error.issues[0]));
      // Failed notes have no output; with --resume, a later line for the same note wins.
      if (m.data.status !== 'done') return;
      if (m.data.spans === undefined) throw new EvalInputError('E073', where, 'a done manifest line without spans');
      const id = m.data.output;
      const doc: PredDoc = { id, line: i + 1, spans: predSpans(m.data.spans, 'spans', where), fromManifest: { aliases: [id.replace(/\.[^./\\]+$/, '')] } };
      const k = manifestIndex.get(id);
      if (k !== undefined) docs[k] = doc;
      else manifestIndex.set(id, docs.push(doc) - 1);
      return;
    }
    const parsed = PredLineSchema.safeParse(value);
    if (!parsed.success) throw new EvalInputError('E073', where, describeIssue(parsed.error.issues[0]));
    const id = String(parsed.data.id);
    checkUniqueId(seen, id, where);
    docs.push({
      id,
      line: i + 1,
      spans: predSpans(parsed.data.spans, 'spans', where),
      ...(parsed.data.raw !== undefined ? { raw: predSpans(parsed.data.raw, 'raw', where) } : {}),
    });
  });
  return docs;
}
