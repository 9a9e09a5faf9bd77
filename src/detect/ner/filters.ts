import type { Span } from '../../core/span.js';
import type { SpanTails, WordTest } from '../../lexicon/types.js';

/**
 * The NER's second look at its own spans, after grouping: which spans need more confidence
 * (`keepSpans`: numbers, dates without a date's form, plain words) and which words may not end
 * a span (`trimSpans`: generic facility words, credentials, clinical abbreviations). Pure.
 */

const LETTER = /\p{L}/u;
const ALNUM = /[\p{L}\p{N}]/u;
const LETTER_RUN = /\p{L}+/gu;
/** What any written date has: a month, weekday, season or holiday word (Labor Day), an ordinal, a year or decade, digits joined by / - or . */
const DATE_FORM =
  /\d\s*[/.-]\s*\d|(?<!\d)(?:1[89]|20)\d\d(?!\d)|'\d\d(?!\d)|\d0'?s\b|\d(?:st|nd|rd|th)\b|\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\.?(?![a-z])|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|[a-z]+teenth|twentieth|thirtieth|spring|summer|fall|autumn|winter|christmas|xmas|thanksgiving|easter|passover|hanukkah|chanukah|ramadan|diwali|kwanzaa|halloween|holiday|weekend|new\s+year|eve|juneteenth|(?:labou?r|memorial|independence|veterans|presidents|columbus|mother|father|valentine|patrick|boxing|mlk|king)(?:'?s)?\s+day)\b/i;
const DIGITS = /\d+/;
/** One 3-4 digit number that cannot be a year (0415, 1845, 2200): a clock time, which no date rule reads either. */
const CLOCK_TIME = /^\W*(?!(?:19|20)\d\d\b)(?:[01]?\d|2[0-3])[0-5]\d\W*$/;
const WORD_ENTITIES: ReadonlySet<string> = new Set(['NAME', 'LOCATION', 'ORGANIZATION', 'PROFESSION']);

export interface KeepRules {
  readonly numericThreshold: number;
  readonly agesUnder90?: boolean;
  readonly plainWords?: WordTest | undefined;
  readonly plainWordThreshold?: number;
}

/**
 * Second looks at the model's spans, each backed by a measurement (models/MODEL_CARD.md):
 * a span of punctuation alone is never PHI; a span without letters (a bare number) is kept
 * only at `numericThreshold`, because the rules, with their formats and checksums, are the
 * primary reader of numbers and a small model's guesses on times, doses and vitals are its
 * most common false alarms; a date span with letters but no form of a date (a month, weekday,
 * season or holiday word, an ordinal, a year, digits joined by / - or .) is held to the same
 * `numericThreshold` ("propofol 40", "sats of 93"); an age span under 90 is dropped unless
 * `agesUnder90` asks for them (config surrogate.agesUnder90: tag), because Safe Harbor keeps
 * those ages and the rules report them only from the opt-in `ages-under-90` pack; a name/place
 * span whose every word is a plain word ("elbow", "Fentanyl", "period") is kept only at
 * `plainWordThreshold`; a date span that is one clock time (0415, 2200) is dropped.
 */
export function keepSpans(spans: Span[], text: string, rules: KeepRules): Span[] {
  const { numericThreshold, plainWords, plainWordThreshold = 0, agesUnder90 = false } = rules;
  return spans.filter((s) => {
    const t = text.slice(s.start, s.end);
    if (!ALNUM.test(t)) return false;
    if (s.label === 'AGE' && !agesUnder90 && Number(t.match(DIGITS)?.[0] ?? 90) < 90) return false;
    if (s.label === 'DATE' && CLOCK_TIME.test(t)) return false;
    if (!LETTER.test(t)) return s.score >= numericThreshold;
    if (s.label === 'DATE' && !DATE_FORM.test(t)) return s.score >= numericThreshold;
    if (plainWords && WORD_ENTITIES.has(s.label) && s.score < plainWordThreshold) {
      const words = t.toLowerCase().match(LETTER_RUN) ?? [];
      if (words.every((w) => plainWords.has(w))) return false;
    }
    return true;
  });
}

const SPAN_WORD = /\S+/g;
const EDGE_PUNCT = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

/** How many of the last words of `keys` are one of `heads` (the longest that leaves a word before it), or 0. */
function endsWithHead(keys: readonly string[], heads: SpanTails['facilityHeads']): number {
  let best = 0;
  for (const h of heads) {
    if (h.length > best && h.length < keys.length && h.every((w, k) => keys[keys.length - h.length + k] === w)) best = h.length;
  }
  return best;
}

/**
 * The model's spans cut back to what the annotation convention tags (models/MODEL_CARD.md): a
 * place loses a trailing generic facility word ("Pinecrest Hospital" → Pinecrest, as the
 * dictionaries and the PhysioNet annotators do) unless only generic naming words would be left
 * ("General Hospital" stays whole), a name a trailing credential ("Smith RN") or a
 * trailing lower-case plain word ("smith returned"), a date a trailing clinical abbreviation
 * ("11/02 MICU"). A span never loses its last word, so no PHI word the model found is lost.
 */
export function trimSpans(spans: Span[], text: string, tails: SpanTails, plainWords?: WordTest): Span[] {
  return spans.map((s) => {
    if (s.label !== 'LOCATION' && s.label !== 'NAME' && s.label !== 'DATE') return s;
    const words = [...text.slice(s.start, s.end).matchAll(SPAN_WORD)].map((m) => {
      const raw = m[0].replace(EDGE_PUNCT, '');
      return { end: s.start + m.index + m[0].length, raw, key: raw.toLowerCase() };
    }).filter((w) => w.raw !== '');
    let n = words.length;
    if (s.label === 'LOCATION') {
      const head = endsWithHead(words.map((w) => w.key), tails.facilityHeads);
      // "the General Hospital", "Memorial Hospital": without the head no naming word is left, so it stays.
      if (words.slice(0, n - head).some((w) => !tails.namingWords.has(w.key))) n -= head;
    }
    const cut = (w: (typeof words)[number]): boolean =>
      s.label === 'NAME'
        ? tails.credentials.has(w.key) || (w.raw === w.key && plainWords !== undefined && plainWords.has(w.key))
        : s.label === 'DATE' && w.key.length >= 3 && tails.abbreviations.has(w.key);
    while (n > 1 && cut(words[n - 1]!)) n--;
    if (n === words.length) return s;
    // Up to the kept word's last letter or digit: "Pinecrest," keeps no comma.
    const kept = text.slice(s.start, words[n - 1]!.end).replace(/[^\p{L}\p{N}]+$/u, '');
    return { ...s, end: s.start + kept.length };
  });
}
