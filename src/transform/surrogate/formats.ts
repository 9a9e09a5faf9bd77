import { keyedStream, type KeyedStream, type SecretKey } from '../keyed.js';
import { drawDifferent, scrambleChars } from './shape.js';

/**
 * Format-preserving surrogates for identifiers and contacts: same length, same separators,
 * same character class at each position, drawn from values that cannot belong to anyone:
 *  - phones: exchange 555, line 0100–0199 (reserved by NANPA for fictional use);
 *  - SSNs: area 900–999 (never issued as SSNs) with group 01–49 (ITINs, which also start
 *    with 9, only use groups 50–65, 70–88, 90–92, 94–99), so neither an SSN nor an ITIN;
 *  - emails and URLs: example.com/.org/.net (RFC 2606 reserved names);
 *  - IPs: the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737)
 *    and 2001:db8::/32 (RFC 3849);
 *  - cards, NPIs and IBANs: a valid checksum only when the policy asks (`keepChecksum`),
 *    otherwise a deliberately invalid one, so a surrogate can never be a live number.
 */

export interface FormatOptions {
  readonly keepChecksum: boolean;
}

/** Rewrites the digits of `original` in order with `digits`, keeping every other character. */
function fillDigits(original: string, digits: string): string {
  let i = 0;
  return original.replace(/\d/gu, () => digits[i++] ?? '0');
}

function randomDigits(s: KeyedStream, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(s.int(10));
  return out;
}

function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function luhnValid(digits: string): boolean {
  return digits.length > 1 && luhnCheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}

/** Sets the last digit so the Luhn check passes (`valid`) or deliberately fails. */
function withLuhn(digits: string, valid: boolean, prefix = ''): string {
  const body = digits.slice(0, -1);
  const check = luhnCheckDigit(prefix + body);
  return body + String(valid ? check : (check + 1 + (Number(digits.at(-1)) % 9)) % 10);
}

/**
 * An extension after a phone number, with its word: `ext. 42`, `x42`, `extension 42`,
 * `, ext 4321`, `(ext. 42)`. The word and spacing are kept; only the digits change.
 */
const PHONE_EXTENSION =
  /^(.*?)(\s*[,;(]?\s*(?<![A-Za-z])(?:extension|extn|ext|x)(?![A-Za-z])\.?\s*(?:#\s*)?:?\s*)(\d{1,6})(\s*\)?\s*)$/iu;
/** A phone with its extension is short; longer text is never searched (the pattern's lazy prefix is quadratic). */
const MAX_PHONE_LENGTH = 80;
const extensionOf = (text: string): RegExpExecArray | null => (text.length <= MAX_PHONE_LENGTH ? PHONE_EXTENSION.exec(text) : null);

/**
 * Phones: the number moves to the fictional 555-01xx lines whatever detector found it and
 * whatever words surround it (letters and separators are kept, only digits change):
 *  - 10 digits, or 11 with a leading 1 (NANP): area 2xx–9xx (not N11), exchange 555, line 01xx;
 *  - 7 digits: 555-01xx;
 *  - any other number of 7 or more digits (international): the last seven 555 01xx, the rest keyed;
 *  - fewer than 7 digits (a bare extension, a vanity number): keyed characters of the same shape.
 * An extension after the number (`ext. 42`, `x42`, `extension 42`) keeps its word; its digits are keyed.
 */
export function phoneSurrogate(key: SecretKey, scope: string, original: string): string {
  const ext = extensionOf(original);
  if (ext && /\d/u.test(ext[1]!)) {
    const s = keyedStream(key, 'contact/phone-ext', scope, original.replace(/\D/gu, ''));
    return `${phoneSurrogate(key, scope, ext[1]!)}${ext[2]!}${randomDigits(s, ext[3]!.length)}${ext[4]!}`;
  }
  if (ext) {
    // Only an extension: its word stays, its digits change.
    const s = keyedStream(key, 'contact/phone-ext', scope, ext[3]!);
    const digits = drawDifferent(ext[3]!, () => randomDigits(s, ext[3]!.length)) ?? ext[3]!.replace(/\d/gu, (d) => String((Number(d) + 1) % 10));
    return `${ext[1]!}${ext[2]!}${digits}${ext[4]!}`;
  }
  const digits = original.replace(/\D/gu, '');
  const s = keyedStream(key, 'contact/phone', scope, digits);
  const draw = (): string => {
    const line = `01${randomDigits(s, 2)}`;
    if (digits.length === 10 || (digits.length === 11 && digits[0] === '1')) {
      // Area code: first digit 2–9, not an N11 service code.
      let area = `${2 + s.int(8)}${randomDigits(s, 2)}`;
      if (area[1] === '1' && area[2] === '1') area = `${area[0]}20`;
      return fillDigits(original, `${digits.length === 11 ? '1' : ''}${area}555${line}`);
    }
    if (digits.length === 7) return fillDigits(original, `555${line}`);
    if (digits.length > 7) return fillDigits(original, `${randomDigits(s, digits.length - 7)}555${line}`);
    return scrambleChars(original, s);
  };
  return drawDifferent(original, draw) ?? fillDigits(original, digits.replace(/\d/gu, (d) => String((Number(d) + 1) % 10)));
}

export function ssnSurrogate(key: SecretKey, scope: string, original: string): string {
  const digits = original.replace(/\D/gu, '');
  if (digits.length !== 9) return genericIdSurrogate(key, scope, original);
  const s = keyedStream(key, 'id/ssn', scope, digits);
  const draw = (): string => {
    const area = `9${randomDigits(s, 2)}`;
    const group = String(1 + s.int(49)).padStart(2, '0');
    const serial = String(1 + s.int(9999)).padStart(4, '0');
    return fillDigits(original, area + group + serial);
  };
  return drawDifferent(original, draw)!;
}

/** Any other identifier (MRN, account, license, device, ...): same shape, keyed characters. */
export function genericIdSurrogate(key: SecretKey, scope: string, original: string): string {
  const s = keyedStream(key, 'id/generic', scope, original.toLowerCase());
  return (
    drawDifferent(original, () => scrambleChars(original, s)) ??
    original.replace(/\d/gu, (d) => String((Number(d) + 1) % 10)).replace(/[a-y]/giu, (c) => String.fromCharCode(c.charCodeAt(0) + 1))
  );
}

/** Payment cards and NPIs: keyed digits, first digit kept (the brand), Luhn per policy. */
export function luhnIdSurrogate(key: SecretKey, scope: string, original: string, options: FormatOptions, npi = false): string {
  const digits = original.replace(/\D/gu, '');
  if (digits.length < 2) return genericIdSurrogate(key, scope, original);
  const s = keyedStream(key, npi ? 'id/npi' : 'id/card', scope, digits);
  const draw = (): string =>
    fillDigits(original, withLuhn(digits[0]! + randomDigits(s, digits.length - 1), options.keepChecksum, npi ? '80840' : ''));
  return drawDifferent(original, draw) ?? genericIdSurrogate(key, scope, original);
}

function ibanCheck(countryAndBban: { country: string; bban: string }): string {
  const rearranged = `${countryAndBban.bban}${countryAndBban.country}00`.toUpperCase();
  const numeric = [...rearranged].map((c) => (/[A-Z]/u.test(c) ? String(c.charCodeAt(0) - 55) : c)).join('');
  let rem = 0;
  for (const ch of numeric) rem = (rem * 10 + Number(ch)) % 97;
  return String(98 - rem).padStart(2, '0');
}

/** IBAN: country code kept, BBAN scrambled in shape, check digits valid only if asked. */
export function ibanSurrogate(key: SecretKey, scope: string, original: string, options: FormatOptions): string {
  const compact = original.replace(/\s/gu, '');
  const m = /^([A-Za-z]{2})(\d{2})([A-Za-z0-9]+)$/u.exec(compact);
  if (!m) return genericIdSurrogate(key, scope, original);
  const s = keyedStream(key, 'id/iban', scope, compact.toUpperCase());
  const draw = (): string => {
    const bban = scrambleChars(m[3]!, s);
    const valid = ibanCheck({ country: m[1]!, bban });
    // An offset of 1..98 (mod 100) can never land back on the valid check digits.
    const check = options.keepChecksum ? valid : String((Number(valid) + 1 + s.int(98)) % 100).padStart(2, '0');
    const rebuilt = m[1]! + check + bban;
    // Re-insert the original's spaces at the same positions.
    let i = 0;
    return original.replace(/\S/gu, () => rebuilt[i++]!);
  };
  return drawDifferent(original, draw) ?? genericIdSurrogate(key, scope, original);
}

export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/\s/gu, '');
  const m = /^([A-Za-z]{2})(\d{2})([A-Za-z0-9]+)$/u.exec(compact);
  return m !== null && ibanCheck({ country: m[1]!, bban: m[3]! }) === m[2];
}

const RESERVED_DOMAINS = ['example.com', 'example.org', 'example.net'];

export function emailSurrogate(key: SecretKey, scope: string, original: string): string {
  const at = original.lastIndexOf('@');
  if (at <= 0) return genericIdSurrogate(key, scope, original);
  const local = original.slice(0, at);
  const s = keyedStream(key, 'contact/email', scope, original.toLowerCase());
  const domain = s.pick(RESERVED_DOMAINS);
  const upper = original.slice(at + 1) === original.slice(at + 1).toUpperCase() && /[A-Z]/u.test(original.slice(at + 1));
  return `${drawDifferent(local, () => scrambleChars(local, s)) ?? `x${local.slice(1)}`}@${upper ? domain.toUpperCase() : domain}`;
}

export function urlSurrogate(key: SecretKey, scope: string, original: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?([^/?#\s]+)(.*)$/isu.exec(original);
  if (!m) return genericIdSurrogate(key, scope, original);
  const s = keyedStream(key, 'contact/url', scope, original.toLowerCase());
  const host = m[2]!;
  const www = /^www\./iu.test(host) ? host.slice(0, 4) : '';
  const port = /:\d+$/u.exec(host)?.[0] ?? '';
  const domain = s.pick(RESERVED_DOMAINS);
  return `${m[1] ?? ''}${www}${domain}${port}${scrambleChars(m[3]!, s)}`;
}

const IPV4_DOC = ['192.0.2', '198.51.100', '203.0.113'];

export function ipSurrogate(key: SecretKey, scope: string, original: string): string {
  const s = keyedStream(key, 'contact/ip', scope, original.toLowerCase());
  if (original.includes(':')) {
    const upper = /[A-F]/u.test(original) && !/[a-f]/u.test(original);
    const groups = Array.from({ length: 6 }, () => s.int(0x10000).toString(16));
    const v6 = `2001:db8:${groups.join(':')}`;
    return upper ? v6.toUpperCase() : v6;
  }
  return drawDifferent(original, () => `${s.pick(IPV4_DOC)}.${1 + s.int(254)}`)!;
}

export interface IdContactOptions extends FormatOptions {}

/**
 * Nine digits written like an SSN (3-2-4 with one separator, or run together) anywhere in a
 * surrogate: whatever found it, such a run must come from the never-issued 9xx area.
 */
const SSN_SHAPED = /(?<!\p{N})\d{3}([- .\u2010-\u2015]?)\d{2}\1\d{4}(?!\p{N})/gu;
const SSN_SHAPED_WHOLE = /^\d{3}([- .\u2010-\u2015]?)\d{2}\1\d{4}$/u;
const NEVER_ISSUED = /^9\d\d(0[1-9]|[1-3]\d|4\d)\d{4}$/u;

/** True when a 9-digit run is in the area 900–999, group 01–49 (neither an SSN nor an ITIN). */
export function isNeverIssuedSsn(run: string): boolean {
  return NEVER_ISSUED.test(run.replace(/\D/gu, ''));
}

/**
 * Rewrites every SSN-shaped run of a surrogate that is not in the never-issued area with SSN
 * surrogate digits, keyed by the original's characters at the same place (surrogates of this
 * kind keep the original's length, so the positions line up) or by the run itself.
 */
export function neverIssuedSsnRuns(key: SecretKey, scope: string, original: string, surrogate: string): string {
  return surrogate.replace(SSN_SHAPED, (run: string, _sep: string, at: number) => {
    if (isNeverIssuedSsn(run)) return run;
    const source = original.length === surrogate.length ? original.slice(at, at + run.length) : run;
    const keyed = source.replace(/\D/gu, '').length === 9 ? source : run;
    return fillDigits(run, ssnSurrogate(key, scope, keyed).replace(/\D/gu, ''));
  });
}

/** Chooses the format by subtype, or by shape when the detector gave none. */
export function idOrContactSurrogate(
  key: SecretKey,
  scope: string,
  original: string,
  label: 'ID' | 'CONTACT',
  subtype: string | undefined,
  options: IdContactOptions,
): string {
  const sub = (subtype ?? '').toUpperCase();
  const trimmed = original.trim();
  if (sub === 'EMAIL' || /^[^@\s]+@[^@\s]+$/u.test(trimmed)) return keepPadding(original, emailSurrogate(key, scope, trimmed));
  if (sub === 'URL' || /^(https?:\/\/|www\.)/iu.test(trimmed)) return keepPadding(original, urlSurrogate(key, scope, trimmed));
  if (sub === 'IP' || /^\d{1,3}(\.\d{1,3}){3}$/u.test(trimmed) || /^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$/iu.test(trimmed)) {
    return keepPadding(original, ipSurrogate(key, scope, trimmed));
  }
  if (sub === 'CARD') return luhnIdSurrogate(key, scope, original, options);
  if (sub === 'NPI') return luhnIdSurrogate(key, scope, original, options, true);
  if (sub === 'IBAN') return ibanSurrogate(key, scope, original, options);
  // SSN-shaped, whoever found it (a model's ID or CONTACT without subtype, an MRN of nine digits).
  if (sub === 'SSN' || (sub !== 'PHONE' && sub !== 'FAX' && SSN_SHAPED_WHOLE.test(trimmed))) {
    return neverIssuedSsnRuns(key, scope, original, ssnSurrogate(key, scope, original));
  }
  // A nine-digit "contact" written like an SSN (with words around it) is kept out of real SSNs too.
  if (label === 'CONTACT' || sub === 'PHONE' || sub === 'FAX' || looksLikePhone(trimmed)) {
    return neverIssuedSsnRuns(key, scope, original, phoneSurrogate(key, scope, original));
  }
  return neverIssuedSsnRuns(key, scope, original, genericIdSurrogate(key, scope, original));
}

/**
 * A phone number a detector labelled ID without a subtype: NANP grouping (3-3-4 or (3) 3-4,
 * optionally +1) or a number with an extension. Bare digit runs stay generic IDs.
 */
function looksLikePhone(text: string): boolean {
  const ext = extensionOf(text);
  const main = (ext && /\d/u.test(ext[1]!) ? ext[1]! : text).trim();
  if (/^(?:\+?1[-. ])?\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}$/u.test(main)) return true;
  return ext !== null && /\d/u.test(ext[1]!) && main.replace(/\D/gu, '').length >= 7;
}

function keepPadding(original: string, replaced: string): string {
  const lead = /^\s*/u.exec(original)![0];
  const trail = /\s*$/u.exec(original)![0];
  return lead + replaced + trail;
}
