import { describe, expect, it } from 'vitest';
import { detectAll, flaggedAs } from './helpers.js';

describe('ages', () => {
  it.each([
    ['78 yo man with CP', '78'],
    ['a 78-year-old woman', '78'],
    ['Pt is a 67 yr old male', '67'],
    ['55 y/o obese woman', '55'],
    ['83yo male admitted', '83'],
    ['71 Y.O. man admitted', '71'],
    ['aged 78, lives alone', '78'],
    ['Age: 92.', '92'],
    ['age 92 at admission', '92'],
    ['HPI: 78M with fever', '78'],
    ['Pt 81F from NH', '81'],
    ['a 94 year old woman', '94'],
    ['102 yo nursing home resident', '102'],
    ['My brother just turned 60', '60'],
    ['a ninety-three year old woman', 'ninety-three'],
    ['NINETY ONE YEARS OLD, LIVES ALONE', 'NINETY ONE'],
    ['aged ninety one, from home', 'ninety one'],
    ['she is a hundred and two years old', 'a hundred and two'],
    ['Age: ninety', 'ninety'],
  ])('flags %j', (text, expected) => {
    expect(flaggedAs('AGE', text)).toEqual([expected]);
  });

  it.each([
    'T 98 F orally',
    'Temp 101 F overnight',
    '16 F foley placed',
    '20 F sheath removed',
    'Wt 78 kg',
    'for 10 years',
    'smoked 40 years ago',
    'age appropriate',
    'aged care facility',
    'HR 78, BP 110/70',
    'GCS 15',
    '78 mg given',
    'In 5 years, follow up.',
    'room 78F',
    'Plt 92 today',
    'age 3 months',
    'turned 2 hours ago',
    'turn q2h, turned 30 degrees',
    'ninety minutes of CPR',
    'sats ninety three percent',
    'a hundred times better',
    'seventy-five year old man',
    'aged ninety percent of the time',
    'for ninety years of age-related decline',
  ])('does not flag %j', (text) => {
    expect(flaggedAs('AGE', text)).toEqual([]);
  });

  it('scores ages over 89 above ages under 90 (Safe Harbor removes only the former)', () => {
    const [old] = detectAll('a 94 yo woman').filter((s) => s.label === 'AGE');
    const [young] = detectAll('a 64 yo woman').filter((s) => s.label === 'AGE');
    expect(old!.score).toBeGreaterThan(young!.score);
    expect(old!.score).toBeGreaterThanOrEqual(0.95);
  });
});
