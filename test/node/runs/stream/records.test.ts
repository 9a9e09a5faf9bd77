import { describe, expect, it } from 'vitest';
import { frameRecords, type FrameOptions, type StreamRecord } from '../../../../src/node/runs/stream/records.js';

async function* one(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function frame(input: string | Uint8Array, options: FrameOptions): Promise<StreamRecord[]> {
  const out: StreamRecord[] = [];
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  for await (const batch of frameRecords(one(bytes), options)) out.push(...batch);
  return out;
}

const brief = (r: StreamRecord): string =>
  r.kind === 'note' ? `${r.lineNo}:${JSON.stringify(r.text)}${r.separator !== undefined ? `|${JSON.stringify(r.separator)}` : ''}` : `${r.lineNo}:${r.error.code}`;

describe('frameRecords jsonl', () => {
  it('parses one note per line, skips blank lines, reports bad lines by number and code only', async () => {
    const input = '{"id":1,"text":"a"}\n\n{"id":2,"text":"b"}\r\nnot json Jane Doe\n{"id":3}\n[1]\n{"text":"c"}';
    const records = await frame(input, { format: 'jsonl' });
    expect(records.map(brief)).toEqual(['1:"a"', '3:"b"', '4:E050', '5:E051', '6:E051', '7:"c"']);
    for (const r of records) if (r.kind === 'fault') expect(r.error.message).not.toContain('Jane');
  });

  it('reports invalid UTF-8 and over-long lines', async () => {
    const bad = Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe]), Buffer.from(`"}\n{"text":"${'x'.repeat(50)}"}\n{"text":"ok"}\n`)]);
    const records = await frame(bad, { format: 'jsonl', maxRecordBytes: 40 });
    expect(records.map(brief)).toEqual(['1:E052', '2:E053', '3:"ok"']);
  });

  it('drops a UTF-8 BOM at the start of the stream', async () => {
    const records = await frame(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"text":"a"}\n')]), { format: 'jsonl' });
    expect(records.map(brief)).toEqual(['1:"a"']);
  });
});

describe('frameRecords text', () => {
  it.each<[string, string[]]>([
    ['', ['1:E041']],
    ['one note\n', ['1:"one note\\n"']],
    ['no newline', ['1:"no newline"']],
    ['a\nb\n\f\nc\n', ['1:"a\\nb\\n"|"\\f\\n"', '4:"c\\n"']],
    ['a\n\f\n', ['1:"a\\n"|"\\f\\n"']],
    ['a\r\n\f\r\nb', ['1:"a\\r\\n"|"\\f\\r\\n"', '3:"b"']],
    ['\f\n\f\n', ['1:""|"\\f\\n"', '2:""|"\\f\\n"']],
    ['a \f\n', ['1:"a \\f\\n"']],
  ])('%j', async (input, expected) => {
    expect((await frame(input, { format: 'text' })).map(brief)).toEqual(expected);
  });

  it('uses a custom separator line', async () => {
    const records = await frame('a\n=====\nb\n', { format: 'text', separator: '=====' });
    expect(records.map(brief)).toEqual(['1:"a\\n"|"=====\\n"', '3:"b\\n"']);
  });

  it('reports an over-long note at its first line and keeps its separator for framing', async () => {
    const records = await frame(`short\n\f\n${'x'.repeat(30)}\n${'y'.repeat(30)}\n\f\nlast\n`, { format: 'text', maxRecordBytes: 40 });
    expect(records.map(brief)).toEqual(['1:"short\\n"|"\\f\\n"', '3:E053', '6:"last\\n"']);
  });

  it.each<[string, Buffer, string]>([
    ['invalid UTF-8', Buffer.from([0xc3, 0x28, 0x0a]), 'E043 note at line 3: invalid UTF-8 at byte 0'],
    ['a NUL byte', Buffer.from('abc\u0000def\n'), 'E042 note at line 3: binary file (NUL byte at byte 3), not a text note'],
    ['a PDF', Buffer.from('%PDF-1.4\n'), 'E042 note at line 3: binary file (PDF), not a text note'],
  ])('reports a note with %s by its first line', async (_what, bad, message) => {
    const records = await frame(Buffer.concat([Buffer.from('ok\n\f\n'), bad, Buffer.from('\f\nafter\n')]), { format: 'text' });
    expect(records.map(brief)).toEqual(['1:"ok\\n"|"\\f\\n"', `3:${message.slice(0, 4)}`, '5:"after\\n"']);
    expect(records[1]!.kind === 'fault' && records[1]!.error.message).toBe(message);
  });
});
