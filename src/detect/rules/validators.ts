import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { createRequire } from 'node:module';

// validator.js one module each: its index requires all ~100 of them (a tenth of a second of
// start). Required, not imported: each is CommonJS with the function as `default`, which ESM
// loaders (Node, vitest) unwrap differently.
const require = createRequire(import.meta.url);
const validEmail = (require('validator/lib/isEmail') as typeof import('validator/lib/isEmail.js')).default;
const isIBAN = (require('validator/lib/isIBAN') as typeof import('validator/lib/isIBAN.js')).default;
const isIP = (require('validator/lib/isIP') as typeof import('validator/lib/isIP.js')).default;
const isURL = (require('validator/lib/isURL') as typeof import('validator/lib/isURL.js')).default;

/**
 * Checks run on a regex candidate (Presidio's `validate`/`invalidate`): a candidate whose
 * check fails is dropped. Checksums are implemented here from their specifications (short,
 * exact, unit-tested); phones, emails, URLs and IPs are checked by well-kept libraries
 * (libphonenumber-js with full metadata, validator.js) rather than by our regexes alone.
 */
export type Validator = (value: string) => boolean;

const digitsOnly = (s: string): string => s.replace(/\D/g, '');

/** All one digit (0000000000) or a run like 123456789: test and placeholder values. */
export function isDegenerateNumber(digits: string): boolean {
  if (digits.length === 0) return true;
  if (/^(\d)\1*$/.test(digits)) return true;
  return '01234567890123456789'.includes(digits) || '98765432109876543210'.includes(digits);
}

/** Luhn mod-10 (ISO/IEC 7812-1 Annex B). */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Payment card: 13–19 digits, Luhn, a major-network first digit (2–6), not a placeholder. */
export function isCardNumber(value: string): boolean {
  const d = digitsOnly(value);
  return d.length >= 13 && d.length <= 19 && /^[2-6]/.test(d) && !isDegenerateNumber(d) && luhnValid(d);
}

/** IBAN: ISO 13616 country format (via validator.js) and the mod-97 check (ISO 7064) computed here. */
export function ibanMod97Valid(value: string): boolean {
  const s = value.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(s)) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const chunk = code >= 65 ? String(code - 55) : ch;
    for (const c of chunk) rem = (rem * 10 + (c.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}
export function isIban(value: string): boolean {
  return ibanMod97Valid(value) && isIBAN(value.replace(/[\s-]/g, '').toUpperCase());
}

/**
 * US SSN structure (SSA, "Social Security Number Randomization", 2011): area not 000, 666 or
 * 900–999; group not 00; serial not 0000; plus well-known placeholder and advertising values.
 */
export function isUsSsn(value: string): boolean {
  const d = digitsOnly(value);
  if (d.length !== 9) return false;
  const area = d.slice(0, 3);
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return false;
  if (isDegenerateNumber(d)) return false;
  return !['078051120', '219099999', '123456789', '111223333'].includes(d);
}

/** NPI (CMS, 45 CFR 162.406): 10 digits starting 1 or 2, Luhn check over the number prefixed with 80840. */
export function isNpi(value: string): boolean {
  const d = digitsOnly(value);
  return /^[12]\d{9}$/.test(d) && !isDegenerateNumber(d.slice(1)) && luhnValid(`80840${d}`);
}

/**
 * DEA registration number (21 CFR 1301): two letters (registrant type, then the first letter of
 * the surname or 9) and seven digits; (d1+d3+d5) + 2·(d2+d4+d6) ends in d7.
 */
export function isDea(value: string): boolean {
  const m = /^([ABCDEFGHJKLMPRSTUX][A-Z9])(\d{7})$/.exec(value.replace(/[\s-]/g, '').toUpperCase());
  if (!m) return false;
  const d = m[2]!.split('').map(Number);
  const sum = d[0]! + d[2]! + d[4]! + 2 * (d[1]! + d[3]! + d[5]!);
  return sum % 10 === d[6] && !/^(\d)\1*$/.test(m[2]!);
}

/** ABA routing transit number (ABA/Federal Reserve): 9 digits, 3-7-1 weighted sum ≡ 0 mod 10, valid Fed district prefix. */
export function isAbaRouting(value: string): boolean {
  const d = digitsOnly(value);
  if (!/^\d{9}$/.test(d) || isDegenerateNumber(d)) return false;
  const prefix = Number(d.slice(0, 2));
  if (!((prefix >= 0 && prefix <= 12) || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80)) return false;
  const n = d.split('').map(Number);
  const sum = 3 * (n[0]! + n[3]! + n[6]!) + 7 * (n[1]! + n[4]! + n[7]!) + (n[2]! + n[5]! + n[8]!);
  return sum % 10 === 0;
}

/** A number libphonenumber-js (full metadata) calls valid: US by default, any country with a leading +. */
export function isValidPhone(value: string): boolean {
  const p = parsePhoneNumberFromString(value, 'US');
  return p?.isValid() === true;
}

/** A number of a possible length for its country (covers fictional exchanges such as 555 and unassigned area codes). */
export function isPossiblePhone(value: string): boolean {
  const d = digitsOnly(value);
  if (isDegenerateNumber(d)) return false;
  const p = parsePhoneNumberFromString(value, 'US');
  return p?.isPossible() === true;
}

/** 7 to 15 digits (E.164 allows at most 15), not a placeholder run: the check for phones in any national format. */
export function hasPhoneDigitCount(value: string): boolean {
  const d = digitsOnly(value);
  return d.length >= 7 && d.length <= 15 && !isDegenerateNumber(d);
}

/** Any 12–19 digit Luhn-valid number (Maestro, UATP, JCB 1800/2131 ...), for use with a card word nearby. */
export function isLuhnAccountNumber(value: string): boolean {
  const d = digitsOnly(value);
  return d.length >= 12 && d.length <= 19 && !isDegenerateNumber(d) && luhnValid(d);
}

export function isEmail(value: string): boolean {
  return validEmail(value, { allow_utf8_local_part: false, require_tld: true });
}

export function isUrl(value: string): boolean {
  return isURL(value, { require_tld: true, allow_underscores: true, protocols: ['http', 'https', 'ftp'] });
}

export function isIp(value: string): boolean {
  return isIP(value, 4) || isIP(value, 6);
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Numeric calendar dates: m/d, m/d/y, m-d-y, m.d.y (US order), y-m-d (ISO 8601) and
 * d/m/y when the first part cannot be a month. Month 1–12, day within the month, years
 * 2 or 4 digits (4-digit years 1800–2099).
 * With a year, any day 1–31 passes: a mistyped date is still PHI.
 */
export function isNumericDate(value: string): boolean {
  const compact = value.replace(/\s+/g, '');
  // A range of two month/day dates (6/30-7/2): both ends must be dates.
  const range = /^(\d{1,2}\/\d{1,2})-(\d{1,2}\/\d{1,2})$/.exec(compact);
  if (range) return isNumericDate(range[1]!) && isNumericDate(range[2]!);
  const parts = compact.split(/[/.-]/);
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^\d{1,4}$/.test(p))) return false;
  const nums = parts.map(Number);
  const yearOk = (y: string): boolean => y.length === 2 || (y.length === 4 && Number(y) >= 1800 && Number(y) <= 2099);
  const md = (m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= DAYS_IN_MONTH[m - 1]!;
  if (parts[0]!.length === 4) return parts.length === 3 && yearOk(parts[0]!) && md(nums[1]!, nums[2]!);
  if (parts[0]!.length > 2) return false;
  if (parts.length === 2) {
    const [m, second] = [nums[0]!, parts[1]!];
    // m/yyyy (3/2006), m/yy when the second part cannot be a day (8/84, 1/00), else m/d.
    if (second.length === 4) return m >= 1 && m <= 12 && yearOk(second);
    if (second.length === 2 && (Number(second) > 31 || second === '00')) return m >= 1 && m <= 12;
    return second.length <= 2 && md(m, Number(second));
  }
  if (parts[1]!.length > 2 || !yearOk(parts[2]!)) return false;
  // With a year the shape is unmistakable, so a mistyped day (2/31/14) is still a date.
  const loose = (m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= 31;
  return loose(nums[0]!, nums[1]!) || loose(nums[1]!, nums[0]!);
}

/** Plausible human age in years. */
export function isAge(value: string): boolean {
  const n = Number(digitsOnly(value));
  return digitsOnly(value).length > 0 && n >= 0 && n <= 125;
}

/** A US ZIP or ZIP+4 that is not a placeholder. */
export function isUsZip(value: string): boolean {
  const d = digitsOnly(value);
  return (d.length === 5 || d.length === 9) && !isDegenerateNumber(d.slice(0, 5)) && d.slice(0, 3) !== '000';
}

/** Registry: names usable as `validator:` in rule packs. */
export const VALIDATORS = {
  luhn: isCardNumber,
  iban: isIban,
  'us-ssn': isUsSsn,
  npi: isNpi,
  dea: isDea,
  'aba-routing': isAbaRouting,
  phone: isValidPhone,
  'phone-possible': isPossiblePhone,
  'digit-count-phone': hasPhoneDigitCount,
  'luhn-any': isLuhnAccountNumber,
  email: isEmail,
  url: isUrl,
  ip: isIp,
  'numeric-date': isNumericDate,
  age: isAge,
  'us-zip': isUsZip,
} as const satisfies Record<string, Validator>;

export type ValidatorName = keyof typeof VALIDATORS;
export const VALIDATOR_NAMES = Object.keys(VALIDATORS) as [ValidatorName, ...ValidatorName[]];
