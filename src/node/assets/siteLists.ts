import { createHash } from 'node:crypto';
import { basename, extname, resolve } from 'node:path';
import type { Config } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { LABELS, SUBTYPES, type Label } from '../../core/labels.js';
import type { Candidate, ListProposals } from '../../detect/site/learn.js';
import { parseYaml } from '../../core/yaml.js';
import { z } from 'zod';
import type { DenyList, SiteLists } from '../../detect/site/index.js';
import { readSmallTextFile } from '../files/smallFile.js';
import { scanCsv } from '../formats/csv.js';

/**
 * Reads the site lists a config names (`site.deny`, `site.roster`, `site.allow`): plain text,
 * one entry per line (`#` starts a comment), or CSV with a header (a roster: `name`, or
 * `first`/`last` columns and their usual spellings; a deny or allow list: `term`, `name` or its
 * first column). The lists may hold PHI (staff names): errors name the file and line, never an
 * entry. The fingerprint (sha256 over every file's bytes, in config order) goes into the run's
 * resume key and audit, so a changed list redoes the notes.
 *
 * Error codes: E180 file missing/unreadable or bad subtype, E181 CSV without a known column.
 */

export interface LoadedSiteLists {
  readonly lists: SiteLists;
  readonly fingerprint: string;
}

export function loadSiteLists(site: Config['site'], baseDir: string): LoadedSiteLists {
  const hash = createHash('sha256');
  const read = (file: string, what: string): { path: string; text: string } => {
    const path = resolve(baseDir, file);
    let text: string;
    try {
      text = readSmallTextFile(path, 64 * 1024 * 1024);
    } catch (err) {
      throw new ConfigError('E180', `site ${what} list ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    hash.update(`${what}\0${basename(file)}\0${text.length}\0`).update(text);
    return { path, text };
  };
  const deny: DenyList[] = site.deny.map((d) => {
    const subtype = d.subtype ?? defaultSubtype(d.label);
    if (!(SUBTYPES[d.label] as readonly string[]).includes(subtype)) {
      throw new ConfigError('E180', `site deny list ${d.file}: subtype "${subtype}" is not one of ${d.label}: ${SUBTYPES[d.label].join(', ')}`);
    }
    const { path, text } = read(d.file, `deny ${d.label}`);
    return { label: d.label, subtype, terms: listEntries(text, path, 'term') };
  });
  const roster = site.roster.flatMap((f) => {
    const { path, text } = read(f, 'roster');
    return listEntries(text, path, 'name');
  });
  const allow = site.allow.flatMap((f) => {
    const { path, text } = read(f, 'allow');
    return listEntries(text, path, 'term');
  });
  for (const f of site.lists) {
    const { text } = read(f, 'lists');
    const doc = readListsYaml(text, f);
    for (const [label, terms] of Object.entries(doc.deny) as [Label, string[]][]) {
      if (terms.length > 0) deny.push({ label, subtype: defaultSubtype(label), terms });
    }
    roster.push(...doc.roster);
    allow.push(...doc.allow);
  }
  return { lists: { deny, roster, allow }, fingerprint: `sha256:${hash.digest('hex').slice(0, 16)}` };
}

/** The subtype a deny list's spans get when the config names none. */
const DEFAULT_SUBTYPES: Readonly<Record<DenyList['label'], string>> = {
  NAME: 'DOCTOR',
  DATE: 'DATE',
  AGE: 'AGE',
  LOCATION: 'LOCATION',
  ID: 'ID',
  CONTACT: 'PHONE',
  PROFESSION: 'PROFESSION',
  ORGANIZATION: 'ORGANIZATION',
  OTHER: 'OTHER',
};

function defaultSubtype(label: DenyList['label']): string {
  return DEFAULT_SUBTYPES[label];
}

const NAME_COLUMNS = ['name', 'full_name', 'fullname', 'staff', 'person'];
const FIRST_COLUMNS = ['first', 'first_name', 'firstname', 'given', 'given_name', 'forename'];
const LAST_COLUMNS = ['last', 'last_name', 'lastname', 'surname', 'family', 'family_name'];
const TERM_COLUMNS = ['term', 'name', 'phrase', 'word', 'value'];

/** The entries of a list file: lines of a text file, or one column (or first + last) of a CSV. */
export function listEntries(text: string, path: string, kind: 'name' | 'term'): string[] {
  const body = text.replace(/^\uFEFF/u, '');
  if (extname(path).toLowerCase() !== '.csv') {
    return body
      .split(/\r?\n/u)
      .map((l) => l.replace(/(^|\s)#.*$/u, '').trim())
      .filter((l) => l !== '');
  }
  const rows = parseCsv(body, (line, reason) => {
    throw new ConfigError('E181', `${basename(path)}: line ${line}: ${reason}`);
  });
  const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase().replace(/[\s-]+/gu, '_'));
  const col = (names: readonly string[]): number => header.findIndex((h) => names.includes(h));
  const cell = (row: readonly string[], i: number): string => (i >= 0 ? (row[i] ?? '').trim() : '');
  if (kind === 'name') {
    const [name, first, last] = [col(NAME_COLUMNS), col(FIRST_COLUMNS), col(LAST_COLUMNS)];
    if (name < 0 && last < 0) throw new ConfigError('E181', `${basename(path)}: a roster CSV needs a "name" column or "first" and "last" columns`);
    return rows
      .map((r) => (last >= 0 && cell(r, last) !== '' ? `${cell(r, last)}, ${cell(r, first)}`.replace(/,\s*$/u, '') : cell(r, name)))
      .filter((e) => e !== '');
  }
  const term = col(TERM_COLUMNS);
  return rows.map((r) => cell(r, Math.max(term, 0))).filter((e) => e !== '');
}

/**
 * A CSV file's rows as values (the record-file scanner, src/node/formats/csv.ts), blank rows
 * skipped; a malformed row is refused by line through `fail` (never quoting it).
 */
export function parseCsv(text: string, fail: (line: number, reason: string) => never = (line, reason) => {
  throw new ConfigError('E181', `line ${line}: ${reason}`);
}): string[][] {
  return scanCsv(text)
    .filter((row) => row.error !== undefined || row.fields.some((f) => f.value !== ''))
    .map((row) => (row.error !== undefined ? fail(row.line, row.error) : row.fields.map((f) => f.value)));
}

const Entry = z.union([z.string().min(1), z.object({ text: z.string().min(1) }).loose(), z.object({ name: z.string().min(1) }).loose()]);
const ListsYaml = z
  .object({
    deny: z.partialRecord(z.enum(LABELS), z.array(Entry).nullable()).default({}),
    roster: z.array(Entry).nullable().default([]),
    allow: z.array(Entry).nullable().default([]),
  })
  .strict();

const entryText = (e: z.infer<typeof Entry>): string => (typeof e === 'string' ? e : 'text' in e ? String(e.text) : String((e as { name: string }).name));

/** A reviewed site-lists YAML file (the form `lists learn` proposes): entries as strings or `{text|name, ...counts}`. */
export function readListsYaml(text: string, file: string): { deny: Partial<Record<Label, string[]>>; roster: string[]; allow: string[] } {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: false, maxAliasCount: 100 }) ?? {};
  } catch {
    throw new ConfigError('E180', `site lists ${file}: not valid YAML`);
  }
  const parsed = ListsYaml.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // The path names keys and indices, never an entry.
    throw new ConfigError('E180', `site lists ${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.code === 'unrecognized_keys' ? 'unknown key' : 'not a list of strings or {text: ...}'}`);
  }
  const { deny, roster, allow } = parsed.data;
  return {
    deny: Object.fromEntries(Object.entries(deny).map(([label, entries]) => [label, (entries ?? []).map(entryText)])),
    roster: (roster ?? []).map(entryText),
    allow: (allow ?? []).map(entryText),
  };
}

/** The proposals as a reviewable YAML file (readable back by `site.lists`), one entry per line. */
export function formatProposals(proposals: ListProposals, source: { notes: number; file: string }): string {
  const entry = (c: Candidate, key: 'text' | 'name', indent: string): string =>
    `${indent}- { ${key}: ${JSON.stringify(c.text)}, notes: ${c.notes}, count: ${c.count}, caught: ${c.caught}${c.notPhi !== undefined ? `, notPhi: ${c.notPhi}` : ''} }`;
  const block = (cs: readonly Candidate[], key: 'text' | 'name', indent: string): string[] => (cs.length === 0 ? [`${indent}[]`] : cs.map((c) => entry(c, key, `${indent}`)));
  const deny = Object.entries(proposals.deny) as [Label, readonly Candidate[]][];
  return [
    `# Site list proposals from ${source.file} (${source.notes} notes), written by phi-redact lists learn.`,
    '# Nothing here is applied by itself. Review: delete what is wrong, keep what your site writes, then',
    '# name this file in the config (site: {lists: [this-file.yaml]}). notes/count: where it occurs;',
    "# caught: share of occurrences today's detectors already redact; notPhi: places the entry would match",
    '# that are not PHI in these notes (entries matching mostly non-PHI were left out). allow: false alarms that recur.',
    '# These lists hold PHI (staff names, places): keep them as protected as the notes.',
    deny.length === 0 ? 'deny: {}' : 'deny:',
    ...deny.flatMap(([label, cs]) => [`  ${label}:`, ...block(cs, 'text', '    ')]),
    'roster:',
    ...block(proposals.roster, 'name', '  '),
    'allow:',
    ...block(proposals.allow, 'text', '  '),
    '',
  ].join('\n');
}
