import type { RecordFormat } from '../../core/config.js';
import type { KnownIdentifiers } from '../../detect/site/known.js';
import type { TransformResult } from '../../transform/types.js';

/**
 * A file of several notes (JSONL, CSV, FHIR R4 JSON), parsed into its notes and a renderer that
 * writes the file back with each note's text replaced and everything else as it came. Problems
 * are coded, PHI-free lines naming the line (and FHIR entry); a record that cannot be read is
 * left out of the output (fail closed), never written unredacted.
 */

export type MultiNoteFormat = Exclude<RecordFormat, 'text'>;

export interface FileNote {
  /** 1-based line where the record (CSV row, JSONL line, FHIR attachment data) starts. */
  readonly line: number;
  /** FHIR Bundle: the entry's index (0-based). */
  readonly entry?: number;
  readonly text: string;
  /** Where `surrogate.patientId.field` is looked up: the JSONL object, the CSV row by column name. */
  readonly record?: unknown;
  /** FHIR: the DocumentReference's `subject.reference`, its patient. */
  readonly patient?: string;
  /** The record's id (CSV id column, JSONL `id`): names the note in the vault, never printed. */
  readonly id?: string;
  /** JSONL: the record's known identifiers (its `site.knownField`, issue 16); PHI, never written. */
  readonly known?: KnownIdentifiers;
}

export interface RecordProblem {
  readonly line: number;
  readonly entry?: number;
  /** `E0xx line N: reason`, PHI-free. */
  readonly error: string;
}

/** What a renderer gets per note: the redacted text and its spans, or undefined when the note failed. */
export type NoteResult = Pick<TransformResult, 'text' | 'spans'>;

export interface RecordFile {
  readonly format: MultiNoteFormat;
  readonly notes: readonly FileNote[];
  /** Records that could not be read; they are left out of the output. */
  readonly problems: readonly RecordProblem[];
  /** FHIR attachments left alone: not text/plain, or no inline `data`. */
  readonly skippedAttachments: number;
  /**
   * The output file, with `results[i]` in place of `notes[i]`. A note whose result is undefined
   * failed: its record (CSV row, JSONL line, Bundle entry) is left out. Undefined when nothing
   * can be written (a lone DocumentReference whose attachment failed).
   */
  render(results: readonly (NoteResult | undefined)[]): string | undefined;
}

/** Index of the line each offset falls on, from a sorted list of line starts. */
export function lineAt(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
