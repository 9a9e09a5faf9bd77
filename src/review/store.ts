import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { LABELS } from '../core/labels.js';
import { decodeNote } from '../node/files/decodeNote.js';
import { MANIFEST_DIR, MANIFEST_FILE } from '../node/runs/manifest.js';
import { drawSample } from './sample.js';
import {
  ITEMS_FILE,
  SET_FILE,
  VERDICTS_FILE,
  reviewItemSchema,
  setInfoSchema,
  verdictEventSchema,
  type ItemSpan,
  type ReviewItem,
  type SetInfo,
  type SkippedNote,
  type Stratify,
  type VerdictEvent,
} from './types.js';
import { PhiRedactError, type ErrorCode } from '../core/errors.js';

/** File I/O of review sets. Errors name files and line numbers, never note text. */

/** A review set or run folder that cannot be used: E090–E099 (src/core/errors.ts). */
export class ReviewError extends PhiRedactError {
  override name = 'ReviewError';
}

/** Where a folder run keeps its manifest. Read with a schema here (not `readManifest`) so a
 *  malformed line stops sampling with its line number instead of being sampled wrongly. */
export const RUN_MANIFEST = join(MANIFEST_DIR, MANIFEST_FILE);

const manifestLineSchema = z.object({
  input: z.string(),
  output: z.string(),
  size: z.number().nullable().optional(),
  sha256: z.string().nullable().optional(),
  status: z.enum(['done', 'failed']),
  spans: z.array(
    z.object({
      start: z.number().int().nonnegative(),
      end: z.number().int().positive(),
      label: z.enum(LABELS),
      subtype: z.string().nullable().optional(),
      source: z.string(),
      score: z.number(),
    }),
  ),
  outSpans: z.array(z.object({ outStart: z.number().int(), outEnd: z.number().int(), label: z.string() })).optional(),
  fingerprint: z.string().optional(),
  format: z.enum(['jsonl', 'csv', 'fhir']).optional(),
});
type ManifestLine = z.infer<typeof manifestLineSchema>;

/**
 * The run's manifests: a folder run's `manifest.jsonl`, or a queue run's one file per worker
 * process (`manifest.<host>-<pid>.jsonl`), or both. One entry per input: the last line for it,
 * except that a failed line never hides a done one (a note a queue worker redid after another
 * failed on it, or a resumed run).
 */
export async function readRunManifest(runDir: string): Promise<ManifestLine[]> {
  const dir = join(runDir, MANIFEST_DIR);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n === MANIFEST_FILE || /^manifest\.[^/]+\.jsonl$/.test(n)).sort();
  if (names.length === 0) {
    throw new ReviewError('E090', `no run manifest at ${join(runDir, RUN_MANIFEST)} (nor a queue worker's manifest.<host>-<pid>.jsonl): is this the --out folder of a finished run?`);
  }
  const byInput = new Map<string, ManifestLine>();
  for (const name of names) {
    const path = join(dir, name);
    let raw: string;
    try {
      raw = await readFile(path, 'utf8');
    } catch {
      throw new ReviewError('E090', `cannot read the run manifest ${path}`);
    }
    // Only a torn tail is expected: a run appends one line at a time and dies at most mid-line.
    const entries = parseJsonLines(raw, path, manifestLineSchema, 'E091', 'not a manifest line', (i, n) => i >= n - 2);
    for (const entry of entries) {
      if (entry.status === 'failed' && byInput.get(entry.input)?.status === 'done') continue;
      byInput.set(entry.input, entry);
    }
  }
  return [...byInput.values()];
}

/** The longest folder all paths share (so ids are short and free of the machine's layout). */
export function commonDir(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  const split = paths.map((p) => dirname(p).split(sep));
  const first = split[0]!;
  let k = first.length;
  for (const parts of split) {
    let i = 0;
    while (i < k && parts[i] === first[i]) i++;
    k = i;
  }
  return first.slice(0, k).join(sep) || sep;
}

export interface SampleOptions {
  readonly run: string;
  readonly out: string;
  readonly n: number;
  readonly seed: number;
  readonly stratify: Stratify;
  readonly now?: Date;
  /** Told of each drawn note that is skipped (its id and the coded, PHI-free reason). */
  readonly onSkip?: (id: string, reason: string) => void;
}

/** Reads one sampled note: its input (checked against the run's hash), its output, its spans. */
async function readSampledNote(runDir: string, e: ManifestLine): Promise<Pick<ReviewItem, 'text' | 'redacted' | 'spans'>> {
  const path = isAbsolute(e.input) ? e.input : resolve(runDir, e.input);
  const bytes = await readFile(path).catch(() => {
    throw new ReviewError('E093', `cannot read input ${path} listed in the run manifest`);
  });
  if (e.sha256 && createHash('sha256').update(bytes).digest('hex') !== e.sha256) {
    throw new ReviewError('E094', `input ${path} changed since the run (sha256 differs): re-run before sampling`);
  }
  const outPath = isAbsolute(e.output) ? e.output : resolve(runDir, e.output);
  const redacted = await readFile(outPath, 'utf8').catch(() => {
    throw new ReviewError('E093', `cannot read output ${outPath} listed in the run manifest`);
  });
  let text: string;
  try {
    // The run's own decoding (BOM dropped), so manifest offsets land where they did in the run.
    text = decodeNote(bytes);
  } catch {
    throw new ReviewError('E093', `cannot decode input ${path} listed in the run manifest`);
  }
  const spans: ItemSpan[] = e.spans.map((s, k) => {
    if (s.end > text.length || s.start >= s.end) {
      throw new ReviewError('E095', `span [${s.start}, ${s.end}) does not fit input ${path} (length ${text.length})`);
    }
    const o = e.outSpans?.length === e.spans.length ? e.outSpans[k] : undefined;
    return {
      start: s.start,
      end: s.end,
      label: s.label,
      ...(s.subtype ? { subtype: s.subtype } : {}),
      source: s.source,
      score: s.score,
      ...(o && o.outEnd <= redacted.length ? { outStart: o.outStart, outEnd: o.outEnd } : {}),
    };
  });
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  return { text, redacted, spans };
}

/** Draws a review set from a finished run and writes it (mode 0600) to `out`, which must be new or empty. */
export async function writeReviewSet(opts: SampleOptions): Promise<SetInfo> {
  const runDir = resolve(opts.run);
  const entries = await readRunManifest(runDir);
  // A file of several notes (JSONL, CSV, FHIR) is one manifest line without spans: the page
  // would show the whole file as one note with nothing found, so such files are not sampled.
  const recordFiles = entries.filter((e) => e.status === 'done' && e.format !== undefined).length;
  const done = entries.filter((e) => e.status === 'done' && e.format === undefined);
  const inputPath = (e: ManifestLine): string => (isAbsolute(e.input) ? e.input : resolve(runDir, e.input));
  const base = commonDir(done.map(inputPath));
  const idOf = (e: ManifestLine): string => relative(base, inputPath(e)).split(sep).join('/');
  const byId = new Map(done.map((e) => [idOf(e), e] as const));
  if (byId.size === 0) {
    throw new ReviewError('E092', `the run at ${runDir} has no finished notes to sample${recordFiles > 0 ? ` (${recordFiles} JSONL/CSV/FHIR files are not sampled: redact their notes as text files to review them)` : ''}`);
  }

  const draw = drawSample(
    [...byId.entries()].map(([id, e]) => ({ id, size: e.size ?? 0, spans: e.spans })),
    opts.n,
    opts.seed,
    opts.stratify,
  );

  // A drawn note that cannot be read is skipped and reported; the next of its stratum's reserve takes its place.
  const items: ReviewItem[] = [];
  const skipped: SkippedNote[] = [];
  const reserve = new Map<string, string[]>([...draw.reserve].map(([k, ids]) => [k, [...ids]]));
  for (const pick of draw.picks) {
    for (let id: string | undefined = pick.id; id !== undefined; id = reserve.get(pick.stratum)?.shift()) {
      try {
        items.push({ id, stratum: pick.stratum, weight: pick.weight, ...(await readSampledNote(runDir, byId.get(id)!)) });
        break;
      } catch (err) {
        if (!(err instanceof ReviewError)) throw err;
        skipped.push({ id, reason: err.message });
        opts.onSkip?.(id, err.message);
      }
    }
  }
  if (items.length === 0) throw new ReviewError('E092', `none of the sampled notes of the run at ${runDir} could be read (${skipped.length} skipped: moved or changed inputs)`);
  // Weights follow what was actually drawn: a stratum that ran out of readable notes has fewer.
  const strata = draw.strata.map((st) => {
    const sampled = items.filter((it) => it.stratum === st.key).length;
    return { ...st, sampled, weight: sampled > 0 ? st.population / sampled : 0 };
  });
  const weightOf = new Map(strata.map((st) => [st.key, st.weight] as const));
  for (const [i, it] of items.entries()) items[i] = { ...it, weight: weightOf.get(it.stratum)! };

  const info: SetInfo = {
    version: 1,
    createdAt: (opts.now ?? new Date()).toISOString(),
    run: runDir,
    seed: opts.seed,
    n: opts.n,
    stratify: opts.stratify,
    population: byId.size,
    failed: entries.filter((e) => e.status === 'failed').length,
    strata,
    ...(draw.lengthBounds ? { lengthBounds: draw.lengthBounds } : {}),
    runFingerprints: [...new Set(done.flatMap((e) => (e.fingerprint ? [e.fingerprint] : [])))].sort(),
    ...(skipped.length > 0 ? { skipped } : {}),
    ...(recordFiles > 0 ? { recordFiles } : {}),
  };

  const out = resolve(opts.out);
  await mkdir(out, { recursive: true, mode: 0o700 });
  if ((await readdir(out)).length > 0) throw new ReviewError('E096', `${out} is not empty: a review set needs a new folder`);
  // 'wx': never replace a file; 0600: the set holds PHI and is for the reviewers only.
  await writeFile(join(out, SET_FILE), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await writeFile(join(out, ITEMS_FILE), items.map((it) => `${JSON.stringify(it)}\n`).join(''), { mode: 0o600, flag: 'wx' });
  await writeFile(join(out, VERDICTS_FILE), '', { mode: 0o600, flag: 'wx' });
  return info;
}

export interface LoadedSet {
  readonly dir: string;
  readonly info: SetInfo;
  readonly items: readonly ReviewItem[];
  readonly events: readonly VerdictEvent[];
}

async function readJsonLines<T>(path: string, schema: z.ZodType<T>, tolerateTornTail: boolean): Promise<T[]> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    if (tolerateTornTail) return [];
    throw new ReviewError('E097', `cannot read ${path}`);
  }
  // A crash mid-append leaves a partial line; the server starts a fresh line before its next
  // append (ensureLineStart), so a torn line may sit anywhere in a verdict log.
  return parseJsonLines(raw, path, schema, 'E098', 'unexpected fields', () => tolerateTornTail);
}

/**
 * Parses JSONL against a schema. A line that is not JSON is skipped when `tornOk(index, lineCount)`
 * says a crash may have left it, else it is an error naming file and line (never its content).
 */
function parseJsonLines<T>(
  raw: string,
  path: string,
  schema: z.ZodType<T>,
  code: ErrorCode,
  mismatch: string,
  tornOk: (index: number, lineCount: number) => boolean,
): T[] {
  const out: T[] = [];
  const lines = raw.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (tornOk(i, lines.length)) return;
      throw new ReviewError(code, `${path}:${i + 1}: not JSON`);
    }
    const r = schema.safeParse(parsed);
    if (!r.success) throw new ReviewError(code, `${path}:${i + 1}: ${mismatch} (${r.error.issues[0]?.path.join('.') ?? '?'})`);
    out.push(r.data);
  });
  return out;
}

export async function loadReviewSet(dir: string): Promise<LoadedSet> {
  const abs = resolve(dir);
  let infoRaw: unknown;
  try {
    infoRaw = JSON.parse(await readFile(join(abs, SET_FILE), 'utf8'));
  } catch {
    throw new ReviewError('E097', `${join(abs, SET_FILE)} is missing or not JSON: is ${abs} a review set?`);
  }
  const info = setInfoSchema.safeParse(infoRaw);
  if (!info.success) throw new ReviewError('E098', `${join(abs, SET_FILE)}: unexpected fields`);
  const items = await readJsonLines(join(abs, ITEMS_FILE), reviewItemSchema, false);
  const events = (await readJsonLines(join(abs, VERDICTS_FILE), verdictEventSchema, true)) as VerdictEvent[];
  return { dir: abs, info: info.data as SetInfo, items: items as ReviewItem[], events };
}

/** Ends a torn last line (from a crash mid-append) so the next append starts a line of its own. */
export async function ensureLineStart(dir: string): Promise<void> {
  const path = join(dir, VERDICTS_FILE);
  const raw = await readFile(path).catch(() => Buffer.alloc(0));
  if (raw.length > 0 && raw[raw.length - 1] !== 0x0a) {
    const handle = await open(path, 'a', 0o600);
    try {
      await handle.write('\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/**
 * Appends one verdict and fsyncs before returning, so a verdict the page saw acknowledged
 * survives a crash or a closed tab. One line per write keeps appends atomic in practice.
 */
export async function appendVerdict(dir: string, event: VerdictEvent): Promise<void> {
  const handle = await open(join(dir, VERDICTS_FILE), 'a', 0o600);
  try {
    await handle.write(`${JSON.stringify(event)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
