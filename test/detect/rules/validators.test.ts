import { describe, expect, it } from 'vitest';
import {
  ibanMod97Valid,
  isAbaRouting,
  isAge,
  isCardNumber,
  isDea,
  hasPhoneDigitCount,
  isEmail,
  isIban,
  isLuhnAccountNumber,
  isIp,
  isNpi,
  isNumericDate,
  isPossiblePhone,
  isUrl,
  isUsSsn,
  isUsZip,
  isValidPhone,
  luhnValid,
  VALIDATOR_NAMES,
  VALIDATORS,
} from '../../../src/detect/rules/validators.js';

describe('luhn', () => {
  it.each(['79927398713', '4111111111111111', '5500005555555559', '378282246310005', '6011111111111117', '0'.repeat(2)])('valid %s', (n) => {
    expect(luhnValid(n)).toBe(true);
  });
  it.each(['79927398710', '4111111111111112', '5500005555555558', '378282246310006', '12a4', ''])('invalid %s', (n) => {
    expect(luhnValid(n)).toBe(false);
  });
});

describe('payment cards', () => {
  it.each(['4111 1111 1111 1111', '4111-1111-1111-1111', '5500005555555559', '3782 822463 10005', '6011111111111117', '4012888888881881'])('valid %s', (n) => {
    expect(isCardNumber(n)).toBe(true);
  });
  it.each(['4111 1111 1111 1112', '4444 4444 4444 4444', '0000000000000000', '1234567812345670', '411111111111', '79927398713'])('invalid %s', (n) => {
    expect(isCardNumber(n)).toBe(false);
  });
});

describe('IBAN mod-97', () => {
  it.each(['GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'CH9300762011623852957'])('valid %s', (n) => {
    expect(isIban(n)).toBe(true);
    expect(ibanMod97Valid(n)).toBe(true);
  });
  it.each(['GB82 WEST 1234 5698 7654 31', 'DE89370400440532013001', 'XX00123412341234', 'NL91ABNA041716430', 'GB82WEST', 'hello world'])('invalid %s', (n) => {
    expect(isIban(n)).toBe(false);
  });
});

describe('US SSN structure', () => {
  it.each(['123-45-6780', '001-01-0001', '665-12-3456', '899-99-9999', '772 34 5678', '219456781'])('valid %s', (n) => {
    expect(isUsSsn(n)).toBe(true);
  });
  it.each([
    '000-12-3456', // area 000
    '666-12-3456', // area 666
    '900-12-3456', // area 9xx
    '123-00-4567', // group 00
    '123-45-0000', // serial 0000
    '078-05-1120', // Woolworth wallet card
    '123-45-6789', // placeholder run
    '111-11-1111', // one digit
    '12-345-678',
  ])('invalid %s', (n) => {
    expect(isUsSsn(n)).toBe(false);
  });
});

describe('NPI (Luhn with the 80840 prefix)', () => {
  it.each(['1234567893', '1245319599', '1003000126', '1743500005'])('valid %s', (n) => {
    expect(isNpi(n)).toBe(true);
  });
  it.each(['1234567890', '1234567894', '3234567893', '123456789', '12345678931', '1111111111'])('invalid %s', (n) => {
    expect(isNpi(n)).toBe(false);
  });
});

describe('DEA checksum', () => {
  it.each(['AB1234563', 'BJ6125341', 'FN5623740', 'M91234563'])('valid %s', (n) => {
    expect(isDea(n)).toBe(true);
  });
  it.each(['AB1234567', 'BJ6125342', 'ZZ1234563', 'AB123456', 'IB1234563', 'AB0000000'])('invalid %s', (n) => {
    expect(isDea(n)).toBe(false);
  });
});

describe('ABA routing checksum', () => {
  it.each(['011000015', '021000021', '026009593', '111000025', '322271627'])('valid %s', (n) => {
    expect(isAbaRouting(n)).toBe(true);
  });
  it.each(['011000016', '123456789', '021000022', '991000015', '000000000', '02100002'])('invalid %s', (n) => {
    expect(isAbaRouting(n)).toBe(false);
  });
});

describe('phones (libphonenumber-js)', () => {
  it.each(['201-561-8910', '(617) 726-2000', '+44 20 7946 0958', '+33 1 42 68 53 00', '617.726.2000'])('valid %s', (n) => {
    expect(isValidPhone(n)).toBe(true);
  });
  it.each(['135-442-9738', '555-1234', '123', '+44 20 79', '000-000-0000', '12/34/5678'])('not valid %s', (n) => {
    expect(isValidPhone(n)).toBe(false);
  });
  it.each(['135-442-9738', '888-130-8121', '202 2671093'])('possible %s', (n) => {
    expect(isPossiblePhone(n)).toBe(true);
  });
  it.each(['555-1234', '12345', '0000000000', '1234567890123456'])('not possible %s', (n) => {
    expect(isPossiblePhone(n)).toBe(false);
  });
});

describe('email, URL, IP (validator.js)', () => {
  it.each([
    [isEmail, 'jane.doe@example.com'],
    [isEmail, 'j+tag@mail.example.org'],
    [isUrl, 'https://example.org/a?b=1'],
    [isUrl, 'www.example.com'],
    [isIp, '192.168.1.20'],
    [isIp, 'fe80::1'],
  ] as const)('%o accepts %s', (check, v) => {
    expect(check(v)).toBe(true);
  });
  it.each([
    [isEmail, 'jane.doe@example'],
    [isEmail, '@example.com'],
    [isUrl, 'example'],
    [isUrl, 'http://'],
    [isIp, '256.1.1.1'],
    [isIp, '10:30:45'],
  ] as const)('%o rejects %s', (check, v) => {
    expect(check(v)).toBe(false);
  });
});

describe('numeric dates', () => {
  it.each(['1/2/2020', '01-02-20', '2020-01-02', '8/23', '2/29', '6/30-7/2', '8/84', '3/2006', '25/12/2020', '11/21.93', '2/31/14'])('date %s', (v) => {
    expect(isNumericDate(v)).toBe(true);
  });
  it.each(['13/1', '2/30', '0/5', '4/31', '120/80', '1/2/3', '2020-13-01', '12/35/2020', '5/5/5', '1:1', '7.35/40'])('not a date %s', (v) => {
    expect(isNumericDate(v)).toBe(false);
  });
});

describe('age and zip', () => {
  it.each(['78', '0', '103', '125'])('age %s', (v) => expect(isAge(v)).toBe(true));
  it.each(['126', '', 'abc', '999'])('not an age %s', (v) => expect(isAge(v)).toBe(false));
  it.each(['02114', '90210-1234', '10001'])('zip %s', (v) => expect(isUsZip(v)).toBe(true));
  it.each(['00000', '1234', '00012', '11111'])('not a zip %s', (v) => expect(isUsZip(v)).toBe(false));
});

describe('loose phone and card checks (used only with a context word)', () => {
  it.each(['0490 75 40 81', '+41 (0)96 471 07 95', '451 5986', '+447700677662'])('phone digit count ok %s', (v) => expect(hasPhoneDigitCount(v)).toBe(true));
  it.each(['12 34', '1234567890123456', '000 0000', '1234567'])('phone digit count not ok %s', (v) => expect(hasPhoneDigitCount(v)).toBe(false));
  it.each(['180016070420458', '630427373398', '4111111111111111'])('luhn account %s', (v) => expect(isLuhnAccountNumber(v)).toBe(true));
  it.each(['180016070420459', '12345678903', '000000000000', '41111111111111111111'])('not a luhn account %s', (v) => expect(isLuhnAccountNumber(v)).toBe(false));
});

describe('registry', () => {
  it('names every validator the packs may use', () => {
    expect(new Set(VALIDATOR_NAMES)).toEqual(new Set(['luhn', 'iban', 'us-ssn', 'npi', 'dea', 'aba-routing', 'phone', 'phone-possible', 'digit-count-phone', 'luhn-any', 'email', 'url', 'ip', 'numeric-date', 'age', 'us-zip']));
    for (const n of VALIDATOR_NAMES) expect(typeof VALIDATORS[n]).toBe('function');
  });
});
