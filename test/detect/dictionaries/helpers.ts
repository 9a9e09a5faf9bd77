import { mergeSpans } from '../../../src/core/merge.js';
import type { Span } from '../../../src/core/span.js';
import { detectNamesAndPlaces, type DictionaryData } from '../../../src/detect/dictionaries/index.js';
import { loadDictionaries } from '../../../src/node/assets/wordLists.js';

/** The real word lists and bundled cue files, built once per test file (about 2 s). */
export async function dictionaryData(): Promise<DictionaryData> {
  return (await loadDictionaries()).data;
}

export function detect(text: string, data: DictionaryData): Span[] {
  return detectNamesAndPlaces(text, data);
}

/** What a redaction would replace with the given label (the detector's spans merged). */
export function flaggedAs(label: 'NAME' | 'LOCATION', text: string, data: DictionaryData): string[] {
  return mergeSpans(detectNamesAndPlaces(text, data))
    .filter((s) => s.label === label)
    .map((s) => text.slice(s.start, s.end));
}

export function flaggedText(text: string, data: DictionaryData): string[] {
  return mergeSpans(detectNamesAndPlaces(text, data)).map((s) => text.slice(s.start, s.end));
}
