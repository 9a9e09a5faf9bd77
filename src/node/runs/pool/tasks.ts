import type { DetectContext } from '../../../detect/types.js';
import type { Pipeline, Redaction } from '../../../pipeline.js';
import type { OutputSpan, TransformContext } from '../../../transform/types.js';
import { countSpans, mergeCounts, type NoteCounts } from '../audit.js';
import { describeError } from '../../../core/errors.js';
import type { InputFile } from '../../files/inputs.js';
import type { ManifestEntry } from '../manifest.js';
import { recordScope } from '../../formats/readFormats.js';
import { heapBound } from '../heapBound.js';
import { addCounts, isLongNote, redactLongNote } from '../longNotes.js';
import { failedEntry, type Loaded, loadFile, type NoteContext, noteContext, redactTexts, writeOutput, writeRecordFile } from '../noteFiles.js';

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
  /** The record system's known identifiers of the note (issue 16; PHI, never written). */
  readonly known?: DetectContext['known'];
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
  const ctxs = tasks.map((t) => ({
    ...(t.noteId !== undefined ? { noteId: t.noteId } : {}),
    ...(t.scope !== undefined ? { scope: t.scope } : {}),
    ...(t.known !== undefined ? { known: t.known } : {}),
  }));
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
  /** Present for done notes: the spans of every note the file held. */
  readonly counts?: NoteCounts;
  /** How many notes the file held that were written (a JSONL, CSV or FHIR file: its records); default 1. */
  readonly notes?: number;
}

export interface FileBatchOptions {
  readonly outDir: string;
  readonly emitSpans?: boolean;
  /** Permission bits of each output (default 0600). */
  readonly mode?: number;
}

/**
 * Reads, redacts and atomically writes a batch of files; the manifest lines are the caller's to
 * append. Every note of the batch — text files and the records of JSONL, CSV and FHIR files —
 * is redacted in one call, so the NER model batches across them, except a text note longer than
 * a detection segment: that one is redacted and written piece by piece (flat memory,
 * src/node/runs/longNotes.ts). In input order, so the run's memory of confident names
 * (consistency.run) sees the notes in the order the whole-note path would. How files are read is
 * the config's `input` section (format, encoding, CSV columns), part of the run's fingerprint.
 */
export async function redactFileBatch(
  pipeline: Pipeline,
  files: readonly InputFile[],
  options: FileBatchOptions,
  /** Called once the files are read, with how many notes they hold (the pool's time budget scales with it). */
  onRead?: (notes: number) => void,
): Promise<FileOutcome[]> {
  const config = pipeline.config;
  const loaded = await Promise.all(files.map((f) => loadFile(f, config.input, { emitSpans: options.emitSpans === true, knownField: config.site.knownField })));
  const writeOptions = { outDir: options.outDir, emitSpans: options.emitSpans, mode: options.mode };
  onRead?.(loaded.reduce((n, note) => n + (note.text !== undefined ? 1 : 0) + (note.records?.notes.length ?? 0), 0));
  const texts: string[] = [];
  const ctxs: NoteContext[] = [];
  const firstNote: number[] = [];
  const results: (Redaction | Error)[] = [];
  const long = new Map<Loaded, FileOutcome>();
  const flush = async (): Promise<void> => {
    if (results.length < texts.length) results.push(...(await redactTexts(pipeline, texts.slice(results.length), ctxs.slice(results.length))));
  };
  for (const note of loaded) {
    firstNote.push(texts.length);
    if (note.text !== undefined) {
      if (isLongNote(pipeline, note.text)) {
        await flush();
        long.set(note, await redactLongNote(pipeline, note, writeOptions));
        continue;
      }
      texts.push(note.text);
      ctxs.push(noteContext(pipeline, note));
    }
    for (const r of note.records?.notes ?? []) {
      texts.push(r.text);
      // The vault names a record by file and id (or line); the id is encrypted there, never printed.
      ctxs.push({ noteId: `${note.file.display}:${r.id ?? r.line}`, ...recordScope(config, note.file.path, r), ...(r.known !== undefined ? { known: r.known } : {}) });
    }
  }
  await flush();
  // Writes in parallel: each one waits on two fsyncs (file, folder), which dominate small notes.
  return Promise.all(
    loaded.map(async (note, i): Promise<FileOutcome> => {
      const done = long.get(note);
      if (done !== undefined) return done;
      if (note.records !== undefined) {
        const own = results.slice(firstNote[i], firstNote[i]! + note.records.notes.length);
        const { entry, done } = await writeRecordFile(note, own, writeOptions);
        if (entry.status !== 'done') return { entry };
        return { entry, notes: entry.records?.done ?? done.length, counts: mergeCounts(done.map((r) => countSpans(r.analysis.spans, r.analysis.raw))) };
      }
      const redaction = note.text === undefined ? undefined : results[firstNote[i]!];
      if (note.error !== undefined || redaction === undefined || redaction instanceof Error) {
        const error = note.error ?? (redaction instanceof Error ? `E046 detection failed (${describeError(redaction)})` : 'E046 detection failed');
        return { entry: failedEntry(note, error) };
      }
      const entry = await writeOutput(note, redaction, writeOptions);
      return entry.status === 'done' ? { entry, counts: countSpans(redaction.analysis.spans, redaction.analysis.raw) } : { entry };
    }),
  );
}
