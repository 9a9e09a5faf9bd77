import { describe, expect, it } from 'vitest';
import { flaggedAs, flaggedBy } from './helpers.js';

const PHONE_RULES = ['phone-nanp', 'phone-international', 'phone-local', 'phone-any-format', 'pager', 'fax'];

describe('phones', () => {
  it.each([
    ['Daughter can be reached at 201-561-8910.', '201-561-8910'],
    ['wife (201/324/1423) confirms', '201/324/1423'],
    ['called (201-223-4567) and updated', '201-223-4567'],
    ['cell# 410-322-1419 ask for son', '410-322-1419'],
    ['Call (617) 726-2000 after noon.', '(617) 726-2000'],
    ['pager ( 617 ) 555-0142 overnight', '( 617 ) 555-0142'],
    ['Call ( 617) 726 2000 after noon.', '( 617) 726 2000'],
    ['number 617.726.2000 on file', '617.726.2000'],
    ['update: 410 392 0780 x45.', '410 392 0780 x45'],
    ['reached at 202 2671093.', '202 2671093'],
    ['Contact person (135-442-9738).', '135-442-9738'],
    ['Cousin in London +44 20 7946 0958.', '+44 20 7946 0958'],
    ['Sister +1 415 999 8604 notified', '+1 415 999 8604'],
    ['Pager: #54321', '54321'],
    ['PG 33445', '33445'],
    ['beeper number 55037 for consents', '55037'],
    ['Home phone 671-9309, no answer.', '671-9309'],
    ['Phone: 0490 75 40 81', '0490 75 40 81'],
    ['Phone:\n(08) 8747 6301\n', '(08) 8747 6301'],
    ['Mobile: 03.93.92.16.85', '03.93.92.16.85'],
    ['Desk: +41 (0)96 471 07 95', '+41 (0)96 471 07 95'],
    ['781 1704 office', '781 1704'],
    ['Please call ext 4567 with results.', '4567'],
    ['Call the unit x4-5678 overnight.', '4-5678'],
  ])('flags %j', (text, expected) => {
    expect(flaggedBy(PHONE_RULES, text)).toContain(expected);
  });

  it.each([
    'BP 120/80, HR 72, RR 18.',
    'Lasix 20 mg IV at 1400.',
    'ABG 7.35/40/80/24 on AC 500 x 14.',
    'IABP 1:1, augmenting 0-12.',
    'Heparin 5000 units SC q8h.',
    'Hct 27.9 at 10:30.',
    'MRN 2015618910 verified.',
    'Account 4105551234 billed.',
    'ICD-10 I21.4, CPT 99213.',
    'Shift 1900 - 0700 uneventful.',
    'Out 350 cc, net +1200 since midnight.',
    'NPI 1234567893 on the order.',
    'Lot 123-4567 recalled.',
    'Accession 2015618910.',
    'Plt 150, INR 1.2, PTT 32.5, fibrinogen 300.',
    'Page MD at 1600 if SBP < 90.',
    'Call HO if UO < 30 cc/hr x 2 hrs.',
    'Call MD for SBP > 160 or < 90.',
    'Phone conversation with daughter 1900 - 0700.',
    'Office visit in 2 weeks, 10 am.',
    'Called lab re: K 4.2 and Mg 1.8.',
    'Home O2 2 L, 24 hrs a day.',
    'Work of breathing 20 30 increased.',
    'Call if UO < 30 cc/hr x 2 hrs.',
    'Call MD, lasix 40 mg x1, K 4.2 x2.',
    'Call for transfusion x 1200 ml total.',
    'Contact isolation checks at 24 48 72 96 hours.',
  ])('does not flag %j', (text) => {
    expect(flaggedAs('CONTACT', text)).toEqual([]);
  });

  it('a fax word gives the FAX subtype', () => {
    expect(flaggedBy('fax', 'Fax results to (617) 555-0199 today.')).toEqual(['(617) 555-0199']);
  });
});

describe('email, URL, IP', () => {
  it.each([
    ['mail jane.doe@example.com today', 'jane.doe@example.com'],
    ['portal: https://portal.example.org/chart?id=7.', 'https://portal.example.org/chart?id=7'],
    ['see www.caringbridge.org/visit/x for news', 'www.caringbridge.org/visit/x'],
    ['family page gofundme.com/f/help-dad', 'gofundme.com/f/help-dad'],
    ['login from 192.168.1.20 flagged', '192.168.1.20'],
    ['device at fe80::1ff:fe23:4567:890a online', 'fe80::1ff:fe23:4567:890a'],
  ])('flags %j', (text, expected) => {
    expect(flaggedAs('CONTACT', text)).toEqual([expected]);
  });

  it.each([
    'pt.transferred from cath lab',
    'Dx: s.p. CABG, f.u. in clinic',
    'ABG 7.35.40.80 recorded',
    'IP 300.1.1.1 is not an address',
    'time 10:30:45 noted',
    'meds@home reviewed',
    'email: none on file',
    'Temp 99.1.',
    'Na 138. K 4.2. Cl 101.',
    'no www here',
    'ratio 1:2:1 documented',
    'dose 0.5.1 ml',
  ])('does not flag %j', (text) => {
    expect(flaggedAs('CONTACT', text)).toEqual([]);
  });
});

describe('user names', () => {
  it.each([
    ['username: jdoe42', 'jdoe42'],
    ['user id: mk2291 for the portal', 'mk2291'],
    ['Username is mike.smith', 'mike.smith'],
    ['find her @jane_doe on twitter', '@jane_doe'],
  ])('flags %j', (text, expected) => {
    expect(flaggedBy('username', text)).toEqual([expected]);
  });
  it.each(['login was successful', 'meds @home', 'login screen frozen', 'email me @ noon', 'user name unknown', 'handle with care', 'labetalol x 2hrs, @5am sbp 170', 'x @ 0800 follow up'])('does not flag %j', (text) => {
    expect(flaggedBy('username', text)).toEqual([]);
  });
});
