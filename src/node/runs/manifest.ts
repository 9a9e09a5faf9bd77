import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Span } from '../../core/span.js';
import type { OutputSpan } from '../../transform/types.js';

/**
 * The run manifest: `<out>/.phi-redact/manifest.jsonl`, one JSON line per input note, written as
 * each note finishes (so an interrupted run leaves a valid prefix). It holds offsets, labels and
 * file facts ONLY — never note text — so it is safe to keep next to redacted output. The review
 * page and the resumable scale-out runner read it; keep the format stable (add fields, never
 * rename or remove them).
 *
 *   {
 *     "input":   absolute path of the input file,
 *     "output":  path of the redacted file relative to the out folder, "/"-separated,
 *     "size":    input size in bytes,
 *     "mtimeMs": input modification time (ms since epoch),
 *     "sha256":  hex SHA-256 of the input bytes (detects a changed input on resume),
 *     "status":  "done" | "failed",
 *     "error"?:  for "failed": one PHI-free line, e.g. "E043 invalid UTF-8 at byte 12",
 *     "spans":   merged PHI spans, offsets into the input text AFTER any UTF-8 BOM, in UTF-16
 *                code units, end-exclusive: [{start, end, label, subtype, source, score}],
 *     "outSpans": the same spans in the redacted text, index-aligned with `spans`:
 *                [{outStart, outEnd, label}],
 *     "format"?: "jsonl" | "csv" | "fhir" for a file of several notes (absent: one text note);
 *                its `spans`/`outSpans` are then empty (per-record offsets: `--emit spans`),
 *     "records"?: for such a file: {done, failed, attachmentsSkipped? (FHIR: not text/plain or
 *                no inline data, left as they were)}: notes written, records left out,
 *     "recordErrors"?: the records left out (at most 100 listed): [{line, entry? (FHIR Bundle
 *                entry index), error}], e.g. "E143 line 7: 3 fields, the header has 4",
 *     "spansOmitted"?: a note with more than MANIFEST_SPAN_LIMIT spans (a huge, dense note) lists
 *                only the first MANIFEST_SPAN_LIMIT in `spans`/`outSpans` and counts the others here,
 *                so every manifest line stays small enough to read back; `--emit spans` writes
 *                them all,
 *     "fingerprint"?: the run's combined config/rules/model/key fingerprint (audit.ts); `--resume`
 *                skips a done note only when it matches the current run's
 *   }
 *
 * A failed note has empty `spans`/`outSpans` and no output file (`output` says where it would
 * have gone). `size`, `mtimeMs` and `sha256` are null when the file could not be read at all.
 * Paths named on the command line that do not exist are reported on stderr but not listed.
 */

export const MANIFEST_DIR = '.phi-redact';
export const MANIFEST_FILE = 'manifest.jsonl';
/**
 * The most spans one manifest line lists: about 15 MB of JSON. Far above any ordinary note (a
 * 64 KB note has a few hundred); a 50 MB note dense with phone numbers has millions, and a line
 * of them all would be hundreds of MB that --resume, eval and review must read back whole.
 */
export const MANIFEST_SPAN_LIMIT = 100_000;

export interface ManifestSpan {
  readonly start: number;
  readonly end: number;
  readonly label: string;
  readonly subtype: string | null;
  readonly source: string;
  readonly score: number;
}

export interface ManifestOutSpan {
  readonly outStart: number;
  readonly outEnd: number;
  readonly label: string;
}

export interface ManifestEntry {
  readonly input: string;
  readonly output: string;
  readonly size: number | null;
  readonly mtimeMs: number | null;
  readonly sha256: string | null;
  readonly status: 'done' | 'failed';
  readonly error?: string;
  readonly spans: readonly ManifestSpan[];
  readonly outSpans: readonly ManifestOutSpan[];
  readonly format?: 'jsonl' | 'csv' | 'fhir';
  readonly records?: { readonly done: number; readonly failed: number; readonly attachmentsSkipped?: number };
  readonly recordErrors?: readonly { readonly line: number; readonly entry?: number; readonly error: string }[];
  /** Spans past MANIFEST_SPAN_LIMIT, not listed. */
  readonly spansOmitted?: number;
  readonly fingerprint?: string;
}

export function toManifestSpan(s: Span): ManifestSpan {
  return { start: s.start, end: s.end, label: s.label, subtype: s.subtype ?? null, source: s.source, score: roundScore(s.score) };
}

export function toManifestOutSpan(s: OutputSpan): ManifestOutSpan {
  return { outStart: s.outStart, outEnd: s.outEnd, label: s.label };
}

/** Scores to 4 decimals: enough to rank, and stable across platforms in golden files. */
export function roundScore(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

/** One manifest line (with its newline), fields in the documented order. */
export function formatManifestLine(entry: ManifestEntry): string {
  const ordered = {
    input: entry.input,
    output: entry.output,
    size: entry.size,
    mtimeMs: entry.mtimeMs,
    sha256: entry.sha256,
    status: entry.status,
    ...(entry.error !== undefined ? { error: entry.error } : {}),
    spans: entry.spans,
    outSpans: entry.outSpans,
    ...(entry.format !== undefined ? { format: entry.format } : {}),
    ...(entry.records !== undefined ? { records: entry.records } : {}),
    ...(entry.recordErrors !== undefined ? { recordErrors: entry.recordErrors } : {}),
    ...(entry.spansOmitted !== undefined ? { spansOmitted: entry.spansOmitted } : {}),
    ...(entry.fingerprint !== undefined ? { fingerprint: entry.fingerprint } : {}),
  };
  return `${JSON.stringify(ordered)}\n`;
}

/** Reads a manifest back; a torn last line (from an interrupted run) is ignored. */
export async function readManifest(path: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as ManifestEntry);
    } catch {
      /* torn tail */
    }
  }
  return entries;
}
