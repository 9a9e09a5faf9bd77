import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TransformResult } from '../../../src/transform/types.js';
import { formatNoteLine, parseNoteLine } from '../../../src/node/runs/jsonlNotes.js';

describe('parseNoteLine', () => {
  it.each([
    ['id and text', '{"id":"a","text":"hello"}', { id: 'a', text: 'hello' }],
    ['numeric id', '{"id":7,"text":"x"}', { id: 7, text: 'x' }],
    ['no id', '{"text":"x"}', { text: 'x' }],
    ['extra fields', '{"text":"x","site":"A","n":[1]}', { text: 'x', site: 'A', n: [1] }],
    ['a trailing CR (CRLF file)', '{"text":"x"}\r', { text: 'x' }],
    ['CRLF inside the text', '{"text":"a\\r\\nb"}', { text: 'a\r\nb' }],
    ['an empty text', '{"text":""}', { text: '' }],
  ])('parses %s', (_name, line, fields) => {
    const parsed = parseNoteLine(line, 1);
    expect(parsed.kind).toBe('note');
    if (parsed.kind === 'note') {
      expect(parsed.record.fields).toEqual(fields);
      expect(parsed.record.text).toBe(fields.text);
    }
  });

  it.each([['an empty line', ''], ['spaces', '   '], ['a lone CR', '\r']])('skips %s', (_name, line) => {
    expect(parseNoteLine(line, 3).kind).toBe('blank');
  });

  it.each([
    ['truncated JSON', '{"id":1,"text":"Zed Quillfeather', 'E050 line 9 is not valid JSON'],
    ['bare words', 'Zed Quillfeather', 'E050 line 9 is not valid JSON'],
    ['an array', '["Zed Quillfeather"]', 'E051 line 9 is not a JSON object'],
    ['a string', '"Zed Quillfeather"', 'E051 line 9 is not a JSON object'],
    ['null', 'null', 'E051 line 9 is not a JSON object'],
    ['no text', '{"id":1,"note":"Zed Quillfeather"}', 'E051 line 9 has no string "text" field'],
    ['a numeric text', '{"text":42}', 'E051 line 9 has no string "text" field'],
  ])('refuses %s with a content-free message', (_name, line, message) => {
    const parsed = parseNoteLine(line, 9);
    expect(parsed.kind).toBe('error');
    if (parsed.kind === 'error') {
      expect(parsed.error.message).toBe(message);
      expect(parsed.error.message).not.toContain('Quillfeather');
    }
  });

  it('never puts any of the line into an error message', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), fc.nat(1_000_000), (line, lineNo) => {
        const parsed = parseNoteLine(line, lineNo);
        if (parsed.kind === 'error') {
          expect(parsed.error.message).toMatch(/^E05[017] line \d+ (is not valid JSON|is not a JSON object|has no string "text" field|has more than one "text" field|is nested deeper than 1000 levels)$/);
        }
      }),
    );
  });
});

describe('formatNoteLine', () => {
  const result: TransformResult = {
    text: '[NAME] seen',
    spans: [{ start: 0, end: 12, label: 'NAME', subtype: 'PATIENT', source: 'rules/x', score: 0.91234567, outStart: 0, outEnd: 6, operator: 'tag' }],
  };

  it('replaces text in place and keeps the other fields in order', () => {
    const parsed = parseNoteLine('{"site":"A","text":"Zed Quillfeather seen","id":3}', 1);
    if (parsed.kind !== 'note') throw new Error('parse');
    expect(formatNoteLine(parsed.record, result)).toBe('{"site":"A","text":"[NAME] seen","id":3}\n');
  });

  it('drops an input spans field (it quotes PHI and describes the original text)', () => {
    const parsed = parseNoteLine('{"id":1,"text":"Zed Quillfeather seen","spans":[{"start":0,"end":3,"text":"Zed"}]}', 1);
    if (parsed.kind !== 'note') throw new Error('parse');
    const out = formatNoteLine(parsed.record, result);
    expect(out).toBe('{"id":1,"text":"[NAME] seen"}\n');
    expect(out).not.toContain('Zed');
  });

  it('appends input-offset spans with --emit spans', () => {
    const parsed = parseNoteLine('{"id":1,"text":"Zed Quillfeather seen"}', 1);
    if (parsed.kind !== 'note') throw new Error('parse');
    expect(JSON.parse(formatNoteLine(parsed.record, result, { emitSpans: true }))).toEqual({
      id: 1,
      text: '[NAME] seen',
      spans: [{ start: 0, end: 12, label: 'NAME', subtype: 'PATIENT', source: 'rules/x', score: 0.9123 }],
    });
  });
});

/**
 * Issue 17: lines that crashed the stream or came back altered. Other fields are copied from
 * the input byte for byte; only `text` changes.
 */
describe('hostile JSONL lines', () => {
  const result = (text: string): TransformResult => ({ text, spans: [] });
  const note = (line: string): NonNullable<Extract<ReturnType<typeof parseNoteLine>, { kind: 'note' }>['record']> => {
    const parsed = parseNoteLine(line, 1);
    if (parsed.kind !== 'note') throw new Error(`expected a note, got ${parsed.kind === 'error' ? parsed.error.message : parsed.kind}`);
    return parsed.record;
  };

  it('a line nested 5,000 deep is a coded error naming the line, without content', () => {
    const deep = `{"id":"Zed Quillfeather","text":"x","a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const parsed = parseNoteLine(deep, 12);
    expect(parsed.kind).toBe('error');
    if (parsed.kind === 'error') expect(parsed.error.message).toBe('E057 line 12 is nested deeper than 1000 levels');
    // Deep but under the limit (and brackets inside strings do not count) still passes.
    const ok = `{"text":"${'['.repeat(5000)}","a":${'['.repeat(999)}${']'.repeat(999)}}`;
    expect(formatNoteLine(note(ok), result('y'))).toBe(`{"text":"y","a":${'['.repeat(999)}${']'.repeat(999)}}\n`);
  });

  it('integers beyond 2^53 come back exactly and stay exact in the parsed fields', () => {
    const line = '{"id":12345678901234567891,"patient_id":9007199254740993,"n":[1e400,-0,0.1000000000000000055511151231257827],"text":"x"}';
    const record = note(line);
    expect(formatNoteLine(record, result('y'))).toBe(`${line.replace('"text":"x"', '"text":"y"')}\n`);
    expect(record.fields.id).toBe(12345678901234567891n);
    expect(record.fields.patient_id).toBe(9007199254740993n);
    expect(note('{"patient_id":9007199254740992,"text":"x"}').fields.patient_id).not.toEqual(record.fields.patient_id);
  });

  it('__proto__ is kept as data, never as a prototype', () => {
    const line = '{"__proto__":{"admin":true},"text":"x","b":{"__proto__":[1]}}';
    const record = note(line);
    expect(Object.hasOwn(record.fields, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(record.fields)).toBe(Object.prototype);
    expect(formatNoteLine(record, result('y'))).toBe('{"__proto__":{"admin":true},"text":"y","b":{"__proto__":[1]}}\n');
    // The library path without the raw line keeps it too.
    const { raw: _raw, ...bare } = record;
    expect(formatNoteLine(bare, result('y'))).toBe('{"__proto__":{"admin":true},"text":"y","b":{"__proto__":[1]}}\n');
  });

  it('a CRLF line comes out CRLF; spacing and escapes of other fields are kept', () => {
    const line = '{ "id" : "a\\u0062c" ,\t"text" : "x" , "spans":[{"text":"Zed"}] }\r';
    expect(formatNoteLine(note(line), result('y'))).toBe('{ "id" : "a\\u0062c" ,\t"text" : "y" }\r\n');
  });

  it('two "text" fields are refused (the first would pass through unredacted)', () => {
    const parsed = parseNoteLine('{"text":"Zed Quillfeather","te\\u0078t":"x"}', 4);
    expect(parsed.kind === 'error' && parsed.error.message).toBe('E051 line 4 has more than one "text" field');
  });

  /** A raw JSON value: anything fast-check's JSON generator makes, big integers, odd spacing. */
  const rawValue = fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
    fc.tuple(fc.constantFrom(' ', '', '\t'), fc.json({ maxDepth: 2 }), fc.constantFrom(' ', '')).map(([a, v, b]) => `${a}${v}${b}`),
  );
  const keyArb = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('__proto__', 'id', 'constructor', 'toString', 'patient_id')).filter((k) => k !== 'text' && k !== 'spans');

  it('property: any record round-trips with every other field byte-identical and its id kept', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(keyArb, rawValue), { maxLength: 6 }),
        fc.nat(6),
        fc.string({ unit: 'grapheme' }),
        fc.string({ unit: 'binary' }),
        fc.boolean(),
        (members, at, text, redacted, crlf) => {
          const rawMembers = members.map(([k, v]) => `${JSON.stringify(k)}:${v}`);
          const build = (t: string): string => {
            const parts = [...rawMembers];
            parts.splice(Math.min(at, parts.length), 0, `"text":${JSON.stringify(t)}`);
            return `{${parts.join(',')}}`;
          };
          const line = build(text);
          const record = note(crlf ? `${line}\r` : line);
          expect(record.text).toBe(text);
          const out = formatNoteLine(record, result(redacted));
          expect(out).toBe(`${build(redacted)}${crlf ? '\r\n' : '\n'}`);
          const ids = members.filter(([k]) => k === 'id');
          if (ids.length > 0) expect(note(out.trimEnd()).fields.id).toEqual(record.fields.id);
        },
      ),
      { numRuns: 300 },
    );
  });
});
