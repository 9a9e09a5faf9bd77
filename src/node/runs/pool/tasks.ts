import type { Pipeline, Redaction } from '../../../pipeline.js';
import { countSpans, type NoteCounts } from '../audit.js';
import { describeError } from '../../../core/errors.js';
import type { InputFile } from '../../files/inputs.js';
import type { ManifestEntry } from '../manifest.js';
import type { DetectContext } from '../../../detect/types.js';
import type { OutputSpan, TransformContext } from '../../../transform/types.js';
import { heapBound } from '../heapBound.js';
import { addCounts, isLongNote, redactLongNote } from '../longNotes.js';
import { failedEntry, type Loaded, loadFile, redactEach, writeOutput } from '../noteFiles.js';

/**
 * The units of work shared by the in-process runner, the piscina workers and the queue
 * workers, so all three produce the same bytes: a batch of note texts (streams, queue jobs)
 * or a batch of files (folder runs, where the worker also reads and writes, in parallel).
 */

export interface NoteTask {
  readonly text: string;
  /** Opaque id for error messages (never note text). */
  readonly noteId?: string;
  /** Patient id for surrogate consistency and date shifting (hashed, never written). */
  readonly scope?: string;
}

export type NoteOutcome =
  | { readonly ok: true; readonly text: string; readonly spans: readonly OutputSpan[]; readonly counts: NoteCounts }
  | { readonly ok: false; readonly error: string };

/**
 * Redacts the batch; a note longer than a detection segment alone and piece by piece (flat
 * working memory, src/pipeline/streamed.ts; only its output text is joined whole), the others
 * together. In input order, so the run's memory of confident names sees the notes as before.
 */
export async function redactNoteBatch(pipeline: Pipeline, tasks: readonly NoteTask[], withSpans: boolean): Promise<NoteOutcome[]> {
  if (tasks.length === 0) return [];
  const ctxs = tasks.map((t) => ({ ...(t.noteId !== undefined ? { noteId: t.noteId } : {}), ...(t.scope !== undefined ? { scope: t.scope } : {}) }));
  const out: NoteOutcome[] = new Array(tasks.length);
  let batch: number[] = [];
  const flush = async (): Promise<void> => {
    const outcomes = await redactShortNotes(
      pipeline,
      batch.map((i) => tasks[i]!),
      batch.map((i) => ctxs[i]!),
      withSpans,
    );
    for (const [k, i] of batch.entries()) out[i] = outcomes[k]!;
    batch = [];
  };
  for (const [i, t] of tasks.entries()) {
    if (!isLongNote(pipeline, t.text)) {
      batch.push(i);
      continue;
    }
    await flush();
    try {
      out[i] = await redactLongText(pipeline, t.text, ctxs[i]!, withSpans);
    } catch (err) {
      out[i] = { ok: false, error: `E046 detection failed (${describeError(err)})` };
    }
  }
  await flush();
  return out;
}

/** A long note's text redacted piece by piece, joined; its spans kept only when asked for. */
async function redactLongText(pipeline: Pipeline, text: string, ctx: DetectContext & TransformContext, withSpans: boolean): Promise<NoteOutcome> {
  const pieces: string[] = [];
  const spans: OutputSpan[] = [];
  const labels: Record<string, number> = {};
  const kept: Record<string, number> = {};
  const heap = heapBound();
  const summary = await pipeline.redactInPieces(text, ctx, {
    write(piece, pieceSpans) {
      pieces.push(piece);
      addCounts(labels, kept, pieceSpans);
      if (withSpans) spans.push(...slimSpans(pieceSpans));
      heap.collectIfGrown();
    },
    between: () => heap.collectIfGrown(),
  });
  return { ok: true, text: pieces.join(''), spans, counts: { labels, detections: summary.detections, kept } };
}

/** Redacts the batch together (NER batching); if that throws, note by note, so one bad note fails alone. */
async function redactShortNotes(
  pipeline: Pipeline,
  tasks: readonly NoteTask[],
  ctxs: readonly (DetectContext & TransformContext)[],
  withSpans: boolean,
): Promise<NoteOutcome[]> {
  if (tasks.length === 0) return [];
  try {
    const results = await pipeline.redactBatch(
      tasks.map((t) => t.text),
      ctxs,
    );
    return results.map((r) => ({ ok: true, text: r.text, spans: withSpans ? slimSpans(r.spans) : [], counts: countSpans(r.analysis.spans, r.analysis.raw) }));
  } catch {
    const out: NoteOutcome[] = [];
    for (const [i, t] of tasks.entries()) {
      try {
        const r = await pipeline.redact(t.text, ctxs[i]);
        out.push({ ok: true, text: r.text, spans: withSpans ? slimSpans(r.spans) : [], counts: countSpans(r.analysis.spans, r.analysis.raw) });
      } catch (err) {
        out.push({ ok: false, error: `E046 detection failed (${describeError(err)})` });
      }
    }
    return out;
  }
}

/** Only the fields outputs need: keeps thread messages small on big streams. */
function slimSpans(spans: readonly OutputSpan[]): OutputSpan[] {
  return spans.map((s) => ({
    start: s.start,
    end: s.end,
    label: s.label,
    ...(s.subtype !== undefined ? { subtype: s.subtype } : {}),
    source: s.source,
    score: s.score,
    outStart: s.outStart,
    outEnd: s.outEnd,
    operator: s.operator,
  }));
}

export interface FileOutcome {
  readonly entry: ManifestEntry;
  /** Present for done notes. */
  readonly counts?: NoteCounts;
}

export interface FileBatchOptions {
  readonly outDir: string;
  readonly emitSpans?: boolean;
  /** Permission bits of each output (default 0600). */
  readonly mode?: number;
}

/** Reads, redacts and atomically writes a batch of files; the manifest lines are the caller's to append. */
export async function redactFileBatch(pipeline: Pipeline, files: readonly InputFile[], options: FileBatchOptions): Promise<FileOutcome[]> {
  const loaded = await Promise.all(files.map(loadFile));
  const writeOptions = { outDir: options.outDir, emitSpans: options.emitSpans, mode: options.mode };
  // A note longer than a detection segment is redacted and written piece by piece (flat memory,
  // src/node/runs/longNotes.ts); the others in batches. In input order, so the run's memory of
  // confident names (consistency.run) sees the notes in the order the whole-note path would.
  const redactions = new Map<Loaded, Redaction | Error>();
  const long = new Map<Loaded, FileOutcome>();
  let batch: Loaded[] = [];
  const flush = async (): Promise<void> => {
    for (const [n, r] of await redactEach(pipeline, batch)) redactions.set(n, r);
    batch = [];
  };
  for (const note of loaded) {
    if (note.text === undefined) continue;
    if (!isLongNote(pipeline, note.text)) {
      batch.push(note);
      continue;
    }
    await flush();
    long.set(note, await redactLongNote(pipeline, note, writeOptions));
  }
  await flush();
  // Writes in parallel: each one waits on two fsyncs (file, folder), which dominate small notes.
  return Promise.all(
    loaded.map(async (note): Promise<FileOutcome> => {
      const done = long.get(note);
      if (done !== undefined) return done;
      const redaction = redactions.get(note);
      if (note.error !== undefined || redaction === undefined || redaction instanceof Error) {
        const error = note.error ?? (redaction instanceof Error ? `E046 detection failed (${describeError(redaction)})` : 'E046 detection failed');
        return { entry: failedEntry(note, error) };
      }
      const entry = await writeOutput(note, redaction, writeOptions);
      return entry.status === 'done' ? { entry, counts: countSpans(redaction.analysis.spans, redaction.analysis.raw) } : { entry };
    }),
  );
}
