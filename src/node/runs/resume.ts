import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Dirent } from 'node:fs';
import { type FileHandle, open, readdir, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { isAtomicTempName, writeFileAtomic } from '../files/atomicWrite.js';
import type { InputFile } from '../files/inputs.js';
import type { ManifestEntry } from './manifest.js';

/**
 * Resuming a folder run from its manifest.
 *
 * Why this is safe after a SIGKILL at any moment: an output is only ever created by renaming a
 * complete, fsynced temp file over its final name, and its manifest line is appended only
 * after that rename. So a note is either (a) not started or its temp file is half-written —
 * no final output, no line: redone; (b) renamed but not yet recorded — a complete output, no
 * line: redone, and the redo renames the same bytes over it (still one output); or (c)
 * recorded as done — skipped. Temp files left by the killed run are deleted first, and a torn
 * last manifest line (a write cut short) is cut off before new lines are appended after it.
 */

/** What resume needs from a manifest line (spans are not kept: a big manifest stays cheap). */
export interface DoneRecord {
  readonly output: string;
  readonly size: number | null;
  readonly mtimeMs: number | null;
  readonly sha256: string | null;
  readonly status: ManifestEntry['status'];
  /** For failed notes: the coded reason (PHI-free). */
  readonly error?: string;
  readonly fingerprint?: string;
  /** A JSONL, CSV or FHIR file written without some of its records: redone on resume, so they are reported again. */
  readonly recordsFailed?: number;
}

/** The last record per input path (later lines win: a redo appends a new line). */
export async function readDoneRecords(manifestPath: string): Promise<Map<string, DoneRecord>> {
  const records = new Map<string, DoneRecord>();
  let lines: Interface;
  try {
    await stat(manifestPath);
    lines = createInterface({ input: createReadStream(manifestPath, 'utf8'), crlfDelay: Infinity });
  } catch {
    return records;
  }
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let e: ManifestEntry;
    try {
      e = JSON.parse(line) as ManifestEntry;
    } catch {
      continue; // a torn line from a killed run
    }
    if (typeof e.input !== 'string' || typeof e.output !== 'string') continue;
    records.set(e.input, {
      output: e.output,
      size: e.size,
      mtimeMs: e.mtimeMs,
      sha256: e.sha256,
      status: e.status,
      ...(typeof e.error === 'string' ? { error: e.error } : {}),
      fingerprint: e.fingerprint,
      ...(typeof e.records?.failed === 'number' && e.records.failed > 0 ? { recordsFailed: e.records.failed } : {}),
    });
  }
  return records;
}

/**
 * Cuts the manifest back to its last complete line, so appended lines never glue onto a
 * fragment. Returns how many bytes were dropped.
 */
export async function repairManifestTail(manifestPath: string): Promise<number> {
  let handle: FileHandle;
  try {
    handle = await open(manifestPath, 'r');
  } catch {
    return 0;
  }
  let keep: number;
  let size: number;
  try {
    size = (await handle.stat()).size;
    if (size === 0) return 0;
    keep = 0;
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    search: while (end > 0) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (block[i] === 0x0a) {
          keep = start + i + 1;
          break search;
        }
      }
      end = start;
    }
  } finally {
    await handle.close();
  }
  if (keep === size) return 0;
  await truncate(manifestPath, keep);
  return size - keep;
}

/**
 * Deletes temp files a killed run left anywhere under the out folder. Returns how many.
 * `olderThanMs` keeps younger ones: queue workers share an out folder, and another live
 * worker's temp file (milliseconds old) must not be pulled from under its rename.
 */
export async function removeStaleTempFiles(outDir: string, olderThanMs = 0): Promise<number> {
  let removed = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && isAtomicTempName(entry.name)) {
        if (olderThanMs > 0) {
          const info = await stat(path).catch(() => undefined);
          if (info === undefined || Date.now() - info.mtimeMs < olderThanMs) continue;
        }
        await unlink(path).catch(() => undefined);
        removed += 1;
      }
    }
  };
  await walk(outDir);
  return removed;
}

async function sha256File(path: string): Promise<string | null> {
  try {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return null;
  }
}

export interface ResumePlan {
  /** Inputs to redact (new, changed, failed before, partial, or done under other fingerprints). */
  readonly todo: readonly InputFile[];
  /** Inputs already done by an earlier run with the same fingerprint, unchanged, output present. */
  readonly skip: readonly InputFile[];
  /**
   * Inputs an earlier run with the same fingerprint stopped at a per-note budget (E058, E059),
   * unchanged since: not redone (they would cost the whole budget and fail again) unless
   * `retryFailed`. Each with the earlier run's reason.
   */
  readonly stillFailed: readonly { readonly file: InputFile; readonly error: string }[];
}

/** Failures `--resume` does not redo without `--retry-failed`: the note itself overran a budget. */
export const NOT_RETRIED = ['E058', 'E059'] as const;

/**
 * Splits the inputs: a note is skipped only if its last record is `done` under the same
 * fingerprint, its input has the same size, mtime and SHA-256, and its output file still
 * exists at the same place. A note that overran a budget (NOT_RETRIED) under the same
 * fingerprint, input unchanged, stays failed unless `retryFailed`. Anything else is redone.
 */
export async function planResume(
  files: readonly InputFile[],
  records: ReadonlyMap<string, DoneRecord>,
  outDir: string,
  fingerprint: string,
  retryFailed = false,
): Promise<ResumePlan> {
  const todo: InputFile[] = [];
  const skip: InputFile[] = [];
  const stillFailed: { file: InputFile; error: string }[] = [];
  const overran = (r: DoneRecord): boolean => !retryFailed && r.status === 'failed' && NOT_RETRIED.some((c) => r.error?.startsWith(`${c} `) === true);
  const decide = async (file: InputFile): Promise<boolean> => {
    const r = records.get(file.manifestInput ?? file.path);
    if (r === undefined || !(r.status === 'done' || overran(r)) || r.fingerprint !== fingerprint || r.output !== file.output) return false;
    if ((r.recordsFailed ?? 0) > 0) return false;
    try {
      const info = await stat(file.path);
      if (info.size !== r.size || info.mtimeMs !== r.mtimeMs) return false;
      if (r.status === 'done' && !(await stat(join(outDir, ...file.output.split('/')))).isFile()) return false;
    } catch {
      return false;
    }
    return (await sha256File(file.path)) === r.sha256;
  };
  // A few files at a time: hashing is I/O-bound, and the order of the result must not change.
  const width = 16;
  for (let i = 0; i < files.length; i += width) {
    const slice = files.slice(i, i + width);
    const verdicts = await Promise.all(slice.map(decide));
    for (const [k, f] of slice.entries()) {
      const r = records.get(f.path);
      if (!verdicts[k]) todo.push(f);
      else if (r?.status === 'failed') stillFailed.push({ file: f, error: r.error! });
      else skip.push(f);
    }
  }
  return { todo, skip, stillFailed };
}

/**
 * After a resumed run the manifest holds older lines for redone notes; rewrite it (atomically)
 * with the last line per input, in `order` (the run's input order), then inputs of earlier runs.
 */
export async function compactManifest(manifestPath: string, order: readonly string[]): Promise<void> {
  const last = new Map<string, string>();
  const lines = createInterface({ input: createReadStream(manifestPath, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    let input: unknown;
    try {
      input = (JSON.parse(line) as { input?: unknown }).input;
    } catch {
      continue;
    }
    if (typeof input !== 'string') continue;
    last.delete(input);
    last.set(input, line);
  }
  const parts: string[] = [];
  for (const input of order) {
    const line = last.get(input);
    if (line !== undefined) {
      parts.push(line);
      last.delete(input);
    }
  }
  parts.push(...last.values());
  await writeFileAtomic(manifestPath, parts.length > 0 ? `${parts.join('\n')}\n` : '');
}
