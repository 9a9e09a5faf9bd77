import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pipeline, Redaction } from '../../pipeline.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { decodeNote } from '../files/decodeNote.js';
import { describeError, InputError } from '../../core/errors.js';
import type { InputFile } from '../files/inputs.js';
import { noteScope } from '../surrogates.js';
import {
  formatManifestLine,
  MANIFEST_DIR,
  MANIFEST_FILE,
  toManifestOutSpan,
  toManifestSpan,
  type ManifestEntry,
} from './manifest.js';

/**
 * Redacts files into the out folder, a batch at a time (the NER model batches windows across
 * notes). Each output is written atomically; each note's manifest line is appended as soon as
 * it is done. A note whose detectors fail is NOT written (fail closed) and is reported.
 */

export interface RedactFilesOptions {
  /** Absolute out folder. */
  readonly outDir: string;
  /** Also write `<output>.spans.json` beside each output: `{spans, outSpans}` as in the manifest. */
  readonly emitSpans?: boolean;
  readonly batchSize?: number;
  /** Permission bits of each output (default 0600: owner only). */
  readonly mode?: number;
  /** Called once per failed note with a PHI-free message. */
  readonly onProblem: (display: string, message: string) => void;
}

export interface RedactFilesSummary {
  readonly done: number;
  readonly failed: number;
  readonly manifestPath: string;
}

export interface Loaded {
  readonly file: InputFile;
  readonly size: number | null;
  readonly mtimeMs: number | null;
  readonly sha256: string | null;
  readonly text?: string;
  readonly error?: string;
}

export async function redactFiles(
  pipeline: Pipeline,
  files: readonly InputFile[],
  options: RedactFilesOptions,
): Promise<RedactFilesSummary> {
  const manifestDir = join(options.outDir, MANIFEST_DIR);
  await mkdir(manifestDir, { recursive: true });
  const manifestPath = join(manifestDir, MANIFEST_FILE);
  const manifest = await open(manifestPath, 'w');
  let done = 0;
  let failed = 0;
  const batchSize = options.batchSize ?? 16;
  try {
    for (let i = 0; i < files.length; i += batchSize) {
      const batch = await Promise.all(files.slice(i, i + batchSize).map(loadFile));
      const ready = batch.filter((b) => b.text !== undefined);
      const redactions = await redactEach(pipeline, ready);
      const lines: string[] = [];
      for (const note of batch) {
        let entry: ManifestEntry;
        const redaction = redactions.get(note);
        if (note.error !== undefined || redaction === undefined || redaction instanceof Error) {
          const error = note.error ?? (redaction instanceof Error ? `E046 detection failed (${describeError(redaction)})` : 'E046 detection failed');
          entry = failedEntry(note, error);
        } else {
          entry = await writeOutput(note, redaction, options);
        }
        if (entry.status === 'done') done += 1;
        else {
          failed += 1;
          options.onProblem(note.file.display, entry.error!);
        }
        lines.push(formatManifestLine(entry));
      }
      await manifest.write(lines.join(''));
    }
    await manifest.sync();
  } finally {
    await manifest.close();
  }
  return { done, failed, manifestPath };
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

/** Redacts the batch together; if that throws, note by note, so one bad note fails alone. */
export async function redactEach(pipeline: Pipeline, notes: readonly Loaded[]): Promise<Map<Loaded, Redaction | Error>> {
  const out = new Map<Loaded, Redaction | Error>();
  if (notes.length === 0) return out;
  try {
    const results = await pipeline.redactBatch(
      notes.map((n) => n.text!),
      notes.map((n) => ({ noteId: n.file.display, ...noteScope(pipeline.config, { path: n.file.path }) })),
    );
    for (const [k, n] of notes.entries()) out.set(n, results[k]!);
  } catch {
    for (const n of notes) {
      try {
        out.set(n, await pipeline.redact(n.text!, { noteId: n.file.display, ...noteScope(pipeline.config, { path: n.file.path }) }));
      } catch (err) {
        out.set(n, err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
  return out;
}

export function failedEntry(note: Loaded, error: string): ManifestEntry {
  return {
    input: note.file.path,
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

export async function writeOutput(note: Loaded, redaction: Redaction, options: RedactFilesOptions): Promise<ManifestEntry> {
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
    input: note.file.path,
    output: note.file.output,
    size: note.size,
    mtimeMs: note.mtimeMs,
    sha256: note.sha256,
    status: 'done',
    spans,
    outSpans,
  };
}
