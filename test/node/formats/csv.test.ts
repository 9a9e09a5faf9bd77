import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCsvField, parseCsvFile, scanCsv } from '../../../src/node/formats/csv.js';
import type { NoteResult } from '../../../src/node/formats/types.js';

// Invented values only. A note's text never appears in an error message.
const OPTIONS = { textColumn: 'text', idColumn: 'id' };
const redacted = (text: string): NoteResult => ({ text, spans: [] });

describe('scanCsv', () => {
  it.each([
    ['plain fields', 'a,b,c\n', [['a', 'b', 'c']]],
    ['CRLF rows', 'a,b\r\nc,d\r\n', [['a', 'b'], ['c', 'd']]],
    ['no final newline', 'a,b\nc,d', [['a', 'b'], ['c', 'd']]],
    ['quoted comma', '"a,b",c\n', [['a,b', 'c']]],
    ['doubled quotes', '"say ""hi""",x\n', [['say "hi"', 'x']]],
    ['a newline inside quotes', '"one\ntwo",x\n', [['one\ntwo', 'x']]],
    ['CRLF inside quotes', '"one\r\ntwo",x\r\n', [['one\r\ntwo', 'x']]],
    ['empty fields', ',,\n', [['', '', '']]],
    ['an empty quoted field', '"",x\n', [['', 'x']]],
    ['a lone CR is data', 'a\rb,c\n', [['a\rb', 'c']]],
    ['an empty field before CRLF', 'a,\r\n', [['a', '']]],
  ])('reads %s', (_name, text, values) => {
    const rows = scanCsv(text);
    expect(rows.map((r) => r.fields.map((f) => f.value))).toEqual(values);
    expect(rows.every((r) => r.error === undefined)).toBe(true);
  });

  it.each([
    ['a stray quote in an unquoted field', 'a,b"c\n', 'a quote inside an unquoted field'],
    ['text after a closing quote', '"a"b,c\n', 'text after a closing quote'],
    ['a quote that never closes', 'a,"bc\nd,e\n', 'a quoted field is never closed'],
  ])('flags %s', (_name, text, error) => {
    expect(scanCsv(text)[0]!.error).toBe(error);
  });

  it('numbers rows by the line they start on, counting line breaks inside quotes', () => {
    expect(scanCsv('h,t\n1,"a\nb\nc"\n2,x\n').map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('keeps rows contiguous: each starts where the one before ended', () => {
    const text = 'h,t\r\n1,"a\r\nb"\r\n\r\n2,x';
    const rows = scanCsv(text);
    expect(rows[0]!.start).toBe(0);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.start).toBe(rows[i - 1]!.next);
    expect(rows.at(-1)!.next).toBe(text.length);
  });
});

describe('encodeCsvField', () => {
  it.each([
    ['plain', false, 'plain'],
    ['plain', true, '"plain"'],
    ['a,b', false, '"a,b"'],
    ['say "x"', false, '"say ""x"""'],
    ['two\nlines', false, '"two\nlines"'],
    ['cr\r', false, '"cr\r"'],
    ['', false, ''],
  ])('%j (quoted before: %s) -> %j', (value, quoted, out) => {
    expect(encodeCsvField(value, quoted)).toBe(out);
  });
});

describe('parseCsvFile', () => {
  it('redacts only the text column and copies every other byte', () => {
    const input = 'id,text,site\r\n7,"Pt Zed Quillfeather, seen",  A \r\n8,plain note,"B,C"\r\n';
    const file = parseCsvFile(input, OPTIONS);
    expect(file.notes.map((n) => [n.line, n.text, n.id])).toEqual([
      [2, 'Pt Zed Quillfeather, seen', '7'],
      [3, 'plain note', '8'],
    ]);
    expect(file.render([redacted('Pt [NAME], seen'), redacted('plain note')])).toBe('id,text,site\r\n7,"Pt [NAME], seen",  A \r\n8,plain note,"B,C"\r\n');
  });

  it('reads the columns the options name and keeps a BOM', () => {
    const file = parseCsvFile('mrn,body\nx1,hello\n', { textColumn: 'body', idColumn: 'mrn' }, '\uFEFF');
    expect(file.notes).toMatchObject([{ text: 'hello', id: 'x1' }]);
    expect(file.render([redacted('bye')])).toBe('\uFEFFmrn,body\nx1,bye\n');
  });

  it('gives each row its columns by name for the patient id', () => {
    const file = parseCsvFile('patient_id,text\np9,x\n', OPTIONS);
    expect((file.notes[0]!.record as Record<string, string>).patient_id).toBe('p9');
  });

  it.each([
    ['no text column', 'id,body\n1,x\n', 'E142 the header has no text column "text" (--text-column)'],
    ['the text column twice', 'text,text\nx,y\n', 'E142 the header names the text column "text" twice'],
    ['a malformed header', 'id,"text\n', 'E142 line 1: the header row is malformed (a quoted field is never closed)'],
    ['an empty file', '', 'E142 no header row'],
    ['only blank lines', '\n\n', 'E142 no header row'],
  ])('refuses a file with %s', (_name, text, message) => {
    expect(() => parseCsvFile(text, OPTIONS)).toThrow(message);
  });

  it.each([
    ['too many fields', 'id,text\n1,Zed Quillfeather,extra\n2,ok\n', 'E143 line 2: 3 fields, the header has 2'],
    ['too few fields', 'id,text\n1\n2,ok\n', 'E143 line 2: 1 fields, the header has 2'],
    ['a stray quote', 'id,text\n1,Zed "Q" Quillfeather\n2,ok\n', 'E143 line 2: a quote inside an unquoted field'],
  ])('leaves out a row with %s, names its line, never its content', (_name, text, message) => {
    const file = parseCsvFile(text, OPTIONS);
    expect(file.problems).toEqual([{ line: 2, error: message }]);
    expect(file.problems[0]!.error).not.toContain('Quillfeather');
    expect(file.notes.map((n) => n.text)).toEqual(['ok']);
    expect(file.render([redacted('OK')])).toBe('id,text\n2,OK\n');
  });

  it('leaves out a row whose note failed (fail closed)', () => {
    const file = parseCsvFile('id,text\n1,a\n2,b\n', OPTIONS);
    expect(file.render([undefined, redacted('B')])).toBe('id,text\n2,B\n');
  });

  it('copies blank lines and does not count them as records', () => {
    const file = parseCsvFile('id,text\n\n1,a\n', OPTIONS);
    expect(file.notes).toHaveLength(1);
    expect(file.render([redacted('A')])).toBe('id,text\n\n1,A\n');
  });
});

// --- properties -----------------------------------------------------------------------------

const cell = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r', 'é', '😀', '1') });
const plainCell = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', 'é', '1'), minLength: 1 });

/** A field as some exporter might write it: quoted when it must be, or at random. */
const written = (value: string, quote: boolean): string => encodeCsvField(value, quote || value === '');

interface Sheet {
  columns: string[];
  textAt: number;
  rows: { cells: string[]; quotes: boolean[]; eol: string }[];
  bom: string;
  finalEol: boolean;
}

const sheetArb: fc.Arbitrary<Sheet> = fc.integer({ min: 1, max: 4 }).chain((others) =>
  fc.record({
    columns: fc.uniqueArray(plainCell, { minLength: others, maxLength: others }).map((names) => names.filter((n) => n !== 'text' && n !== 'id')),
    textAt: fc.nat(others),
    rows: fc.array(
      fc.record({ cells: fc.array(cell, { minLength: others + 2, maxLength: others + 2 }), quotes: fc.array(fc.boolean(), { minLength: others + 2, maxLength: others + 2 }), eol: fc.constantFrom('\n', '\r\n') }),
      { maxLength: 8 },
    ),
    bom: fc.constantFrom('', '\uFEFF'),
    finalEol: fc.boolean(),
  }),
);

/** Header: the other columns, `id` first, `text` spliced in at textAt. Cells index-aligned with the header. */
function header(s: Sheet): string[] {
  const names = ['id', ...s.columns];
  names.splice(Math.min(s.textAt, names.length), 0, 'text');
  return names;
}

function build(s: Sheet, textOf: (row: number) => string): { csv: string; lines: number[] } {
  const names = header(s);
  let csv = `${names.join(',')}\n`;
  let line = 2;
  const lines: number[] = [];
  for (const [r, row] of s.rows.entries()) {
    lines.push(line);
    const fields = names.map((name, c) => written(name === 'text' ? textOf(r) : name === 'id' ? `n${r}` : row.cells[c]!, row.quotes[c]!));
    const body = fields.join(',');
    // A one-column row whose only field is empty would read as a blank line: never generated (id is n<r>).
    const last = r === s.rows.length - 1 && !s.finalEol;
    csv += last ? body : body + row.eol;
    line += (body.match(/\n/g)?.length ?? 0) + 1;
  }
  return { csv, lines };
}

describe('CSV properties', () => {
  it('identity: the file comes out byte for byte, one note per row, in order', () => {
    fc.assert(
      fc.property(sheetArb, (s) => {
        const texts = s.rows.map((row, r) => row.cells[1]! + String(r));
        const { csv } = build(s, (r) => texts[r]!);
        const file = parseCsvFile(csv, OPTIONS, s.bom);
        expect(file.problems).toEqual([]);
        expect(file.notes.map((n) => n.text)).toEqual(texts);
        expect(file.notes.map((n) => n.id)).toEqual(s.rows.map((_r, i) => `n${i}`));
        expect(file.render(file.notes.map((n) => redacted(n.text)))).toBe(s.bom + csv);
      }),
      { numRuns: 300 },
    );
  });

  it('redaction: every non-text field byte-identical, ids kept, record count kept', () => {
    fc.assert(
      fc.property(sheetArb, fc.array(cell, { minLength: 8, maxLength: 8 }), (s, replacements) => {
        const { csv } = build(s, (r) => s.rows[r]!.cells[1]!);
        const file = parseCsvFile(csv, OPTIONS);
        const out = file.render(file.notes.map((_n, i) => redacted(replacements[i]!)));
        const before = scanCsv(csv);
        const after = scanCsv(out!);
        expect(after).toHaveLength(before.length);
        const textAt = header(s).indexOf('text');
        for (const [k, row] of after.entries()) {
          expect(row.error).toBeUndefined();
          for (const [c, f] of row.fields.entries()) {
            if (k > 0 && c === textAt) expect(f.value).toBe(replacements[k - 1]);
            else expect(out!.slice(f.start, f.end)).toBe(csv.slice(before[k]!.fields[c]!.start, before[k]!.fields[c]!.end));
          }
          expect(out!.slice(row.end, row.next)).toBe(csv.slice(before[k]!.end, before[k]!.next));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('one bad row is left out and reported by its line; the rest come out unchanged', () => {
    fc.assert(
      fc.property(
        sheetArb.filter((s) => s.rows.length > 0),
        fc.nat(),
        (s, pick) => {
          const bad = pick % s.rows.length;
          const { csv, lines } = build(s, (r) => s.rows[r]!.cells[1]!);
          const rows = scanCsv(csv);
          const target = rows[bad + 1]!;
          // An extra field at the end of that row.
          const broken = `${csv.slice(0, target.end)},extra${csv.slice(target.end)}`;
          const file = parseCsvFile(broken, OPTIONS);
          expect(file.problems).toEqual([{ line: lines[bad], error: `E143 line ${lines[bad]}: ${header(s).length + 1} fields, the header has ${header(s).length}` }]);
          expect(file.notes).toHaveLength(s.rows.length - 1);
          const expected = csv.slice(0, target.start) + csv.slice(target.next);
          // A missing final line break before the dropped last row is not ours to add.
          expect(file.render(file.notes.map((n) => redacted(n.text)))).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
