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
          expect(parsed.error.message).toMatch(/^E05[01] line \d+ (is not valid JSON|is not a JSON object|has no string "text" field)$/);
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
