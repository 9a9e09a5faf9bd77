import { describe, expect, it } from 'vitest';
import { flaggedAs } from './helpers.js';

describe('locations', () => {
  it.each([
    ['Lives in Boston, MA 02114 with wife.', ['02114']],
    ['Address: Springfield, Illinois 62704-1234', ['62704-1234']],
    ['Zip code 10001 on file.', ['10001']],
    ['Lives at 123 Main St with her son.', ['123 Main St']],
    ['Moved to 45 N. Elm Avenue last year.', ['45 N. Elm Avenue']],
    ['Send to 9 Oak Hill Rd Apt 4B, please.', ['9 Oak Hill Rd Apt 4B']],
    ['Mail to P.O. Box 1234.', ['P.O. Box 1234']],
    ['HOME AT 77 MAPLE STREET.', ['77 MAPLE STREET']],
    ['lives at 1427 The Hawthorns with wife', ['1427 The Hawthorns']],
    ['Lives at 12 Rosemount Gardens Close.', ['12 Rosemount Gardens Close']],
    ['Old records requested from UMMC today.', ['UMMC']],
    ['CULTURE RESULTS FAXED BY VAMC.', ['VAMC']],
    ['SON DROVE IN FROM THE WESTERN SHORE THIS AM.', ['WESTERN SHORE']],
    ['Vacation in the Central Valley last week.', ['Central Valley']],
    ['Transfer to University of MD Medical Center tomorrow.', ['University of MD']],
    ['Plan transfer to U of MD Med Center.', ['U of MD']],
    ['Records from Univ. of Penn requested.', ['Univ. of Penn']],
    ['WIFE WORKS AT UNIVERSITY OF MARYLAND.', ['UNIVERSITY OF MARYLAND']],
    ['On U Penn protocol.', ['U Penn']],
    ['Seen at U of M clinic last year.', ['U of M']],
    ['Followed at the University of New Mexico.', ['University of New Mexico']],
  ])('flags %j', (text, expected) => {
    expect(flaggedAs('LOCATION', text)).toEqual(expected);
  });

  it.each([
    'Pager 54321 for questions.',
    'Gave 5 u of MS contin.',
    'Gave 4 U of insulin per scale.',
    'Gave 5 U of MS Contin.',
    'Insulin 10 U Md dose.',
    'University of the Pacific alumni.',
    'U of the states',
    'Given U PO x1.',
    'Pain at the R CMC joint.',
    'Lives on the north side of town.',
    'Crackles in the lower lobes.',
    'North Shore is lovely.',
    'IV at the L CMC.',
    'Hx: OA of thumb (CMC).',
    'Lactate 2.1 mMC',
    'Seen in the ED-MC area.',
    'Heparin 10000 units.',
    'CATH SHOWED 2 ST DEPRESSIONS.',
    '# 8 TRACH IN PLACE AS WELL.',
    '3L CORDIS STILL IN PLACE.',
    'Called Dr. Smith at 1600.',
    'MA 2 assist for transfer.',
    'IN 10000 STEPS',
    'Seen by 2 Dr teams.',
    'Given 2 Units Packed Cells.',
    'Plt 150000 today.',
    'zip lock bag with belongings',
    'Out 12345 ml total.',
    'Pt in Room 12.',
    'Walked 3 laps.',
    'CVP 12, PAP 40/20.',
    'IV in R AC, 20 G.',
    'PA 18 wedge 12.',
    'HOME AT 1600 PT SLEPT WELL.',
    'Home at 1600 after dialysis.',
  ])('does not flag %j', (text) => {
    expect(flaggedAs('LOCATION', text)).toEqual([]);
  });
});
