import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonlFile } from '../../../src/node/formats/jsonl.js';
import type { NoteResult } from '../../../src/node/formats/types.js';

// Invented values only. Field handling itself is tested with the stdin path (test/node/runs/jsonlNotes.test.ts).
const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const redacted = (text: string): NoteResult => ({ text, spans: [] });

describe('parseJsonlFile', () => {
  it('reads one note per line and writes each back with only its text replaced', async () => {
    const input = '{"id":1,"text":"Pt Zed Quillfeather","big":12345678901234567890}\r\n{"text":"b", "site" : "A"}\n';
    const file = await parseJsonlFile(bytes(input));
    expect(file.notes.map((n) => [n.line, n.text, n.id])).toEqual([
      [1, 'Pt Zed Quillfeather', '1'],
      [2, 'b', undefined],
    ]);
    expect(file.render([redacted('Pt [NAME]'), redacted('B')])).toBe('{"id":1,"text":"Pt [NAME]","big":12345678901234567890}\r\n{"text":"B", "site" : "A"}\n');
  });

  it('keeps a missing final newline, and a BOM', async () => {
    const file = await parseJsonlFile(bytes('\uFEFF{"text":"a"}\n{"text":"b"}'), { bom: '\uFEFF' });
    expect(file.render([redacted('A'), redacted('B')])).toBe('\uFEFF{"text":"A"}\n{"text":"B"}');
  });

  it('adds spans inline with emitSpans, as on stdin', async () => {
    const file = await parseJsonlFile(bytes('{"text":"ab"}\n'), { emitSpans: true });
    const out = file.render([{ text: '[X]', spans: [{ start: 0, end: 2, label: 'NAME', source: 'r', score: 1, outStart: 0, outEnd: 3, operator: 'tag' }] }]);
    expect(JSON.parse(out!)).toMatchObject({ text: '[X]', spans: [{ start: 0, end: 2, label: 'NAME' }] });
  });

  it.each([
    ['not JSON', '{"text":"Zed Quillfeather', 'E050 line 2 is not valid JSON'],
    ['no text', '{"note":"Zed Quillfeather"}', 'E051 line 2 has no string "text" field'],
    ['two texts', '{"text":"Zed Quillfeather","text":"x"}', 'E051 line 2 has more than one "text" field'],
    ['nested too deep', `{"text":"x","a":${'['.repeat(1200)}${']'.repeat(1200)}}`, 'E057 line 2 is nested deeper than 1000 levels'],
  ])('leaves out a line that is %s and names it, never its content', async (_name, bad, message) => {
    const file = await parseJsonlFile(bytes(`{"text":"a"}\n${bad}\n{"text":"c"}\n`));
    expect(file.problems).toEqual([{ line: 2, error: message }]);
    expect(file.render(file.notes.map((n) => redacted(n.text.toUpperCase())))).toBe('{"text":"A"}\n{"text":"C"}\n');
  });

  it('leaves out a line that is not UTF-8 (E052) and goes on', async () => {
    const input = Buffer.concat([bytes('{"text":"a"}\n{"text":"'), Buffer.from([0xff]), bytes('"}\n{"text":"c"}\n')]);
    const file = await parseJsonlFile(input);
    expect(file.problems).toEqual([{ line: 2, error: 'E052 line 2 is not valid UTF-8' }]);
    expect(file.notes.map((n) => n.text)).toEqual(['a', 'c']);
  });

  it('leaves out a line whose note failed (fail closed)', async () => {
    const file = await parseJsonlFile(bytes('{"text":"a"}\n{"text":"b"}\n'));
    expect(file.render([undefined, redacted('B')])).toBe('{"text":"B"}\n');
  });
});

const member = fc.tuple(
  fc.string({ minLength: 1 }).filter((k) => k !== 'text' && k !== 'spans'),
  fc.oneof(fc.constant('12345678901234567890'), fc.constant('"\\u00e9\\n"'), fc.constant('[1, {"a" : null}]'), fc.integer().map(String), fc.string().map((s) => JSON.stringify(s))),
);
const lineArb = fc.record({ members: fc.uniqueArray(member, { maxLength: 4, selector: ([k]) => k }), at: fc.nat(4), text: fc.string({ unit: 'grapheme' }), crlf: fc.boolean() });

function lineOf(l: { members: [string, string][]; at: number; crlf: boolean }, text: string): string {
  const parts = l.members.map(([k, v]) => `${JSON.stringify(k)}:${v}`);
  parts.splice(Math.min(l.at, parts.length), 0, `"text":${JSON.stringify(text)}`);
  return `{${parts.join(',')}}${l.crlf ? '\r\n' : '\n'}`;
}

describe('JSONL file properties', () => {
  it('identity: the file comes out byte for byte; redaction: only text values change, ids and count kept', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 8 }), fc.array(fc.string(), { minLength: 8, maxLength: 8 }), async (lines, replacements) => {
        const input = lines.map((l) => lineOf(l, l.text)).join('');
        const file = await parseJsonlFile(bytes(input));
        expect(file.notes.map((n) => n.text)).toEqual(lines.map((l) => l.text));
        expect(file.render(file.notes.map((n) => redacted(n.text)))).toBe(input);
        const out = file.render(file.notes.map((_n, i) => redacted(replacements[i]!)));
        expect(out).toBe(lines.map((l, i) => lineOf(l, replacements[i]!)).join(''));
      }),
      { numRuns: 200 },
    );
  });

  it('one bad line is left out and reported by its line; the rest come out', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 8 }), fc.nat(), async (lines, pick) => {
        const bad = pick % (lines.length + 1);
        const texts = lines.map((l) => lineOf(l, l.text));
        const input = [...texts.slice(0, bad), '{"text": oops}\n', ...texts.slice(bad)].join('');
        const file = await parseJsonlFile(bytes(input));
        expect(file.problems).toEqual([{ line: bad + 1, error: `E050 line ${bad + 1} is not valid JSON` }]);
        expect(file.render(file.notes.map((n) => redacted(n.text)))).toBe(texts.join(''));
      }),
      { numRuns: 200 },
    );
  });
});
