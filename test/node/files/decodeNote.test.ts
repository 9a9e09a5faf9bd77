import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNote, firstInvalidUtf8 } from '../../../src/node/files/decodeNote.js';
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
