/**
 * The word lists and what is derived from them, shared by the dictionaries detector and the NER
 * (which reads word classes, the plain-word test and span tails). Pure: the lists arrive built
 * (src/node/assets/wordLists.ts reads them from installed packages and assets/dictionaries/).
 */
export { DictionaryDataError, parseNameCues, parsePlaceCues, toPhrase, type NameCues, type PlaceCues, type Phrase } from './cues.js';
export { listPlainWords, plainWordSet, plainWordTest, rememberPlainWords } from './plainWords.js';
export { PackedTable, PackedWordSet, packWords, wordIndex, type PackedWords } from './packedWords.js';
export { spanTails } from './spanTails.js';
export { caseMode, shapeOf, wordTokens, WORD_SOURCE, type CaseMode, type Shape, type WordToken } from './tokens.js';
export { typoOf } from './typos.js';
export type { SpanTails, WordLexicon, WordTest } from './types.js';
export { WORD_CLASSES, wordLexicon } from './wordClass.js';
export type { DictionaryData, NoteView } from './wordLists.js';
