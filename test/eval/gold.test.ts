import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EvalInputError } from '../../src/eval/errors.js';
import { joinPredictions } from '../../src/eval/join.js';
import { mapGoldLabel } from '../../src/eval/labelMap.js';
import { parseBratDocument, parseGoldJsonl, parsePredJsonl } from '../../src/eval/goldReaders.js';
import { readBratDir, readGold } from '../../src/node/goldFiles.js';

/** A name that must never appear in an error message. */
const SECRET = 'Zebulon Quartermaine';

function errorOf(fn: () => unknown): EvalInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EvalInputError);
    return err as EvalInputError;
  }
  throw new Error('expected an EvalInputError');
}

async function asyncErrorOf(fn: () => Promise<unknown>): Promise<EvalInputError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EvalInputError);
    return err as EvalInputError;
  }
  throw new Error('expected an EvalInputError');
}

const line = (o: unknown): string => JSON.stringify(o);
const note = `Seen by ${SECRET} today.`;
const nameStart = note.indexOf(SECRET);
const good = { id: 'n1', text: note, spans: [{ start: nameStart, end: nameStart + SECRET.length, label: 'NAME', subtype: 'HCPName', text: SECRET }] };

describe('parseGoldJsonl', () => {
  it('reads notes, keeps subtypes and skips blank lines', () => {
    const docs = parseGoldJsonl(`${line(good)}\n\n${line({ id: 7, text: 'none', spans: [] })}\r\n`, 'g.jsonl');
    expect(docs).toEqual([
      { id: 'n1', text: note, spans: [{ start: nameStart, end: nameStart + SECRET.length, label: 'NAME', subtype: 'HCPName' }] },
      { id: '7', text: 'none', spans: [] },
    ]);
  });

  it('maps corpus types to our labels and keeps the type as subtype', () => {
    const docs = parseGoldJsonl(line({ id: 'a', text: 'Dr Who', spans: [{ start: 3, end: 6, label: 'DOCTOR' }] }), 'g.jsonl');
    expect(docs[0]!.spans).toEqual([{ start: 3, end: 6, label: 'NAME', subtype: 'DOCTOR' }]);
  });

  it.each([
    ['PTName', 'NAME'],
    ['HCPName', 'NAME'],
    ['RelativeProxyName', 'NAME'],
    ['DateYear', 'DATE'],
    ['Phone', 'CONTACT'],
    ['LOCATION-OTHER', 'LOCATION'],
    ['MEDICALRECORD', 'ID'],
    ['IDNUM', 'ID'],
    ['hospital', 'LOCATION'],
    ['ORGANIZATION', 'ORGANIZATION'],
    ['PROFESSION', 'PROFESSION'],
    ['DATETIME', 'DATE'],
    ['banana', undefined],
    ['', undefined],
  ])('mapGoldLabel(%j) = %j', (name, label) => {
    expect(mapGoldLabel(name)).toBe(label);
  });

  describe('code-point offsets (Python) vs UTF-16 indices (JS)', () => {
    // "🙂 Ann": Ann is code points [2, 5) and UTF-16 [3, 6)
    const text = '🙂 Ann';
    it('converts code-point offsets when the span text confirms them', () => {
      const docs = parseGoldJsonl(line({ id: 'a', text, spans: [{ start: 2, end: 5, label: 'NAME', text: 'Ann' }] }), 'g');
      expect(docs[0]!.spans[0]).toMatchObject({ start: 3, end: 6 });
    });
    it('reads code points by default when spans carry no text', () => {
      const docs = parseGoldJsonl(line({ id: 'a', text, spans: [{ start: 2, end: 5, label: 'NAME' }] }), 'g');
      expect(docs[0]!.spans[0]).toMatchObject({ start: 3, end: 6 });
    });
    it('keeps UTF-16 offsets when only they match the span text', () => {
      const docs = parseGoldJsonl(line({ id: 'a', text, spans: [{ start: 3, end: 6, label: 'NAME', text: 'Ann' }] }), 'g');
      expect(docs[0]!.spans[0]).toMatchObject({ start: 3, end: 6 });
    });
    it('honours an explicit unit', () => {
      const docs = parseGoldJsonl(line({ id: 'a', text, spans: [{ start: 3, end: 6, label: 'NAME' }] }), 'g', { offsets: 'utf16' });
      expect(docs[0]!.spans[0]).toMatchObject({ start: 3, end: 6 });
      const e = errorOf(() => parseGoldJsonl(line({ id: 'a', text, spans: [{ start: 3, end: 6, label: 'NAME', text: 'Ann' }] }), 'g', { offsets: 'codepoint' }));
      expect(e.code).toBe('E074'); // code point 6 is past the end of a 5-code-point note
    });
    it('notes without astral characters are never shifted', () => {
      const docs = parseGoldJsonl(line({ id: 'a', text: 'é Ann', spans: [{ start: 2, end: 5, label: 'NAME', text: 'Ann' }] }), 'g');
      expect(docs[0]!.spans[0]).toMatchObject({ start: 2, end: 5 });
    });
  });

  it.each([
    ['not JSON', `${line(good)}\n{"id": "x", "text": "${SECRET}`, 'E072', 'g.jsonl:2:'],
    ['start is a string', line({ id: 'x', text: note, spans: [{ start: SECRET, end: 3, label: 'NAME' }] }), 'E073', 'g.jsonl:1: spans.0.start: expected number'],
    ['text missing', line({ id: 'x', spans: [] }), 'E073', 'g.jsonl:1: text: expected string'],
    ['label missing', line({ id: 'x', text: note, spans: [{ start: 0, end: 3 }] }), 'E073', 'g.jsonl:1: spans.0.label'],
    ['span past the end', line({ id: 'x', text: note, spans: [{ start: 0, end: 999, label: 'NAME' }] }), 'E074', 'g.jsonl:1: spans[0] [0, 999)'],
    ['empty span', line({ id: 'x', text: note, spans: [{ start: 4, end: 4, label: 'NAME' }] }), 'E074', 'g.jsonl:1: spans[0]'],
    ['text differs', line({ id: 'x', text: note, spans: [{ start: 0, end: 4, label: 'NAME', text: SECRET }] }), 'E075', 'g.jsonl:1: spans[0] text differs'],
    ['unknown label', line({ id: 'x', text: note, spans: [{ start: 0, end: 4, label: 'FRUIT' }] }), 'E076', 'g.jsonl:1: spans[0]: unknown label "FRUIT"'],
    ['label that is note text', line({ id: 'x', text: note, spans: [{ start: 0, end: 4, label: SECRET }] }), 'E076', 'g.jsonl:1: spans[0]: unknown label'],
    ['duplicate id', `${line(good)}\n${line(good)}`, 'E077', 'g.jsonl:2: note id already used at g.jsonl:1'],
  ])('%s → %s naming file and line, never content', (_name, content, code, where) => {
    const e = errorOf(() => parseGoldJsonl(content, 'g.jsonl'));
    expect(e.code).toBe(code);
    expect(e.message).toContain(where);
    expect(e.message).not.toContain('Zebulon');
    expect(e.message).not.toContain('Seen by');
  });
});

describe('parseBratDocument', () => {
  const text = 'Smith, the son John, called 617-555-0142 on 2 June.';
  const f = (s: string): string => `${text.indexOf(s)} ${text.indexOf(s) + s.length}`;

  it('reads text-bound lines, splits discontinuous entities into fragments, ignores other lines', () => {
    const ann = [
      `T1\tPATIENT ${f('Smith')};${f('John')}\tSmith John`,
      `T2\tPHONE ${f('617-555-0142')}\t617-555-0142`,
      `A1\tNegated T1`,
      `R1\tRelated Arg1:T1 Arg2:T2`,
      `#1\tAnnotatorNotes T1\tsome note`,
      '',
      `T3\tDATE ${f('2 June')}\t2 June`,
    ].join('\n');
    const doc = parseBratDocument('d', text, ann, 'd.ann');
    expect(doc.spans).toEqual([
      { start: 0, end: 5, label: 'NAME', subtype: 'PATIENT' },
      { ...range(text, 'John'), label: 'NAME', subtype: 'PATIENT' },
      { ...range(text, '617-555-0142'), label: 'CONTACT', subtype: 'PHONE' },
      { ...range(text, '2 June'), label: 'DATE', subtype: 'DATE' },
    ]);
  });

  it('accepts text-bound lines without the text column', () => {
    expect(parseBratDocument('d', text, `T1\tDATE ${f('2 June')}`, 'd.ann').spans).toHaveLength(1);
  });

  it.each([
    ['offset not a number', `T1\tDATE 5 x\t${SECRET}`, 'E078', 'd.ann:2:'],
    ['no offsets', `T1\tDATE\t${SECRET}`, 'E078', 'd.ann:2:'],
    ['unknown line kind', `Q1 ${SECRET}`, 'E078', 'd.ann:2:'],
    ['fragment text differs', `T1\tPATIENT ${f('Smith')};${f('John')}\tJohn Smith`, 'E075', 'd.ann:2: T1 text differs'],
    ['offset past the end', `T1\tDATE 40 400\tx`, 'E074', 'd.ann:2: T1 [40, 400)'],
    ['unknown type', `T1\tVEGETABLE ${f('John')}\tJohn`, 'E076', 'd.ann:2: T1: unknown label "VEGETABLE"'],
  ])('%s → %s naming file and line', (_name, badLine, code, where) => {
    const ann = `T9\tDATE ${f('2 June')}\t2 June\n${badLine}\n`;
    const e = errorOf(() => parseBratDocument('d', text, ann, 'd.ann'));
    expect(e.code).toBe(code);
    expect(e.message).toContain(where);
    expect(e.message).not.toContain('Zebulon');
  });
});

function range(text: string, s: string): { start: number; end: number } {
  return { start: text.indexOf(s), end: text.indexOf(s) + s.length };
}

describe('readBratDir and readGold', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phi-eval-brat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('walks folders, pairs .ann with .txt, and uses the relative path as id', async () => {
    mkdirSync(join(dir, 'ok', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'ok', 'b.txt'), 'Ann came.');
    writeFileSync(join(dir, 'ok', 'b.ann'), 'T1\tPATIENT 0 3\tAnn\n');
    writeFileSync(join(dir, 'ok', 'sub', 'a.txt'), 'Nothing.');
    writeFileSync(join(dir, 'ok', 'sub', 'a.ann'), '');
    writeFileSync(join(dir, 'ok', 'README.txt'), 'not a note');
    const docs = await readGold(join(dir, 'ok'));
    expect(docs.map((d) => d.id)).toEqual(['b', 'sub/a']);
    expect(docs[0]!.spans).toEqual([{ start: 0, end: 3, label: 'NAME', subtype: 'PATIENT' }]);
  });

  it('a missing .txt names the file', async () => {
    mkdirSync(join(dir, 'lonely'));
    writeFileSync(join(dir, 'lonely', 'x.ann'), '');
    const e = await asyncErrorOf(() => readBratDir(join(dir, 'lonely')));
    expect(e.code).toBe('E070');
    expect(e.message).toContain('x.txt');
  });

  it('a folder without .ann files is an error', async () => {
    mkdirSync(join(dir, 'empty'));
    expect((await asyncErrorOf(() => readGold(join(dir, 'empty')))).code).toBe('E078');
  });

  it('a path that does not exist, and invalid UTF-8, name the file', async () => {
    const missing = await asyncErrorOf(() => readGold(join(dir, 'nope.jsonl')));
    expect(missing.message).toMatch(/^E070 .*nope\.jsonl: cannot read \(ENOENT\)$/);
    writeFileSync(join(dir, 'bad.jsonl'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    const bad = await asyncErrorOf(() => readGold(join(dir, 'bad.jsonl')));
    expect(bad.code).toBe('E071');
    expect(bad.message).toContain('bad.jsonl');
  });
});

describe('parsePredJsonl and joinPredictions', () => {
  const gold = parseGoldJsonl(`${line(good)}\n${line({ id: 'n2', text: 'short', spans: [] })}`, 'g.jsonl');

  it('reads the redact --emit spans format (null subtype, sources, raw)', () => {
    const preds = parsePredJsonl(
      [
        line({ id: 'n1', text: '[NAME]', spans: [{ start: nameStart, end: nameStart + 7, label: 'NAME', subtype: null, source: 'ner/x', score: 0.5, sources: ['rules/a', 'ner/x'] }], raw: [] }),
        line({ id: 'n2', text: 'short', spans: [] }),
      ].join('\n'),
      'p.jsonl',
    );
    expect(preds[0]).toEqual({
      id: 'n1',
      line: 1,
      spans: [{ start: nameStart, end: nameStart + 7, label: 'NAME', source: 'ner/x', score: 0.5, sources: ['ner/x', 'rules/a'] }],
      raw: [],
    });
    const docs = joinPredictions(gold, preds, 'p.jsonl');
    expect(docs.map((d) => [d.id, d.pred.length])).toEqual([
      ['n1', 1],
      ['n2', 0],
    ]);
  });

  it('fills in source and score for predictions from other tools', () => {
    const [p] = parsePredJsonl(line({ id: 'n2', spans: [{ start: 0, end: 2, label: 'PHONE' }] }), 'p.jsonl');
    expect(p!.spans[0]).toEqual({ start: 0, end: 2, label: 'CONTACT', source: 'external', score: 1 });
  });

  it.each([
    ['bad JSON', `${line({ id: 'n1', spans: [] })}\n{${SECRET}`, 'E072', 'p.jsonl:2:'],
    ['reversed span', line({ id: 'n1', spans: [{ start: 5, end: 2, label: 'NAME', source: 's', score: 1 }] }), 'E074', 'p.jsonl:1: spans[0] [5, 2)'],
    ['score above 1', line({ id: 'n1', spans: [{ start: 0, end: 2, label: 'NAME', source: 's', score: 3 }] }), 'E073', 'p.jsonl:1: spans.0.score'],
  ])('%s → %s', (_name, content, code, where) => {
    const e = errorOf(() => parsePredJsonl(content, 'p.jsonl'));
    expect(e.code).toBe(code);
    expect(e.message).toContain(where);
    expect(e.message).not.toContain('Zebulon');
  });

  it.each([
    ['a gold note without a prediction', [line({ id: 'n1', spans: [] })], 'E079', 'p.jsonl: no prediction for gold note "n2"'],
    ['a prediction for an unknown note', [line({ id: 'n1', spans: [] }), line({ id: 'n2', spans: [] }), line({ id: 'n3', spans: [] })], 'E079', 'p.jsonl:3: note id not in the gold'],
    ['a span past the gold note', [line({ id: 'n1', spans: [] }), line({ id: 'n2', spans: [{ start: 0, end: 9, label: 'NAME' }] })], 'E074', 'p.jsonl:2: spans[0] [0, 9)'],
  ])('%s → %s', (_name, lines, code, where) => {
    const e = errorOf(() => joinPredictions(gold, parsePredJsonl(lines.join('\n'), 'p.jsonl'), 'p.jsonl'));
    expect(e.code).toBe(code);
    expect(e.message).toContain(where);
  });
});
