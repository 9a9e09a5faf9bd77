import type { Span } from '../../core/span.js';
import { NEAR_MIN_LETTERS } from '../../lexicon/plainWords.js';
import { wordTokens } from '../../lexicon/tokens.js';
import { typoOf } from '../../lexicon/typos.js';
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
/** Before a bare number: a decimal point (".09 mic", "0.58"), or the hour of a clock time ("3:06"). */
const DECIMAL_OR_MINUTES_BEFORE = /(?:(?:^|[\d\s(])\.|\d:)$/;
/** After a bare number: its decimal part ("1.5 days", "2.5 mg", "was 37.2."); not when a dot, slash or hyphen and a digit follow, as in a dotted date (3.14.2020). */
const DECIMAL_AFTER = /^\.\d+(?!\d|[./-]\d)/;
/** After a bare number: the rest of a clock time ("11 PM", "3:06", "3-7pm"). */
const TIME_AFTER = /^\s*(?:[ap]\.?m\.?(?![a-z])|:[0-5]\d|-\s*\d{1,2}(?::[0-5]\d)?\s*[ap]\.?m)/i;
/** The word right before a span (up to 20 characters back), lower case, or undefined. */
const WORD_BEFORE = /(?:^|[^\p{L}])(\p{L}+)\s+$/u;
const TIME_UNIT = '(?:hours?|hrs?|days?|d|weeks?|wks?|months?|mos?|years?|yrs?)';
const COUNT = String.raw`(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few|few|several)`;
/** An amount or range of hours, days, weeks, months or years ("1-2 days", "3 to 4 wks", "three weeks"): a duration, not a date. */
const DURATION = new RegExp(String.raw`^\W*${COUNT}\s*(?:(?:-|to)\s*${COUNT}\s*)?${TIME_UNIT}\W*$`, 'i');
/** After a bare number: a unit of time ("x 12 hrs", "for 3 days"), so the number is a duration's; not an age ("95 year old", PHI over 89 whatever its label). */
const TIME_UNIT_AFTER = new RegExp(String.raw`^\s*-?\s*${TIME_UNIT}\b(?!\s*-?\s*old\b)`, 'i');
/** A weekday alone ("on Monday"): no element of a date under Safe Harbor, and the annotators never tag one. */
const WEEKDAY = /^\W*(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\W*$/i;
/** One clock time, 3-4 digits that cannot be a year (0415, 1845, 2200) or with a colon (3:06, 10:25): no date rule reads either. */
const CLOCK_TIME = /^\W*(?!(?:19|20)\d\d\b)(?:[01]?\d|2[0-3]):?[0-5]\d\W*$/;
const WORD_ENTITIES: ReadonlySet<string> = new Set(['NAME', 'LOCATION', 'ORGANIZATION', 'PROFESSION']);
/** What the case and slip checks read: professions are ordinary words, organisations often are. */
const PERSON_PLACE: ReadonlySet<string> = new Set(['NAME', 'LOCATION']);

export interface KeepRules {
  readonly numericThreshold: number;
  readonly agesUnder90?: boolean;
  readonly plainWords?: WordTest | undefined;
  readonly plainWordThreshold?: number;
  /**
   * Score a one-word name/place span without a capital's sign of a name needs (`noteCase`): in
   * lower case where the note capitalises, any word of an ALL-CAPS note, an `english` word
   * ("frank", "reddish") in a lower-case note.
   */
  readonly uncapitalisedThreshold?: number;
  /** The wider English vocabulary (lower case). */
  readonly english?: WordTest | undefined;
  /** The plain words as listed, without `plainWords`' typing slips: what a slip is a slip of (default `plainWords`). */
  readonly listedPlain?: WordTest | undefined;
  /** English-locale name lists (lower case): a word they hold is a name's spelling, not a slip. */
  readonly knownNames?: WordTest | undefined;
  /** Score any one-word name/place span needs: it has no second word to make it look like a name. */
  readonly oneWordThreshold?: number;
  /** Score a one-word name/place span needs when the word is a typing slip of a plain word (`slipOfPlain`: "agiation", "neice"). */
  readonly slipThreshold?: number;
  /** Prepositions of place or movement (lower case; the places cue file's `placePrepositions`): right before a one-word place in an ALL-CAPS note they stand in for the capital's sign. */
  readonly placePrepositions?: WordTest | undefined;
  /**
   * Score a one-word name/place span needs to stand alone; under it the span is kept `tentative`
   * (the merge keeps it only beside another finding), but a place after a preposition of place
   * in an ALL-CAPS note ("TRANSFERRED TO QGH") stands alone at any kept score.
   */
  readonly standAloneThreshold?: number;
  /**
   * Lower-case cue phrases that introduce a name (titles, relative and clinician roles: "dr",
   * "wife", "per"): a one-word name after one of them and an initial ("per k zorvath") stands alone.
   */
  readonly nameCuePhrases?: readonly (readonly string[])[];
}

/**
 * What a note's case says (`noteCase`): 'upper' when most letters are capitals (ALL-CAPS notes),
 * 'lower' when under 3 % are (a typist who capitalises a sentence start now and then, names not:
 * ordinary prose with capitalised sentences and names has 3-5 %, nursing notes' abbreviations
 * more), 'mixed' otherwise: only there is a capital a sign of a name.
 */
const UPPER_CHAR = /^\p{Lu}$/u;
const LETTER_CHAR = /^\p{L}$/u;
export type NoteCase = 'upper' | 'lower' | 'mixed';
export function noteCase(text: string): NoteCase {
  // Counted in one pass without building a match array per note: ASCII by code, the rest by property.
  let letters = 0;
  let upper = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (c >= 65 && c <= 90) upper++;
      if ((c | 32) >= 97 && (c | 32) <= 122) letters++;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    if (ch.length === 2) i++;
    if (LETTER_CHAR.test(ch)) {
      letters++;
      if (UPPER_CHAR.test(ch)) upper++;
    }
  }
  if (letters === 0 || upper / letters < 0.03) return 'lower';
  return upper / letters >= 0.6 ? 'upper' : 'mixed';
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Whether `word` (lower case) is a typing slip of a plain word of five letters or more: a letter
 * left out ("agiation", "radiaton"), or `typoOf`'s swapped neighbours and doubled letters
 * ("neice"). Not a letter too many: that turned a held-out synthetic surname into a slip for two
 * false alarms fewer.
 */
export function slipOfPlain(word: string, plain: WordTest): boolean {
  // The plain-word test's own floor: shorter words are one letter from too many others.
  if (word.length < NEAR_MIN_LETTERS || !/^[a-z]+$/.test(word)) return false;
  const known = (w: string): boolean => w.length >= NEAR_MIN_LETTERS && plain.has(w);
  for (let i = 0; i <= word.length; i++) {
    for (const c of ALPHABET) if (known(word.slice(0, i) + c + word.slice(i))) return true;
  }
  return typoOf(word, known);
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
 * `plainWordThreshold`; a date span that is one clock time (0415, 2200, 3:06), a weekday alone, a
 * duration ("1-2 days", "three weeks"), or a bare number that is a decimal's digits (either side of the point), a duration's ("x 12 hrs") or part of a clock time ("11 PM") is dropped.
 * One-word names and places, the fold model's commonest false alarms on unseen notes, need
 * `oneWordThreshold`; `uncapitalisedThreshold` when nothing in their case marks a name; and
 * `slipThreshold` when they are a typing slip of a plain word (model card, "Fold model"); under
 * `standAloneThreshold` they come out `tentative`, for the merge to keep only beside another finding.
 */
export function keepSpans(spans: Span[], text: string, rules: KeepRules): Span[] {
  const { standAloneThreshold = 0, placePrepositions, nameCuePhrases } = rules;
  // The note's case, read once and only when a one-word name or place asks for it.
  let casing: NoteCase | undefined;
  const caseOfNote = (): NoteCase => (casing ??= noteCase(text));
  return passSpans(spans, text, rules, caseOfNote).map((s) => {
    if (s.score >= standAloneThreshold || !PERSON_PLACE.has(s.label) || !oneWord(text.slice(s.start, s.end))) return s;
    if (s.label === 'LOCATION' && caseOfNote() === 'upper' && afterPlacePreposition(text, s, placePrepositions)) return s;
    if (s.label === 'NAME' && afterCueAndInitial(text, s, nameCuePhrases)) return s;
    return { ...s, tentative: true };
  });
}

function oneWord(spanText: string): boolean {
  return !/\s/.test(spanText.trim());
}

/** Whether the word right before `s` is a preposition of place ("AT QGH", "to qgh"). */
function afterPlacePreposition(text: string, s: Span, placePrepositions: WordTest | undefined): boolean {
  const before = WORD_BEFORE.exec(text.slice(Math.max(0, s.start - 20), s.start))?.[1];
  return before !== undefined && placePrepositions?.has(before.toLowerCase()) === true;
}

/** One letter, with or without a full stop, right before the span: an initial ("k zorvath", "t quell", "J. Smith"). */
const INITIAL_BEFORE = /(?:^|[^\p{L}'-])\p{L}\.?\s+$/u;

/**
 * Whether a name cue and one initial come right before `s` on its line ("per k zorvath", "Dr. t
 * quell"): the initial is the model's missed first word. A cue alone is not enough: "with",
 * "per" and "by" precede ordinary words too (a ventilator term, a therapist's abbreviation), measured on fold models.
 */
function afterCueAndInitial(text: string, s: Span, cues: readonly (readonly string[])[] | undefined): boolean {
  if (cues === undefined || cues.length === 0) return false;
  const line = text.slice(Math.max(0, s.start - 40), s.start).split('\n').pop()!;
  if (!INITIAL_BEFORE.test(line)) return false;
  // the words before the initial (the last word is the initial itself), split as the cue phrases were
  const before = wordTokens(line).map((w) => w.key).slice(0, -1);
  return cues.some((c) => c.length <= before.length && c.every((w, k) => before[before.length - c.length + k] === w));
}

/** keepSpans' filter: the spans that pass every check above. */
function passSpans(spans: Span[], text: string, rules: KeepRules, caseOfNote: () => NoteCase): Span[] {
  const { numericThreshold, plainWords, plainWordThreshold = 0, agesUnder90 = false, uncapitalisedThreshold = 0, slipThreshold = 0, oneWordThreshold = 0, english, knownNames, listedPlain = plainWords, placePrepositions } = rules;
  return spans.filter((s) => {
    const t = text.slice(s.start, s.end);
    if (!ALNUM.test(t)) return false;
    if (s.label === 'AGE' && !agesUnder90 && Number(t.match(DIGITS)?.[0] ?? 90) < 90) return false;
    if (s.label === 'DATE' && (CLOCK_TIME.test(t) || WEEKDAY.test(t) || DURATION.test(t))) return false;
    if (!LETTER.test(t)) {
      // A year is often a bare number ("CABG 81"); a decimal's digits, either side of its point, or a clock time's are not.
      if (s.label === 'DATE') {
        // from the first digit to the last: "3-" before "7pm" is the start of a time range
        const first = s.start + t.search(/\d/);
        const last = s.start + t.replace(/\D+$/, '').length;
        const after = text.slice(last, last + 12);
        if (DECIMAL_OR_MINUTES_BEFORE.test(text.slice(Math.max(0, first - 2), first)) || TIME_AFTER.test(after)) return false;
        // A number's whole part ("1" of "1.5 days") or a duration's ("x 12 hrs"): only when the span is the digits alone.
        if (/^\d+$/.test(t.trim()) && (DECIMAL_AFTER.test(after) || TIME_UNIT_AFTER.test(after))) return false;
      }
      return s.score >= numericThreshold;
    }
    if (s.label === 'DATE' && !DATE_FORM.test(t)) return s.score >= numericThreshold;
    if (plainWords && WORD_ENTITIES.has(s.label) && s.score < plainWordThreshold) {
      const words = t.toLowerCase().match(LETTER_RUN) ?? [];
      if (words.every((w) => plainWords.has(w))) return false;
    }
    if (PERSON_PLACE.has(s.label) && oneWord(t) && s.score < Math.max(uncapitalisedThreshold, slipThreshold, oneWordThreshold)) {
      if (s.score < oneWordThreshold) return false;
      const word = t.toLowerCase().replace(/[^\p{L}]+/gu, '');
      const lower = t === t.toLowerCase();
      const casing = caseOfNote();
      const englishWord = english?.has(word) === true;
      // Unmarked: where the note capitalises, a lower-case word; in an ALL-CAPS note any word
      // (its misspellings and abbreviations read as names) but a place right after a preposition of place
      // ("TRANSFERRED TO QGH"); in a lower-case note an English word ("frank blood").
      const placeCue = (): boolean => s.label === 'LOCATION' && afterPlacePreposition(text, s, placePrepositions);
      const unmarked = casing === 'mixed' ? lower : casing === 'upper' ? !placeCue() : englishWord && word.length >= 3;
      if (s.score < uncapitalisedThreshold && unmarked) return false;
      // A slip is no English word nor an English-locale name (Price is no slip of "prince"), and
      // a capital where the note capitalises is a name's sign.
      const capitalised = casing === 'mixed' && !lower;
      const spelt = englishWord || knownNames?.has(word) === true || plainWords?.has(word) === true;
      // Slips of listed words only: a slip of a slip matches almost anything, and costs a millisecond a word.
      if (listedPlain && s.score < slipThreshold && !capitalised && !spelt && slipOfPlain(word, listedPlain)) return false;
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
