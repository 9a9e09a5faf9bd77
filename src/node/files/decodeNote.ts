import { InputError } from '../../core/errors.js';

/**
 * Bytes → note text, or a coded refusal. Notes are UTF-8; a leading BOM is dropped, so every
 * span offset (manifest, `--emit spans`, eval) counts UTF-16 code units of the text AFTER the
 * BOM. Line endings are kept as they are (CRLF stays CRLF, offsets include the `\r`).
 */

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** Leading bytes of common binary formats a notes folder may contain by mistake. */
const MAGIC: readonly { readonly name: string; readonly bytes: readonly number[] }[] = [
  { name: 'PDF', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: 'ZIP/DOCX', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'gzip', bytes: [0x1f, 0x8b] },
  { name: 'PNG', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'JPEG', bytes: [0xff, 0xd8, 0xff] },
  { name: 'GIF', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'ELF', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'OLE/DOC', bytes: [0xd0, 0xcf, 0x11, 0xe0] },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return startsWith(bytes, UTF8_BOM);
}

/**
 * The bytes after a UTF-8 BOM, after the checks that need no decoding: E041 empty, E043 UTF-16,
 * E042 a binary signature. Multi-note files (JSONL) take these before reading line by line.
 */
export function refuseNonText(bytes: Uint8Array): Uint8Array {
  const body = hasUtf8Bom(bytes) ? bytes.subarray(UTF8_BOM.length) : bytes;
  if (body.length === 0) throw new InputError('E041', 'empty file');
  // UTF-16 is refused, not guessed at: stream framing is byte-based and outputs are UTF-8.
  const utf16 = startsWith(body, [0xff, 0xfe]) ? 'FF FE' : startsWith(body, [0xfe, 0xff]) ? 'FE FF' : undefined;
  if (utf16 !== undefined) throw new InputError('E043', `UTF-16 text (byte-order mark ${utf16} at byte 0), not UTF-8: convert it first (iconv -f UTF-16 -t UTF-8)`);
  const magic = MAGIC.find((m) => startsWith(body, m.bytes));
  if (magic) throw new InputError('E042', `binary file (${magic.name}), not a text note`);
  return body;
}

/** TextDecoder's name for a label (`latin1` → `windows-1252`), or undefined when it knows none. */
export function encodingName(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

/**
 * Throws InputError E041 (empty), E042 (binary) or E043 (invalid UTF-8); never quotes content.
 * `encoding` (a TextDecoder label, e.g. windows-1252 for legacy exports): the bytes are decoded
 * from it instead, and bytes it cannot decode are E141.
 */
export function decodeNote(bytes: Uint8Array, encoding = 'utf-8'): string {
  const name = encodingName(encoding) ?? 'utf-8';
  if (name !== 'utf-8') return decodeLegacy(bytes, name);
  const body = refuseNonText(bytes);
  const nul = body.indexOf(0);
  if (nul !== -1) throw new InputError('E042', `binary file (NUL byte at byte ${nul}), not a text note`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new InputError('E043', `invalid UTF-8 at byte ${firstInvalidUtf8(body)}`);
  }
}

/**
 * windows-1252's bytes 0x80-0x9F by the WHATWG index (€, curly quotes, dashes, Š, ...). Node's
 * TextDecoder has read them as Latin-1 control characters since v20.18.3 / v22.13.0
 * (nodejs/node#60888), exactly the bytes legacy exports hold, so we map them ourselves; where
 * Node decodes them right this is a no-op. 0x81, 0x8D, 0x8F, 0x90, 0x9D map to themselves.
 */
const WINDOWS_1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
] as const;

/** TextDecoder's decode, with windows-1252 (which the labels latin1, ascii, iso-8859-1 also name) read right. Throws on invalid bytes when `fatal`. */
export function decodeBytes(bytes: Uint8Array, encoding: string, options: { readonly fatal?: boolean; readonly ignoreBOM?: boolean } = {}): string {
  const decoder = new TextDecoder(encoding, { fatal: options.fatal ?? true, ignoreBOM: options.ignoreBOM ?? false });
  const text = decoder.decode(bytes);
  return decoder.encoding === 'windows-1252' ? text.replace(/[\u0080-\u009f]/gu, (c) => String.fromCharCode(WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!)) : text;
}

/** A note in another encoding: the same refusals, its own decoder; a BOM of that encoding is dropped. */
function decodeLegacy(bytes: Uint8Array, name: string): string {
  if (bytes.length === 0) throw new InputError('E041', 'empty file');
  const magic = MAGIC.find((m) => startsWith(bytes, m.bytes));
  if (magic) throw new InputError('E042', `binary file (${magic.name}), not a text note`);
  let text: string;
  try {
    text = decodeBytes(bytes, name);
  } catch {
    throw new InputError('E141', `not valid ${name} text (--encoding)`);
  }
  if (text.length === 0) throw new InputError('E041', 'empty file');
  const nul = text.indexOf('\0');
  if (nul !== -1) throw new InputError('E042', `binary file (NUL character at character ${nul}), not a text note`);
  return text;
}

/** Byte offset of the first malformed UTF-8 sequence (for the error message). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (need > 0) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + need + 1));
      } catch {
        return i;
      }
    }
    i += need + 1;
  }
  return bytes.length;
}
