import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { DetectContext } from '../../detect/types.js';
import type { Pipeline, Redaction } from '../../pipeline.js';
import type { TransformContext } from '../../transform/types.js';
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
  readonly text?: string;
  readonly error?: string;
}

/** Larger files are refused unread (as on stdin, E053): the pipeline holds a note several times over in memory. */
export const MAX_NOTE_BYTES = 64 * 1024 * 1024;

export async function loadFile(file: InputFile): Promise<Loaded> {
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
    return { file, size, mtimeMs, sha256, text: decodeNote(bytes) };
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

/** Redacts the batch together; if that throws, note by note, so one bad note fails alone. */
/** What the pipeline is told about a file's note: its name for errors, its patient scope, its known identifiers. */
function noteContext(pipeline: Pipeline, n: Loaded): DetectContext & TransformContext {
  const { file } = n;
  return {
    noteId: file.display,
    ...noteScope(pipeline.config, { path: file.path }),
    ...(file.known !== undefined ? { known: file.known } : {}),
  };
}

export async function redactEach(pipeline: Pipeline, notes: readonly Loaded[]): Promise<Map<Loaded, Redaction | Error>> {
  const out = new Map<Loaded, Redaction | Error>();
  if (notes.length === 0) return out;
  try {
    const results = await pipeline.redactBatch(
      notes.map((n) => n.text!),
      notes.map((n) => noteContext(pipeline, n)),
    );
    for (const [k, n] of notes.entries()) out.set(n, results[k]!);
  } catch {
    for (const n of notes) {
      try {
        out.set(n, await pipeline.redact(n.text!, noteContext(pipeline, n)));
      } catch (err) {
        out.set(n, err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
  return out;
}

export function failedEntry(note: Loaded, error: string): ManifestEntry {
  return {
    input: note.file.manifestInput ?? note.file.path,
    output: note.file.output,
    size: note.size,
    mtimeMs: note.mtimeMs,
    sha256: note.sha256,
    status: 'failed',
    error,
    spans: [],
    outSpans: [],
  };
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
  return {
    input: note.file.manifestInput ?? note.file.path,
    output: note.file.output,
    size: note.size,
    mtimeMs: note.mtimeMs,
    sha256: note.sha256,
    status: 'done',
    spans,
    outSpans,
  };
}
