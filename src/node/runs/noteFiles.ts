import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../core/config.js';
import type { Pipeline, Redaction } from '../../pipeline.js';
import type { DetectContext } from '../../detect/types.js';
import type { TransformContext } from '../../transform/types.js';
import { formatOf, readRecordFile } from '../formats/readFormats.js';
import type { RecordFile, RecordProblem } from '../formats/types.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { decodeNote } from '../files/decodeNote.js';
import { describeError, InputError } from '../../core/errors.js';
import type { InputFile } from '../files/inputs.js';
import { noteScope } from '../surrogates.js';
import { toManifestOutSpan, toManifestSpan, type ManifestEntry } from './manifest.js';

/**
 * One note file's steps in a folder or queue run: read and decode it (`loadFile`), redact a
 * batch (`redactEach`: the NER model batches windows across notes), write the output atomically
 * (`writeOutput`) or record why not (`failedEntry`). A note whose detectors fail is NOT written
 * (fail closed). The manifest lines are the caller's to append (src/node/runs/pool/tasks.ts).
 */

export interface WriteOptions {
  /** Absolute out folder. */
  readonly outDir: string;
  /** Also write `<output>.spans.json` beside each output: `{spans, outSpans}` as in the manifest. */
  readonly emitSpans?: boolean;
  /** Permission bits of each output (default 0600: owner only). */
  readonly mode?: number;
}

export interface Loaded {
  readonly file: InputFile;
  readonly size: number | null;
  readonly mtimeMs: number | null;
  readonly sha256: string | null;
  /** A text note's text. */
  readonly text?: string;
  /** A JSONL, CSV or FHIR file's notes. */
  readonly records?: RecordFile;
  readonly error?: string;
}

/** Larger files are refused unread (as on stdin, E053): the pipeline holds a note several times over in memory. */
export const MAX_NOTE_BYTES = 64 * 1024 * 1024;

/**
 * Reads and decodes one input. With `input` (folder runs: the config's `input` section) the file
 * is read as its format says (readFormats.ts) and decoded from `input.encoding`; without, as one
 * UTF-8 text note (queue submit).
 */
export async function loadFile(file: InputFile, input?: Config['input'], options: { readonly emitSpans?: boolean; readonly knownField?: string } = {}): Promise<Loaded> {
  let bytes: Buffer;
  let size: number;
  let mtimeMs: number;
  try {
    // O_NONBLOCK: a path swapped for a FIFO after listing must not hang the open; stat refuses it below.
    const handle = await open(file.path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        return { file, size: null, mtimeMs: null, sha256: null, error: new InputError('E044', 'cannot read (not a regular file: FIFO, device or socket)').message };
      }
      size = info.size;
      mtimeMs = info.mtimeMs;
      if (size > MAX_NOTE_BYTES) {
        return { file, size, mtimeMs, sha256: null, error: new InputError('E053', `file is larger than ${MAX_NOTE_BYTES} bytes (${size}), not read`).message };
      }
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const error = code === 'ENOENT' ? new InputError('E040', 'no such file or folder') : new InputError('E044', `cannot read (${code ?? 'EIO'})`);
    return { file, size: null, mtimeMs: null, sha256: null, error: error.message };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  try {
    const format = input === undefined ? 'text' : formatOf(file.path, input.format);
    if (format === 'text') return { file, size, mtimeMs, sha256, text: decodeNote(bytes, input?.encoding) };
    return { file, size, mtimeMs, sha256, records: await readRecordFile(bytes, format, input!, options) };
  } catch (err) {
    return { file, size, mtimeMs, sha256, error: describeError(err) };
  }
}

/**
 * Size, mtime and SHA-256 of a file, read in chunks and not decoded: the manifest line of a note
 * whose worker was stopped (E058, E059), so `--resume` can tell whether the input changed since.
 */
export async function fileFacts(file: InputFile): Promise<Loaded> {
  try {
    const handle = await open(file.path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      const hash = createHash('sha256');
      for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
      return { file, size: info.size, mtimeMs: info.mtimeMs, sha256: hash.digest('hex') };
    } finally {
      await handle.close();
    }
  } catch {
    return { file, size: null, mtimeMs: null, sha256: null };
  }
}

/** What the pipeline is told about a file's note: its name for errors, its patient scope, its known identifiers. */
export function noteContext(pipeline: Pipeline, n: Pick<Loaded, 'file'>): NoteContext {
  const { file } = n;
  return {
    noteId: file.display,
    ...noteScope(pipeline.config, { path: file.path }),
    ...(file.known !== undefined ? { known: file.known } : {}),
  };
}

export type NoteContext = DetectContext & TransformContext;

/** Redacts the texts together (the NER model batches windows across notes); if that throws, one by one, so one bad note fails alone. */
export async function redactTexts(pipeline: Pipeline, texts: readonly string[], ctxs: readonly NoteContext[]): Promise<(Redaction | Error)[]> {
  if (texts.length === 0) return [];
  try {
    return await pipeline.redactBatch(texts, ctxs);
  } catch {
    const out: (Redaction | Error)[] = [];
    for (const [i, text] of texts.entries()) {
      try {
        out.push(await pipeline.redact(text, ctxs[i]));
      } catch (err) {
        out.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return out;
  }
}

/** Redacts the batch together; if that throws, note by note, so one bad note fails alone. */
export async function redactEach(pipeline: Pipeline, notes: readonly Loaded[]): Promise<Map<Loaded, Redaction | Error>> {
  const results = await redactTexts(
    pipeline,
    notes.map((n) => n.text!),
    notes.map((n) => noteContext(pipeline, n)),
  );
  return new Map(notes.map((n, k) => [n, results[k]!]));
}

/** A finished note's manifest line: where it came from and went, its facts, its spans (and `extra` fields). */
export function doneEntry(
  note: Loaded,
  spans: ManifestEntry['spans'],
  outSpans: ManifestEntry['outSpans'],
  extra: Partial<Pick<ManifestEntry, 'format' | 'records' | 'recordErrors' | 'spansOmitted'>> = {},
): ManifestEntry {
  return { ...noteFacts(note), status: 'done', spans, outSpans, ...extra };
}

/** What every manifest line says of its note: where it came from and went, and the input's facts (for --resume). */
function noteFacts(note: Loaded): Pick<ManifestEntry, 'input' | 'output' | 'size' | 'mtimeMs' | 'sha256'> {
  return { input: note.file.manifestInput ?? note.file.path, output: note.file.output, size: note.size, mtimeMs: note.mtimeMs, sha256: note.sha256 };
}

export function failedEntry(note: Loaded, error: string): ManifestEntry {
  return {
    ...noteFacts(note),
    status: 'failed',
    error,
    spans: [],
    outSpans: [],
  };
}

/** At most this many record failures are listed in a manifest line (all are counted). */
export const MAX_LISTED_RECORD_ERRORS = 100;

/**
 * Writes a multi-note file: its notes redacted (`results`, index-aligned with `records.notes`; an
 * Error leaves that record out), its unreadable records left out. The manifest line counts the
 * records and lists the failures by line, never content; its spans stay empty (per-record spans
 * go to `<output>.spans.json` with `emitSpans`, except JSONL, which gets them inline).
 */
export async function writeRecordFile(note: Loaded, results: readonly (Redaction | Error)[], options: WriteOptions): Promise<{ entry: ManifestEntry; done: readonly Redaction[] }> {
  const records = note.records!;
  const errors: RecordProblem[] = [...records.problems];
  for (const [k, r] of results.entries()) {
    if (!(r instanceof Error)) continue;
    const n = records.notes[k]!;
    errors.push({ line: n.line, ...(n.entry !== undefined ? { entry: n.entry } : {}), error: `E046 line ${n.line}: detection failed (${describeError(r)})` });
  }
  errors.sort((a, b) => a.line - b.line);
  const text = records.render(results.map((r) => (r instanceof Error ? undefined : r)));
  if (text === undefined) return { entry: failedEntry(note, errors[0]?.error ?? 'E046 detection failed'), done: [] };
  const done = results.filter((r): r is Redaction => !(r instanceof Error));
  const target = join(options.outDir, ...note.file.output.split('/'));
  try {
    await writeFileAtomic(target, text, options.mode);
    if (options.emitSpans && records.format !== 'jsonl') {
      const spans = records.notes.flatMap((n, k) => {
        const r = results[k]!;
        return r instanceof Error ? [] : [{ line: n.line, ...(n.entry !== undefined ? { entry: n.entry } : {}), spans: r.spans.map(toManifestSpan), outSpans: r.spans.map(toManifestOutSpan) }];
      });
      await writeFileAtomic(`${target}.spans.json`, `${JSON.stringify({ records: spans })}\n`, options.mode);
    }
  } catch (err) {
    return { entry: failedEntry(note, `E045 cannot write the output (${describeError(err)})`), done: [] };
  }
  // A FHIR note whose entry was left out (a sibling attachment failed) is not done either.
  const written = records.format === 'fhir' ? fhirWritten(records, results) : done.length;
  return {
    entry: doneEntry(note, [], [], {
      format: records.format,
      records: {
        done: written,
        failed: errors.length,
        ...(records.format === 'fhir' ? { attachmentsSkipped: records.skippedAttachments } : {}),
      },
      ...(errors.length > 0 ? { recordErrors: errors.slice(0, MAX_LISTED_RECORD_ERRORS).map((e) => ({ line: e.line, ...(e.entry !== undefined ? { entry: e.entry } : {}), error: e.error })) } : {}),
    }),
    done,
  };
}

function fhirWritten(records: RecordFile, results: readonly (Redaction | Error)[]): number {
  const failedEntries = new Set(records.problems.map((p) => p.entry));
  records.notes.forEach((n, k) => {
    if (results[k] instanceof Error) failedEntries.add(n.entry);
  });
  return records.notes.filter((n) => !failedEntries.has(n.entry)).length;
}

export async function writeOutput(note: Loaded, redaction: Redaction, options: WriteOptions): Promise<ManifestEntry> {
  const spans = redaction.spans.map(toManifestSpan);
  const outSpans = redaction.spans.map(toManifestOutSpan);
  const target = join(options.outDir, ...note.file.output.split('/'));
  try {
    await writeFileAtomic(target, redaction.text, options.mode);
    if (options.emitSpans) await writeFileAtomic(`${target}.spans.json`, `${JSON.stringify({ spans, outSpans })}\n`, options.mode);
  } catch (err) {
    return failedEntry(note, `E045 cannot write the output (${describeError(err)})`);
  }
  return doneEntry(note, spans, outSpans);
}
