import type { WordLexicon, WordTest } from './types.js';
import type { DictionaryData } from './wordLists.js';

/**
 * What the word lists say of one word, for the NER model's input (phi-ner/3): a model trained
 * from scratch on a few hundred real notes cannot know which of its rare words are English,
 * medical or a name, and reads misspellings, drug names and capitalised words as names. Same
 * order in the model's config.json `lexicon`; changing it needs a retrained model.
 *   plain        a word that is never a name or place alone (plainWordTest: medical terms,
 *                English words no name list holds, their typing slips)
 *   common-name  a name list word that is also a frequent English word (will, frank, rose)
 *   name         a name list word that is not
 *   place        a city, country or US state word that no name list holds
 *   unknown      letters, in no list (most rare surnames, misspellings, codes)
 *   number       no letters
 */
export const WORD_CLASSES = ['none', 'plain', 'common-name', 'name', 'place', 'unknown', 'number'] as const;

const LETTER = /\p{L}/u;

/** Words remembered per lexicon: notes repeat their words, and the typo check allocates. */
const CACHE_WORDS = 50_000;

export function wordLexicon(data: DictionaryData, plain: WordTest): WordLexicon {
  const classify = (w: string): number => {
    if (plain.has(w)) return 1;
    if (data.names.has(w)) return data.common.has(w) ? 2 : 3;
    if (data.cities.has(w) || data.countries.has(w) || data.placeCues.usStateWords.has(w)) return 4;
    return 5;
  };
  let cache = new Map<string, number>();
  return {
    classes: WORD_CLASSES,
    classOf(word: string): number {
      if (!LETTER.test(word)) return 6;
      const w = word.toLowerCase();
      let c = cache.get(w);
      if (c === undefined) {
        c = classify(w);
        if (cache.size >= CACHE_WORDS) cache = new Map();
        cache.set(w, c);
      }
      return c;
    },
  };
}
