import { beforeAll, describe, expect, it } from 'vitest';
import type { DictionaryData } from '../../../src/detect/dictionaries/index.js';
import { detect, dictionaryData, flaggedAs } from './helpers.js';

// Invented facilities and ordinary cities only: nothing here comes from annotated notes.
let data: DictionaryData;
beforeAll(async () => {
  data = await dictionaryData();
});

describe('dictionaries: places', () => {
  it.each([
    // facility names: the naming words, not the generic word
    ['Transferred from Riverside Hospital for cath.', ['Riverside']],
    ['TRANSFERRED FROM RIVERSIDE HOSPITAL FOR CATH.', ['RIVERSIDE']],
    ['pt presented to oakhurst hospital with cp.', ['oakhurst']],
    ['Accepted at Good Shepherd Memorial for rehab.', ['Good Shepherd Memorial']],
    ['RECORDS FROM MERCY MEMORIAL WERE FAXED.', ['MERCY MEMORIAL']],
    ['Will go to Pinecrest Nursing Home on Monday.', ['Pinecrest']],
    ['FOLLOWED BY DAYTON VA FOR COPD.', ['DAYTON']],
    ['Bed offered at St. Agatha\'s for Monday.', ["St. Agatha's"]],
    ['PLAN TO TRANSFER TO ST. JOSEPH THIS WEEK.', ['ST. JOSEPH']],
    // cities after a place cue or before a state
    ['Lives in Worcester with her husband.', ['Worcester']],
    ['LIVES IN WORCESTER WITH HER HUSBAND.', ['WORCESTER']],
    ['Old records from Springfield, MA reviewed.', ['Springfield']],
    ['Office: 1180 Pemberton Avenue\nBrookside, OR 97405', ['Brookside']],
    ['He lives in Konopelskifield with his wife.', ['Konopelskifield']],
    ['Brought in by EMS from 12 Oak Street, Fairview.', ['Fairview']],
    ['Referred by Harborview Family Practice.', ['Harborview']],
    // care units and hospital acronyms after a movement phrase
    ['Ready for transfer to Farrington 4 today.', ['Farrington']],
    ['Transferred to MGH for emergent cath.', ['MGH']],
    ['MOVED TO FARRINGTON 2 STEP DOWN UNIT TONIGHT.', ['FARRINGTON']],
    ['Report from Farrington 3 RN given.', ['Farrington']],
    ['PLAN: FARRINGTON 2 WHEN A BED OPENS.', ['FARRINGTON']],
    ['Presenting to Springfield Hospital with chest pain.', ['Springfield']],
    ['Plan: transfer to farrington 2 tonight.', ['farrington']],
    ['PT WAS ADM TO THE MGH LAST MONTH.', ['MGH']],
    ['Tx to MGH for cath.', ['MGH']],
    // a later mention of a place a cue found
    ['Transferred to MGH for cath. Family will meet him at MGH.', ['MGH', 'MGH']],
  ])('flags the place in %j', (text, expected) => {
    expect(flaggedAs('LOCATION', text, data)).toEqual(expected);
  });

  it.each([
    'Pt from home with VNA services.',
    'Lives in an apartment with her husband.',
    'Went to the hospital by ambulance.',
    'Outside hospital records reviewed.',
    'Transferred to floor in stable condition.',
    'TRANSFERRED TO THE MICU FROM THE ED.',
    'Pt to CT, then back to MICU.',
    'Sent to IR for a PICC.',
    'ST ELEVATION IN V2-V4, CARDS AWARE.',
    'HR 110s sinus tach. ST. Stable BP.',
    'nsr->st. hr 80-110s.',
    'Titrated to Levo 5 mcg, Neo 2.',
    'Increased to PS 10, PEEP 5.',
    'Foley to gravity. House staff aware of K.',
    'Regular House diet ordered.',
    'Understands and can converse in English.',
    'Went back to California on Sunday.',
    'RETURNED TO AV PACED 75.',
    'Titrate insulin gtt to goal-BS 100-120.',
    'Rehab screening today, may go to rehab tomorrow.',
    'Weaned to Cpap 5 overnight.',
    'PLAN: WEAN 2 MORE TODAY.',
    'Right knee washout, OR 2 hours, EBL 50.',
    'Lives in Assisted Living with staff support.',
    'Lives in Senior Housing, alone.',
    'Lives in Florida in the winter.',
    'Dressing to 2nd toe, Foley in place.',
    'Back from the OR, sats fine.',
    'Plan: Lasix 40 IV when BP allows.',
    'ADM TO THE MICU FROM THE ED.',
    'TX TO CT SCAN, THEN BACK TO CCU.',
    'Will go to the dialysis clinic on Monday.',
    'Transferred to Vancomycin 1 g q12h.',
    'Sent to Radiology 2 hours ago.',
    'Pt in AF at 0200, then MGH-like rhythm.',
  ])('flags no place in %j', (text) => {
    expect(flaggedAs('LOCATION', text, data)).toEqual([]);
  });

  it('reports US states after a city as context only (Safe Harbor keeps states)', () => {
    const text = 'Home address Springfield, MA. Lives in Ohio.';
    const spans = detect(text, data).filter((s) => s.label === 'LOCATION');
    expect(spans.map((s) => [text.slice(s.start, s.end), s.subtype, s.source])).toEqual([['Springfield', 'CITY', 'dict/place-city-state']]);
  });
});
