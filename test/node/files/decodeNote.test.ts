import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBytes, decodeNote, firstInvalidUtf8 } from '../../../src/node/files/decodeNote.js';
import { InputError } from '../../../src/core/errors.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const codeOf = (input: Uint8Array): string | undefined => {
  try {
    decodeNote(input);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).code;
  }
};

describe('decodeNote', () => {
  it.each([
    ['plain ASCII', utf8('Seen 1/2/2020.'), 'Seen 1/2/2020.'],
    ['CRLF kept', utf8('a\r\nb\r\n'), 'a\r\nb\r\n'],
    ['BOM dropped', bytes(0xef, 0xbb, 0xbf, 0x41), 'A'],
    ['only the first BOM dropped', bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41), '\ufeffA'],
    ['multi-byte', utf8('Café — 😀 Ünal'), 'Café — 😀 Ünal'],
    ['whitespace only is a note', utf8(' \n'), ' \n'],
  ])('accepts %s', (_name, input, expected) => {
    expect(decodeNote(input)).toBe(expected);
  });

  it.each([
    ['zero bytes', bytes(), 'E041'],
    ['a BOM alone', bytes(0xef, 0xbb, 0xbf), 'E041'],
    ['a NUL byte', utf8('abc\u0000def'), 'E042'],
    ['UTF-16LE text (NULs)', Uint8Array.from(Buffer.from('Note', 'utf16le')), 'E042'],
    ['a PDF', utf8('%PDF-1.7\n...'), 'E042'],
    ['a PNG', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a), 'E042'],
    ['a ZIP/DOCX', bytes(0x50, 0x4b, 0x03, 0x04, 0x41), 'E042'],
    ['a gzip stream', bytes(0x1f, 0x8b, 0x08), 'E042'],
    ['a JPEG', bytes(0xff, 0xd8, 0xff, 0xe0), 'E042'],
    ['Latin-1 é', bytes(0x63, 0x61, 0x66, 0xe9), 'E043'],
    ['a lone continuation byte', bytes(0x41, 0x80, 0x41), 'E043'],
    ['an overlong encoding', bytes(0xc0, 0xaf), 'E043'],
    ['an encoded surrogate', bytes(0xed, 0xa0, 0x80), 'E043'],
    ['a truncated sequence at the end', bytes(0x41, 0xe2, 0x82), 'E043'],
    ['a code point above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 'E043'],
  ])('refuses %s', (_name, input, code) => {
    expect(codeOf(input)).toBe(code);
  });

  it('names the byte offset of the first bad sequence, never the content', () => {
    const input = utf8('Patient Zed Quillfeather ');
    const bad = new Uint8Array([...input, 0xe9, 0x41]);
    try {
      decodeNote(bad);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe(`E043 invalid UTF-8 at byte ${input.length}`);
      expect((err as Error).message).not.toContain('Quillfeather');
    }
  });

  it('round-trips every well-formed, non-empty, NUL-free string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), (s) => {
        fc.pre(s.isWellFormed() && !s.includes('\u0000') && !s.startsWith('\ufeff') && !['%PDF-', 'PK\u0003\u0004', '\u001f'].some((magic) => s.startsWith(magic)));
        expect(decodeNote(utf8(s))).toBe(s);
      }),
    );
  });

  it('firstInvalidUtf8 agrees with the decoder on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        const at = firstInvalidUtf8(b);
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(b);
        } catch {
          valid = false;
        }
        expect(at === b.length).toBe(valid);
        if (!valid) new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, at)); // the prefix is valid
      }),
    );
  });
});

/** The WHATWG index for windows-1252's 0x80-0x9F, written out here independently of the module's table. */
const WINDOWS_1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

describe('decodeNote with an encoding (legacy exports)', () => {
  it.each([
    ['windows-1252 accents and curly quotes', 'windows-1252', bytes(0x43, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x41, 0x94), 'Café “A”'],
    ['latin1 (read as windows-1252, as browsers do)', 'latin1', bytes(0xfc, 0x80), 'ü€'],
    ['iso-8859-2', 'iso-8859-2', bytes(0xb3, 0xf3, 0x64, 0xbc), 'łódź'],
    ['utf-16le with its BOM', 'utf-16le', bytes(0xff, 0xfe, 0x41, 0x00, 0x42, 0x00), 'AB'],
    ['a utf-8 label takes the UTF-8 path', 'UTF8', bytes(0xef, 0xbb, 0xbf, 0x41), 'A'],
  ])('decodes %s', (_name, encoding, input, expected) => {
    expect(decodeNote(input, encoding)).toBe(expected);
  });

  it.each([
    ['empty', 'windows-1252', bytes(), 'E041'],
    ['a PDF', 'windows-1252', utf8('%PDF-1.4 x'), 'E042'],
    ['a NUL byte', 'windows-1252', bytes(0x41, 0x00, 0x42), 'E042'],
    ['invalid Shift_JIS', 'shift_jis', bytes(0x81, 0x20), 'E141'],
  ])('refuses %s', (_name, encoding, input, code) => {
    expect(() => decodeNote(input, encoding)).toThrow(new RegExp(`^${code} `));
  });

  it('property: any windows-1252 file decodes to one character per byte, by the WHATWG index', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([0x41, ...b.filter((x) => x !== 0)])), (b) => {
        expect(decodeNote(b, 'windows-1252')).toBe(Array.from(b, (x) => (x >= 0x80 && x <= 0x9f ? WINDOWS_1252_C1[x - 0x80]! : String.fromCharCode(x))).join(''));
      }),
    );
  });
});

describe('decodeBytes', () => {
  it('reads every windows-1252 byte by the WHATWG index, whatever Node version (nodejs/node#60888)', () => {
    const all = Uint8Array.from({ length: 256 }, (_v, i) => i);
    const expected = Array.from({ length: 256 }, (_v, i) => (i >= 0x80 && i <= 0x9f ? WINDOWS_1252_C1[i - 0x80]! : String.fromCharCode(i))).join('');
    for (const label of ['windows-1252', 'latin1', 'iso-8859-1', 'ascii', 'cp1252']) expect(decodeBytes(all, label)).toBe(expected);
  });

  it('leaves other encodings to Node', () => {
    expect(decodeBytes(Uint8Array.of(0x80), 'iso-8859-2')).toBe('\u0080');
    expect(decodeBytes(new TextEncoder().encode('\u0085'), 'utf-8')).toBe('\u0085');
  });
});
