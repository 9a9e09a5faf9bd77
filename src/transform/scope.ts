/**
 * Where a note's patient id comes from. Pure string helpers: the caller (io/cli) passes the
 * file path or the JSONL record; nothing here reads files. A scope is an opaque string —
 * it is only ever hashed, never written out.
 */

export type PatientIdSource =
  | { readonly from: 'field'; readonly field: string }
  | { readonly from: 'filename'; readonly pattern: string }
  | { readonly from: 'folder' };

/** Splits on both separators so Windows-style paths in manifests work too. */
function pathParts(path: string): string[] {
  return path.split(/[\\/]+/u).filter((p) => p.length > 0);
}

/**
 * The patient id from a file name: `pattern` is a regular expression applied to the base
 * name; the first capture group (or the named group `patient`) is the id. Returns undefined
 * when the name does not match, so the caller can fail or fall back explicitly.
 */
export function patientIdFromPath(path: string, pattern: string | RegExp): string | undefined {
  const base = pathParts(path).at(-1) ?? '';
  const re = typeof pattern === 'string' ? new RegExp(pattern, 'u') : pattern;
  const m = re.exec(base);
  if (!m) return undefined;
  const id = m.groups?.patient ?? m[1] ?? m[0];
  return id.length > 0 ? id : undefined;
}

/** The patient id from the note's parent folder (`notes/p123/2021-03-04.txt` → `p123`). */
export function patientIdFromFolder(path: string): string | undefined {
  const parts = pathParts(path);
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

/** The patient id from a JSONL record field; numbers (and bigints) are accepted and stringified. Dotted paths reach nested fields. */
export function patientIdFromRecord(record: unknown, field: string): string | undefined {
  let value: unknown = record;
  for (const key of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // Integers beyond 2^53 (the JSONL reader keeps them exact as bigints): two patients never share a scope by rounding.
  if (typeof value === 'bigint') return value.toString();
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** One entry point for the io layer: the id for a note given where it came from. */
export function patientIdFor(
  source: PatientIdSource,
  note: { readonly path?: string; readonly record?: unknown },
): string | undefined {
  switch (source.from) {
    case 'field':
      return note.record === undefined ? undefined : patientIdFromRecord(note.record, source.field);
    case 'filename':
      return note.path === undefined ? undefined : patientIdFromPath(note.path, source.pattern);
    case 'folder':
      return note.path === undefined ? undefined : patientIdFromFolder(note.path);
  }
}

/** The scope string hashed into surrogates: corpus scope ignores the patient entirely. */
export const CORPUS_SCOPE = '*corpus*';
