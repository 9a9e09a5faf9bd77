import { createHash } from 'node:crypto';
import { type Node, parseTree } from 'jsonc-parser';
import { InputError } from '../../core/errors.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../runs/jsonlNotes.js';
import { decodeBytes, encodingName } from '../files/decodeNote.js';
import { type FileNote, lineAt, lineStartsOf, type NoteResult, type RecordFile, type RecordProblem } from './types.js';

/**
 * FHIR R4 JSON: a DocumentReference, or a Bundle whose entries may be DocumentReferences. Each
 * `content[].attachment` with contentType text/plain and inline base64 `data` is one note:
 * decoded (its `charset`, default UTF-8), redacted, re-encoded as UTF-8 base64. The output is the
 * input text with only these values replaced — every other byte (other resources, key order,
 * spacing, numbers) as it came. When the charset was not UTF-8 the contentType's charset becomes
 * utf-8; an attachment `size` or `hash` (SHA-1) is recomputed for the new bytes (the old hash
 * would describe the unredacted note). Attachments of other types, or without inline data, are
 * left alone and counted. Other DocumentReference fields (description, narrative, subject
 * display) are NOT redacted.
 *
 * Positions come from jsonc-parser's syntax tree (the input is first checked as strict JSON with
 * JSON.parse, whose messages quote the input and are never passed on). A key the walk reads given
 * twice (JSON.parse keeps the last; the first would pass unredacted) fails its entry, like an
 * undecodable attachment (E145): a Bundle entry that fails is left out; a lone DocumentReference
 * that fails is not written (E145 for the file).
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/u;

class DuplicateKey extends Error {}

/** An attachment that cannot be redacted: where, and why (PHI-free). */
class BadAttachment extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The value of `key` in an object node; throws DuplicateKey when the key is there twice. */
function member(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== 'object') return undefined;
  const props = (node.children ?? []).filter((p) => p.children?.[0]?.value === key);
  if (props.length > 1) throw new DuplicateKey(key);
  return props[0]?.children?.[1];
}

function stringOf(node: Node | undefined): string | undefined {
  return node?.type === 'string' ? (node.value as string) : undefined;
}

interface Edit {
  readonly offset: number;
  readonly length: number;
  readonly content: string;
}

interface Attachment {
  readonly data: Node;
  readonly contentType: Node;
  readonly size?: Node;
  readonly hash?: Node;
  readonly utf8: boolean;
}

/** `text/plain; charset=ISO-8859-1` → its TextDecoder name; undefined: not text/plain. Throws for an unknown charset. */
function plainTextCharset(contentType: string): string | undefined {
  const [mime, ...params] = contentType.split(';');
  if (mime!.trim().toLowerCase() !== 'text/plain') return undefined;
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/iu.exec(p)?.[1]).find((c) => c !== undefined);
  if (charset === undefined) return 'utf-8';
  const name = encodingName(charset);
  if (name === undefined) throw new Error('unknown charset');
  return name;
}

export function parseFhirFile(text: string, bom = ''): RecordFile {
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new InputError('E144', `nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    JSON.parse(text);
  } catch {
    throw new InputError('E144', 'not valid JSON');
  }
  const root = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
  const lines = lineStartsOf(text);
  const lineOf = (n: Node): number => lineAt(lines, n.offset);
  let resourceType: string | undefined;
  try {
    resourceType = stringOf(member(root, 'resourceType'));
  } catch {
    throw new InputError('E144', 'the resource has "resourceType" twice');
  }
  if (resourceType !== 'DocumentReference' && resourceType !== 'Bundle') {
    throw new InputError('E144', 'not a FHIR DocumentReference or Bundle (resourceType)');
  }

  let skippedAttachments = 0;
  /** The text/plain attachments of one DocumentReference; throws BadAttachment for a bad one. */
  const attachmentsOf = (doc: Node): { attachments: Attachment[]; notes: Omit<FileNote, 'entry'>[] } => {
    const attachments: Attachment[] = [];
    const notes: Omit<FileNote, 'entry'>[] = [];
    try {
      const patient = stringOf(member(member(doc, 'subject'), 'reference'));
      const content = member(doc, 'content');
      for (const item of content?.type === 'array' ? (content.children ?? []) : []) {
        const att = member(item, 'attachment');
        if (att?.type !== 'object') continue;
        const contentType = member(att, 'contentType');
        const data = member(att, 'data');
        let charset: string | undefined;
        try {
          charset = plainTextCharset(stringOf(contentType) ?? '');
        } catch {
          throw new BadAttachment(lineOf(contentType!), "the attachment's charset is not one Node can decode");
        }
        if (charset === undefined || data === undefined) {
          skippedAttachments++;
          continue;
        }
        const base64 = stringOf(data);
        if (base64 === undefined || !BASE64.test(base64)) throw new BadAttachment(lineOf(data), "the attachment's data is not valid base64");
        let note: string;
        try {
          note = decodeBytes(Buffer.from(base64, 'base64'), charset);
        } catch {
          throw new BadAttachment(lineOf(data), `the attachment's data is not valid ${charset}`);
        }
        const size = member(att, 'size');
        const hash = member(att, 'hash');
        attachments.push({ data, contentType: contentType!, ...(size !== undefined ? { size } : {}), ...(hash !== undefined ? { hash } : {}), utf8: charset === 'utf-8' });
        notes.push({ line: lineOf(data), text: note, ...(patient !== undefined ? { patient } : {}) });
      }
    } catch (err) {
      if (err instanceof DuplicateKey) throw new BadAttachment(lineOf(doc), 'a key of the DocumentReference or its attachments is given twice');
      throw err;
    }
    return { attachments, notes };
  };

  /** Per note: its attachment and the Bundle entry (array element) it belongs to. */
  const attachments: Attachment[] = [];
  const owners: (number | undefined)[] = [];
  const notes: FileNote[] = [];
  const problems: RecordProblem[] = [];
  const failedEntries = new Set<number>();
  let entryNodes: Node[] = [];

  if (resourceType === 'DocumentReference') {
    let found: ReturnType<typeof attachmentsOf>;
    try {
      found = attachmentsOf(root!);
    } catch (err) {
      if (err instanceof BadAttachment) throw new InputError('E145', `line ${err.line}: ${err.reason}`);
      throw err;
    }
    attachments.push(...found.attachments);
    for (const n of found.notes) {
      notes.push(n);
      owners.push(undefined);
    }
  } else {
    let entries: Node | undefined;
    try {
      entries = member(root, 'entry');
    } catch {
      throw new InputError('E144', 'the Bundle has "entry" twice');
    }
    entryNodes = entries?.type === 'array' ? (entries.children ?? []) : [];
    for (const [e, entry] of entryNodes.entries()) {
      try {
        const resource = member(entry, 'resource');
        if (stringOf(member(resource, 'resourceType')) !== 'DocumentReference') continue;
        const found = attachmentsOf(resource!);
        attachments.push(...found.attachments);
        for (const n of found.notes) {
          notes.push({ ...n, entry: e });
          owners.push(e);
        }
      } catch (err) {
        if (!(err instanceof BadAttachment || err instanceof DuplicateKey)) throw err;
        const bad = err instanceof BadAttachment ? err : new BadAttachment(lineOf(entry), 'a key of the entry is given twice');
        problems.push({ line: bad.line, entry: e, error: new InputError('E145', `line ${bad.line} (entry ${e}): ${bad.reason}`).message });
        failedEntries.add(e);
      }
    }
  }

  return {
    format: 'fhir',
    notes,
    problems,
    skippedAttachments,
    render(results: readonly (NoteResult | undefined)[]): string | undefined {
      const dropped = new Set(failedEntries);
      for (const [k, r] of results.entries()) {
        if (r !== undefined) continue;
        const owner = owners[k];
        if (owner === undefined) return undefined; // a lone DocumentReference: nothing safe to write
        dropped.add(owner);
      }
      const edits: Edit[] = [];
      for (const [k, att] of attachments.entries()) {
        const owner = owners[k];
        if (owner !== undefined && dropped.has(owner)) continue;
        const bytes = Buffer.from(results[k]!.text, 'utf8');
        edits.push({ offset: att.data.offset, length: att.data.length, content: JSON.stringify(bytes.toString('base64')) });
        if (!att.utf8) {
          const ct = (att.contentType.value as string).replace(/charset\s*=\s*"?[^";\s]*"?/iu, 'charset=utf-8');
          edits.push({ offset: att.contentType.offset, length: att.contentType.length, content: JSON.stringify(ct) });
        }
        if (att.size?.type === 'number') edits.push({ offset: att.size.offset, length: att.size.length, content: String(bytes.length) });
        if (att.hash?.type === 'string') {
          edits.push({ offset: att.hash.offset, length: att.hash.length, content: JSON.stringify(createHash('sha1').update(bytes).digest('base64')) });
        }
      }
      edits.push(...entryRemovals(entryNodes, dropped));
      return bom + applyEdits(text, edits);
    },
  };
}

/** The text with non-overlapping edits applied, in one pass (splicing edit by edit is quadratic in a big Bundle). */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const parts: string[] = [];
  let cursor = 0;
  for (const e of [...edits].sort((a, b) => a.offset - b.offset)) {
    parts.push(text.slice(cursor, e.offset), e.content);
    cursor = e.offset + e.length;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

/**
 * Edits that take the dropped elements out of an array with their separators: an element after
 * a kept one takes the comma before it, one with no kept element before it the comma after it.
 */
export function entryRemovals(elements: readonly Node[], dropped: ReadonlySet<number>): Edit[] {
  const edits: Edit[] = [];
  let keptBefore = false;
  for (const [i, el] of elements.entries()) {
    if (!dropped.has(i)) {
      keptBefore = true;
      continue;
    }
    const end = el.offset + el.length;
    if (keptBefore) {
      const prev = elements[i - 1]!;
      edits.push({ offset: prev.offset + prev.length, length: end - (prev.offset + prev.length), content: '' });
    } else {
      const next = elements[i + 1];
      const to = next === undefined ? end : next.offset;
      edits.push({ offset: el.offset, length: to - el.offset, content: '' });
    }
  }
  return edits;
}
