import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { type Node, parseTree } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { entryRemovals, parseFhirFile } from '../../../src/node/formats/fhir.js';
import type { NoteResult } from '../../../src/node/formats/types.js';

// Invented notes only; no error message may hold a note's text.
const b64 = (text: string, encoding: BufferEncoding = 'utf8'): string => Buffer.from(text, encoding).toString('base64');
const unb64 = (data: string): string => Buffer.from(data, 'base64').toString('utf8');
const redacted = (text: string): NoteResult => ({ text, spans: [] });

function docRef(attachments: readonly object[], extra: object = {}): object {
  return { resourceType: 'DocumentReference', ...extra, content: attachments.map((attachment) => ({ attachment })) };
}
const bundle = (resources: readonly object[]): object => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) });

describe('parseFhirFile', () => {
  it('redacts a DocumentReference text/plain attachment and copies every other byte', () => {
    const input = JSON.stringify(docRef([{ contentType: 'text/plain', data: b64('Pt Zed Quillfeather seen') }], { id: 'd1', status: 'current' }), null, 2);
    const file = parseFhirFile(input);
    expect(file.notes.map((n) => n.text)).toEqual(['Pt Zed Quillfeather seen']);
    const out = file.render([redacted('Pt [NAME] seen')])!;
    expect(out).toBe(input.replace(b64('Pt Zed Quillfeather seen'), b64('Pt [NAME] seen')));
  });

  it('honours the charset, writes UTF-8 back and says so, and recomputes size and hash', () => {
    const note = 'Café visit, Zed Quillfeather';
    const input = JSON.stringify(docRef([{ contentType: 'text/plain; charset=ISO-8859-1', data: b64(note, 'latin1'), size: note.length, hash: 'AAAA' }]));
    const file = parseFhirFile(input);
    expect(file.notes[0]!.text).toBe(note);
    const out = JSON.parse(file.render([redacted('Café visit, [NAME]')])!) as { content: { attachment: Record<string, unknown> }[] };
    const bytes = Buffer.from('Café visit, [NAME]', 'utf8');
    expect(out.content[0]!.attachment).toEqual({
      contentType: 'text/plain; charset=utf-8',
      data: bytes.toString('base64'),
      size: bytes.length,
      hash: createHash('sha1').update(bytes).digest('base64'),
    });
  });

  it('leaves other attachment types and URL-only attachments alone, and counts them', () => {
    const input = JSON.stringify(docRef([{ contentType: 'application/pdf', data: 'JVBERi0=' }, { contentType: 'text/plain', url: 'Binary/1' }, { contentType: 'text/html', data: b64('<p>x</p>') }]));
    const file = parseFhirFile(input);
    expect(file.notes).toEqual([]);
    expect(file.skippedAttachments).toBe(3);
    expect(file.render([])).toBe(input);
  });

  it("takes the patient from the DocumentReference's subject", () => {
    const file = parseFhirFile(JSON.stringify(docRef([{ contentType: 'text/plain', data: b64('x') }], { subject: { reference: 'Patient/p9' } })));
    expect(file.notes[0]!.patient).toBe('Patient/p9');
  });

  it('redacts DocumentReferences in a Bundle and leaves other resources untouched', () => {
    const input = JSON.stringify(bundle([{ resourceType: 'Patient', id: 'p', name: [{ family: 'Quillfeather' }] }, docRef([{ contentType: 'text/plain', data: b64('a') }])]), null, 1);
    const file = parseFhirFile(input);
    expect(file.notes).toMatchObject([{ text: 'a', entry: 1 }]);
    expect(file.render([redacted('A')])).toBe(input.replace(b64('a'), b64('A')));
  });

  it.each([
    ['bad base64', { contentType: 'text/plain', data: 'Zed Quillfeather!' }, "the attachment's data is not valid base64"],
    ['data that is not a string', { contentType: 'text/plain', data: 42 }, "the attachment's data is not valid base64"],
    ['an unknown charset', { contentType: 'text/plain; charset=x-quillfeather', data: b64('a') }, "the attachment's charset is not one Node can decode"],
    ['bytes invalid in the charset', { contentType: 'text/plain; charset=utf-8', data: Buffer.from([0xff, 0xfe, 0x41]).toString('base64') }, "the attachment's data is not valid utf-8"],
  ])('drops a Bundle entry with %s and reports it by entry and line, without content', (_name, attachment, reason) => {
    const input = JSON.stringify(bundle([docRef([{ contentType: 'text/plain', data: b64('ok') }]), docRef([attachment]), docRef([{ contentType: 'text/plain', data: b64('ok2') }])]), null, 2);
    const file = parseFhirFile(input);
    expect(file.problems).toHaveLength(1);
    expect(file.problems[0]).toMatchObject({ entry: 1 });
    expect(file.problems[0]!.error).toMatch(new RegExp(`^E145 line \\d+ \\(entry 1\\): ${reason.replace(/[()]/g, '\\$&')}$`));
    expect(file.problems[0]!.error).not.toContain('Quillfeather');
    const out = JSON.parse(file.render(file.notes.map((n) => redacted(n.text.toUpperCase())))!) as { entry: { resource: { content: { attachment: { data: string } }[] } }[] };
    expect(out.entry.map((e) => unb64(e.resource.content[0]!.attachment.data))).toEqual(['OK', 'OK2']);
  });

  it('drops a Bundle entry whose attachment gives "data" twice (the first would pass unredacted)', () => {
    const one = `{"resourceType":"DocumentReference","content":[{"attachment":{"contentType":"text/plain","data":"${b64('Zed')}","data":"${b64('x')}"}}]}`;
    const input = `{"resourceType":"Bundle","entry":[{"resource":${one}}]}`;
    const file = parseFhirFile(input);
    expect(file.problems[0]!.error).toMatch(/^E145 line 1 \(entry 0\): a key of the DocumentReference or its attachments is given twice$/);
    expect(file.render([])).toBe('{"resourceType":"Bundle","entry":[]}');
  });

  it('writes nothing for a lone DocumentReference whose note failed', () => {
    const file = parseFhirFile(JSON.stringify(docRef([{ contentType: 'text/plain', data: b64('a') }])));
    expect(file.render([undefined])).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"resourceType": "DocumentReference", Zed', 'E144 not valid JSON'],
    ['JSON with a comment', '{"resourceType": "Bundle"} // Zed', 'E144 not valid JSON'],
    ['another resource', '{"resourceType": "Patient"}', 'E144 not a FHIR DocumentReference or Bundle (resourceType)'],
    ['no resourceType', '[1, 2]', 'E144 not a FHIR DocumentReference or Bundle (resourceType)'],
    ['resourceType twice', '{"resourceType": "Patient", "resourceType": "Bundle"}', 'E144 the resource has "resourceType" twice'],
    ['deep nesting', `${'['.repeat(2000)}${']'.repeat(2000)}`, 'E144 nested deeper than 1000 levels'],
    ['a lone DocumentReference with bad base64', JSON.stringify(docRef([{ contentType: 'text/plain', data: 'Zed!' }])), "E145 line 1: the attachment's data is not valid base64"],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseFhirFile(text)).toThrow(message);
  });
});

describe('entryRemovals', () => {
  const arrayOf = (text: string): Node[] => parseTree(text)!.children!;
  const apply = (text: string, dropped: number[]): string => {
    let out = text;
    for (const e of entryRemovals(arrayOf(text), new Set(dropped)).sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + out.slice(e.offset + e.length);
    return out;
  };
  it('removes any subset of elements and leaves valid JSON with the rest in order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(99), { minLength: 1, maxLength: 7 }), fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }), fc.constantFrom('', ' ', '\n  '), (values, drop, ws) => {
        const text = `[${ws}${values.join(`,${ws}`)}${ws}]`;
        const dropped = values.flatMap((_v, i) => (drop[i] ? [i] : []));
        expect(JSON.parse(apply(text, dropped))).toEqual(values.filter((_v, i) => !drop[i]));
      }),
    );
  });
});

// --- properties -----------------------------------------------------------------------------

const noteArb = fc.string({ unit: 'grapheme', maxLength: 40 });
const otherArb = fc.record({ resourceType: fc.constantFrom('Patient', 'Observation', 'Encounter'), id: fc.string(), n: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), tags: fc.array(fc.string(), { maxLength: 3 }) });
const entryArb = fc.oneof(
  fc.record({ kind: fc.constant('doc' as const), texts: fc.array(noteArb, { minLength: 1, maxLength: 3 }), subject: fc.string() }),
  fc.record({ kind: fc.constant('other' as const), resource: otherArb }),
);
const bundleArb = fc.record({ entries: fc.array(entryArb, { maxLength: 6 }), indent: fc.constantFrom(0, 1, 2, '\t') });

type Entry = { kind: 'doc'; texts: string[]; subject: string } | { kind: 'other'; resource: object };

function bundleText(b: { entries: readonly Entry[]; indent: number | string }): string {
  const resources = b.entries.map((e) =>
    e.kind === 'doc' ? docRef(e.texts.map((t) => ({ contentType: 'text/plain', data: b64(t) })), { subject: { reference: e.subject } }) : e.resource,
  );
  return JSON.stringify(bundle(resources), null, b.indent);
}

function entrySlices(text: string): string[] {
  const root = parseTree(text)!;
  const entries = root.children!.find((p) => p.children![0]!.value === 'entry')!.children![1]!;
  return (entries.children ?? []).map((n) => text.slice(n.offset, n.offset + n.length));
}

describe('FHIR properties', () => {
  it('identity: the Bundle comes out byte for byte, one note per text attachment', () => {
    fc.assert(
      fc.property(bundleArb, (b) => {
        const text = bundleText(b);
        const file = parseFhirFile(text);
        const texts = b.entries.flatMap((e) => (e.kind === 'doc' ? e.texts : []));
        expect(file.notes.map((n) => n.text)).toEqual(texts);
        expect(file.render(file.notes.map((n) => redacted(n.text)))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('redaction: other resources byte-identical, every note replaced, entry count kept', () => {
    fc.assert(
      fc.property(bundleArb, fc.array(noteArb, { minLength: 18, maxLength: 18 }), (b, replacements) => {
        const text = bundleText(b);
        const file = parseFhirFile(text);
        const out = file.render(file.notes.map((_n, i) => redacted(replacements[i]!)))!;
        const before = entrySlices(text);
        const after = entrySlices(out);
        expect(after).toHaveLength(before.length);
        let k = 0;
        for (const [i, e] of b.entries.entries()) {
          if (e.kind === 'other') expect(after[i]).toBe(before[i]);
          else {
            const doc = JSON.parse(after[i]!) as { resource: { subject: unknown; content: { attachment: { data: string } }[] } };
            expect(doc.resource.subject).toEqual({ reference: e.subject });
            expect(doc.resource.content.map((c) => unb64(c.attachment.data))).toEqual(e.texts.map(() => replacements[k++]));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('one entry with bad base64 is left out and reported by entry; the rest come out', () => {
    fc.assert(
      fc.property(bundleArb, fc.nat(), (b, pick) => {
        const bad = pick % (b.entries.length + 1);
        const text = bundleText(b);
        const withBad = JSON.parse(text) as { entry: unknown[] };
        withBad.entry.splice(bad, 0, { resource: docRef([{ contentType: 'text/plain', data: '%%%' }]) });
        const input = JSON.stringify(withBad, null, b.indent);
        const file = parseFhirFile(input);
        expect(file.problems.map((p) => p.entry)).toEqual([bad]);
        const out = file.render(file.notes.map((n) => redacted(n.text)))!;
        expect(JSON.parse(out)).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
  });
});
