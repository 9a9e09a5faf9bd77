import { createHash } from 'node:crypto';
import { extname, relative, sep } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { Label } from '../../core/labels.js';
import { readKnown, type KnownIdentifiers, type KnownValue } from '../../detect/site/index.js';
import { parseCsv } from '../assets/siteLists.js';
import type { InputFile } from '../files/inputs.js';
import { readSmallTextFile } from '../files/smallFile.js';

/**
 * Known identifiers (issue 16) from where runs find them: a JSONL record's field, or a sidecar
 * file beside a folder run (`--known`). Values are PHI: errors say which field or line, never a value.
 */

export type KnownOf = { known?: KnownIdentifiers } | { error: string };

/** A stream record's known identifiers (`fields[field]`), nothing when absent, or an E182 reason. */
export function knownOfRecord(record: unknown, field: string): KnownOf {
  const fields = (record as { fields?: Record<string, unknown> } | undefined)?.fields;
  if (fields === undefined || !Object.hasOwn(fields, field)) return {};
  const parsed = readKnown(fields[field]);
  if (!parsed.ok) return { error: `E182 field "${field}" ${parsed.reason}` };
  return { known: parsed.known };
}

/** A `--known` sidecar, read: known identifiers by file path and by patient id, and the file's fingerprint. */
export interface KnownSidecar {
  readonly byFile: ReadonlyMap<string, KnownParts>;
  readonly byPatient: ReadonlyMap<string, KnownParts>;
  /** sha256 of the sidecar's bytes: part of the run's resume key (changed identifiers redo the notes). */
  readonly fingerprint: string;
}

interface KnownParts {
  readonly known: Partial<Record<Label, KnownValue[]>>;
}

const FILE_KEYS = ['file', 'path'];
const PATIENT_KEYS = ['patient_id', 'patient'];

/**
 * Reads a sidecar of known identifiers for a folder run: JSONL, one object per line with `file`
 * (a path as the run names it, or relative to the input folder) or `patient_id`, and the
 * identifiers under `field` (`{"file": "a/n1.txt", "phi": {"names": ["..."], "mrn": "..."}}`);
 * or CSV with a `file` or `patient_id` column and one column per key (`names`, `mrn`, `dob`, ...;
 * several rows for one key add up). Errors name the sidecar and the line, never a value (E183).
 */
export function readKnownSidecar(path: string, display: string, field: string): KnownSidecar {
  let text: string;
  try {
    text = readSmallTextFile(path, 256 * 1024 * 1024);
  } catch (err) {
    throw new ConfigError('E183', `${display}: cannot read the known-identifiers sidecar (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const byFile = new Map<string, KnownParts>();
  const byPatient = new Map<string, KnownParts>();
  const add = (keyKind: 'file' | 'patient', key: string, value: unknown, line: number, what: string): void => {
    const parsed = readKnown(value);
    if (!parsed.ok) throw new ConfigError('E183', `${display}: line ${line}: ${what} ${parsed.reason}`);
    const map = keyKind === 'file' ? byFile : byPatient;
    const parts = map.get(key) ?? { known: {} };
    for (const [label, values] of Object.entries(parsed.known) as [Label, KnownValue[]][]) parts.known[label] = [...(parts.known[label] ?? []), ...values];
    map.set(key, parts);
  };
  const body = text.replace(/^\uFEFF/u, '');
  if (extname(path).toLowerCase() === '.csv') {
    const rows = parseCsv(body, (line, reason) => {
      throw new ConfigError('E183', `${display}: line ${line}: ${reason}`);
    });
    const header = (rows.shift() ?? []).map((h) => h.trim());
    const keyCol = header.findIndex((h) => [...FILE_KEYS, ...PATIENT_KEYS].includes(h.toLowerCase()));
    if (keyCol < 0) throw new ConfigError('E183', `${display}: line 1: a CSV sidecar needs a "file" or "patient_id" column`);
    const keyKind = FILE_KEYS.includes(header[keyCol]!.toLowerCase()) ? 'file' : 'patient';
    rows.forEach((row, i) => {
      const key = (row[keyCol] ?? '').trim();
      if (key === '') throw new ConfigError('E183', `${display}: line ${i + 2}: no ${header[keyCol]}`);
      const value = Object.fromEntries(header.flatMap((h, c) => (c === keyCol || (row[c] ?? '').trim() === '' ? [] : [[h, row[c]!.trim()]])));
      add(keyKind, key, value, i + 2, 'the row');
    });
  } else {
    body.split(/\r?\n/u).forEach((line, i) => {
      if (line.trim() === '') return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new ConfigError('E183', `${display}: line ${i + 1} is not valid JSON`);
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new ConfigError('E183', `${display}: line ${i + 1} is not a JSON object`);
      const r = record as Record<string, unknown>;
      const fileKey = FILE_KEYS.find((k) => typeof r[k] === 'string');
      const patientKey = PATIENT_KEYS.find((k) => typeof r[k] === 'string' || typeof r[k] === 'number');
      if (fileKey === undefined && patientKey === undefined) throw new ConfigError('E183', `${display}: line ${i + 1} has no "file" or "patient_id"`);
      if (!Object.hasOwn(r, field)) throw new ConfigError('E183', `${display}: line ${i + 1} has no "${field}" field`);
      if (fileKey !== undefined) add('file', String(r[fileKey]), r[field], i + 1, `field "${field}"`);
      else add('patient', String(r[patientKey!]), r[field], i + 1, `field "${field}"`);
    });
  }
  return { byFile, byPatient, fingerprint: `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}` };
}

/** The files with their sidecar identifiers attached (by any name the run knows a file by, then by patient id). */
export function attachKnown<F extends InputFile>(files: readonly F[], sidecar: KnownSidecar, patientOf: (file: F) => string | undefined, cwd: string): F[] {
  return files.map((f) => {
    const names = [f.output, f.display, f.path, relative(cwd, f.path)].map((n) => n.split(sep).join('/'));
    const byFile = names.map((n) => sidecar.byFile.get(n)).find((p) => p !== undefined);
    const patient = patientOf(f);
    const byPatient = patient === undefined ? undefined : sidecar.byPatient.get(patient);
    const parts = [byFile, byPatient].filter((p): p is KnownParts => p !== undefined);
    if (parts.length === 0) return f;
    const known: Partial<Record<Label, KnownValue[]>> = {};
    for (const p of parts) for (const [label, values] of Object.entries(p.known) as [Label, KnownValue[]][]) known[label] = [...(known[label] ?? []), ...values];
    return { ...f, known };
  });
}
