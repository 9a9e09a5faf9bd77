import { describe, expect, it } from 'vitest';
import { flaggedAs, flaggedBy } from './helpers.js';

describe('identifiers', () => {
  it.each([
    ['us-ssn', 'SSN 219-45-6781 on file.', '219-45-6781'],
    ['us-ssn', 'social security 219456781 verified', '219456781'],
    ['medical-record-number', 'MRN: 7654321 confirmed.', '7654321'],
    ['medical-record-number', 'MR# 00-123-456', '00-123-456'],
    ['medical-record-number', 'Medical record number 33445566.', '33445566'],
    ['account-number', 'Acct # 9988776655 billed.', '9988776655'],
    ['health-plan-number', 'Medicare MBI: 1EG4-TE5-MK73 on file.', '1EG4-TE5-MK73'],
    ['health-plan-number', 'Member ID XJH123456789.', 'XJH123456789'],
    ['license-number', "Driver's license # S12345678 copied.", 'S12345678'],
    ['vehicle-identifier', 'VIN 1HGCM82633A004352 recorded.', '1HGCM82633A004352'],
    ['device-identifier', 'Pacemaker serial # PJN123456 interrogated.', 'PJN123456'],
    ['us-npi', 'NPI 1234567893 on the order.', '1234567893'],
    ['us-dea', 'DEA BJ6125341 on the script.', 'BJ6125341'],
    ['payment-card', 'Card 4111 1111 1111 1111 charged.', '4111 1111 1111 1111'],
    ['payment-card', 'Amex 3782-822463-10005.', '3782-822463-10005'],
    ['payment-card-context', 'I lost my card 180016070420458 today.', '180016070420458'],
    ['iban', 'my iban is gb82west12345698765432', 'gb82west12345698765432'],
    ['license-number', "My driver's license number is F162823540116", 'F162823540116'],
    ['iban', 'IBAN GB82 WEST 1234 5698 7654 32 for refund.', 'GB82 WEST 1234 5698 7654 32'],
    ['aba-routing', 'Bank routing 021000021 for deposit.', '021000021'],
  ])('%s flags %j', (rule, text, expected) => {
    expect(flaggedBy(rule, text)).toEqual([expected]);
  });

  it.each([
    'SSN 000-12-3456 entered in error.',
    'SSN 666-45-1234 is not issued.',
    'SSN 912-34-5678 rejected.',
    'SSN 123-00-4567 invalid group.',
    'SSN 123-45-0000 invalid serial.',
    'SSN 078-05-1120 is the famous specimen.',
    'Card 4111 1111 1111 1112 declined.',
    'Card 4444 4444 4444 4444 placeholder.',
    'NPI 1234567890 could not be verified.',
    'DEA AB1234567 failed verification.',
    'IBAN GB82 WEST 1234 5698 7654 31 failed.',
    'Routing 021000022 rejected.',
    'Lab accession 219456781 pending.',
    'ID: T 103.4 rectal, tylenol given.',
    'ICD-10 I21.4, E11.9; CPT 99213, 93000.',
    'Wt 78 kg, Plt 150000, WBC 10.7.',
    'Record reviewed, no changes.',
    'Serial ABGs q4h.',
    'Model of care discussed.',
    'Plateau 27, PIP 32, PEEP 5.',
    'Vent settings: AC 500 x 14.',
    'Hct 27.9, then 30.1 after 2 units.',
    'Lot of secretions today.',
    'Pt has license to drive.',
    'Member of the team called.',
    'Account for I/O carefully.',
    '2000 mL NS over 24 hours, 123456789 count.',
    'Card 180016070420459 (bad check digit) on file.',
    'Order 180016070420458 sent to pharmacy.',
  ])('does not flag %j as ID', (text) => {
    expect(flaggedAs('ID', text)).toEqual([]);
  });
});
