import type { SpanTails } from './types.js';
import type { DictionaryData } from './wordLists.js';

/** The cue-file words the NER trims from its spans' ends. */
export function spanTails(data: DictionaryData): SpanTails {
  const { placeCues, nameCues } = data;
  const namingWords = new Set([...placeCues.facilityNameWords, ...placeCues.notFacilityNames]);
  return { facilityHeads: placeCues.facilityHeads, namingWords, credentials: nameCues.credentials, abbreviations: nameCues.clinicalAbbreviations };
}
