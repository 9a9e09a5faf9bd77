import type { Span } from '../../core/span.js';
import { gapAfter, gapBefore, isInitial, isInitialGap, isSpaceGap, phraseEndingAt, phraseStartingAt, type NoteView } from '../../lexicon/wordLists.js';

/**
 * LOCATION rules:
 *
 *   facility   the naming words before a facility word ("Pinecrest Hospital" → Pinecrest;
 *              "Oakhurst Memorial" → both words; the generic word itself is not PHI)
 *   saint      St./Saint + a name ("St. Agatha", "ST. JOSEPH"; not "ST elevation")
 *   city       a listed city after a place cue ("lives in", "transferred from") or before a state
 *              (US states are recognised there but not reported: Safe Harbor keeps them)
 *   unit       a care unit named for a building, after a movement cue ("to Farr 5")
 *   abbrev     a facility abbreviation (VA, VAMC) after a place cue
 *   acronym    a capitalised acronym after a movement cue ("transferred to MGH"), unless it is a
 *              clinical abbreviation (ICU, CT, OR)
 */

interface Found {
  readonly first: number;
  readonly last: number;
  readonly rule: string;
  readonly score: number;
  readonly subtype: string;
  readonly explanation: string;
}

const CUE_GAP = /^[ \t]*(?:[,(@]|:[ \t]*(?:\r?\n)?)?[ \t]*$/;

/** A word that can name a place: capitalised in prose; in single-case notes, no English or medical word. */
function distinctive(v: NoteView, i: number): boolean {
  const t = v.tokens[i]!;
  const { common, medicalWords, placeCues, nameCues } = v.data;
  const k = t.key;
  if (k.length < 2 || placeCues.notFacilityNames.has(k) || nameCues.stopWords.has(k) || nameCues.notNames.has(k)) return false;
  if (v.mode === 'mixed') return t.shape === 'cap' || (t.shape === 'upper' && !medicalWords.has(k));
  // The medical list also holds surnames and places: a listed name or city still counts.
  return !common.has(k) && (!medicalWords.has(k) || v.data.names.has(k) || v.data.cities.has(k));
}

function facilityWord(v: NoteView, i: number): boolean {
  const k = v.tokens[i]!.key;
  return v.data.placeCues.facilityNameWords.has(k) || distinctive(v, i);
}

/** First index of the naming words ending at `last` (same line, at most 4), or -1. */
function namingWordsBefore(v: NoteView, last: number): number {
  let first = -1;
  for (let i = last; i >= 0 && last - i < 4; i--) {
    if (!facilityWord(v, i)) break;
    first = i;
    const gap = i > 0 ? gapBefore(v, i) : '';
    if (i === 0 || !(isSpaceGap(gap) || gap === '-' || /^\.[ \t]{1,2}$/.test(gap) || gap === '.')) break;
  }
  // Connectives cannot start a name (of Boston → Boston).
  const connective = new Set(['of', 'the', 'and']);
  while (first !== -1 && first <= last && connective.has(v.tokens[first]!.key)) first = first === last ? -1 : first + 1;
  if (first === -1) return -1;
  for (let i = first; i <= last; i++) if (distinctive(v, i) || !connective.has(v.tokens[i]!.key)) return first;
  return -1;
}

const NOT_AFTER_HOUSE = new Set(['staff', 'officer', 'officers', 'diet', 'call', 'calls', 'keeping', 'md', 'mds']);

function facilityFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let h = 1; h < tokens.length; h++) {
    const head = phraseStartingAt(v, h, data.placeCues.facilityHeads);
    const naming = head === 0 && data.placeCues.namingHeads.has(tokens[h]!.key);
    if (head === 0 && !naming) continue;
    // house staff, house officer, House diet: not a facility.
    if (head === 1 && tokens[h]!.key === 'house' && h + 1 < tokens.length && NOT_AFTER_HOUSE.has(tokens[h + 1]!.key)) continue;
    if (!(isSpaceGap(gapBefore(v, h)) || gapBefore(v, h) === '-')) continue;
    const first = namingWordsBefore(v, h - 1);
    if (first === -1) continue;
    // A naming head ("Memorial") needs a distinctive or naming word before it (Mercy Memorial).
    if (naming) {
      let any = false;
      for (let i = first; i < h; i++) if (distinctive(v, i) || data.placeCues.facilityNameWords.has(tokens[i]!.key)) any = true;
      if (!any) continue;
    }
    out.push({ first, last: naming ? h : h - 1, rule: 'facility', score: 0.8, subtype: 'HOSPITAL', explanation: 'before a facility word' });
  }
}

function saintFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const k = tokens[i]!.key;
    if (k !== 'st' && k !== 'saint') continue;
    // In prose "St"/"Saint" is capitalised; "ST." and "st." are sinus tachycardia.
    if (v.mode === 'mixed' && tokens[i]!.shape !== 'cap') continue;
    const gap = gapBefore(v, i + 1);
    if (!(isInitialGap(gap) || isSpaceGap(gap))) continue;
    const n = tokens[i + 1]!;
    const known = data.knownNames.has(n.key) || (data.names.has(n.key) && !data.common.has(n.key));
    const ok =
      v.mode === 'mixed'
        ? (n.shape === 'cap' && known) || (isInitial(n) && n.shape === 'upper')
        : n.key.length >= 2 && known && !data.medicalWords.has(n.key) && !data.nameCues.stopWords.has(n.key) && !data.nameCues.notNames.has(n.key);
    if (!ok) continue;
    let last = i + 1;
    while (last + 1 < tokens.length && last - i < 3 && isSpaceGap(gapBefore(v, last + 1)) && v.mode === 'mixed' && distinctive(v, last + 1)) last++;
    out.push({ first: i, last, rule: 'saint', score: 0.8, subtype: 'HOSPITAL', explanation: 'saint name' });
  }
}

/** Length (in tokens, up to 3) of a listed city starting at j, or 0. */
function cityAt(v: NoteView, j: number): number {
  const { tokens, data } = v;
  for (let n = 3; n >= 1; n--) {
    if (j + n > tokens.length) continue;
    let key = tokens[j]!.key;
    let ok = true;
    for (let k = 1; k < n && ok; k++) {
      if (!isSpaceGap(gapBefore(v, j + k)) && gapBefore(v, j + k) !== '-') ok = false;
      key += ` ${tokens[j + k]!.key}`;
    }
    if (!ok || !data.cities.has(key)) continue;
    // In prose a city is capitalised, or at least an uncommon word of 4+ letters (from worcester rehab).
    for (let k = 0; k < n; k++) {
      const t = tokens[j + k]!;
      if (v.mode !== 'mixed' || t.shape === 'cap' || (n > 1 && (t.key === 'de' || t.key === 'la' || t.key === 'of'))) continue;
      if (t.key.length < 4 || data.common.has(t.key)) ok = false;
    }
    if (!ok) continue;
    if (n === 1) {
      const k = tokens[j]!.key;
      if (k.length < 3 || data.common.has(k) || data.medicalWords.has(k) || data.placeCues.notPlaces.has(k) || data.nameCues.stopWords.has(k) || data.nameCues.notNames.has(k)) continue;
    }
    return n;
  }
  return 0;
}

const ACRONYM = /^[A-Z]{2,5}$/;

/** "transferred to MGH", "admitted to the BIDMC": an acronym after a movement phrase of two or more words. */
function acronymFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let j = 2; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (!ACRONYM.test(t.text)) continue;
    const k = t.key;
    if (data.placeCues.notPlaces.has(k) || data.nameCues.notNames.has(k) || data.nameCues.stopWords.has(k) || data.placeCues.facilityAbbreviations.has(k)) continue;
    if (data.placeCues.notFacilityNames.has(k) || data.placeCues.clinicalAcronyms.has(k) || data.placeCues.usStateCodes.has(k)) continue;
    if (v.mode === 'upper' && (data.common.has(k) || data.medicalWords.has(k))) continue;
    if (!isSpaceGap(gapBefore(v, j))) continue;
    let cueEnd = j - 1;
    if (tokens[cueEnd]!.key === 'the' && isSpaceGap(gapBefore(v, cueEnd))) cueEnd--;
    const len = phraseEndingAt(v, cueEnd, data.placeCues.placeCues);
    // Only a movement phrase (transferred to, admitted to): after in/at/from acronyms are
    // mostly rhythms, lung fields and lines (in AF, in LLL, from SVG).
    if (len < 2) continue;
    out.push({ first: j, last: j, rule: 'acronym', score: 0.6, subtype: 'HOSPITAL', explanation: 'acronym after a movement phrase' });
  }
}

function stateAt(v: NoteView, j: number): number {
  const n = phraseStartingAt(v, j, v.data.placeCues.usStates);
  if (n === 0) return 0;
  if (v.mode === 'mixed' && v.tokens[j]!.shape !== 'cap') return 0;
  return n;
}

function cueFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let j = 1; j < tokens.length; j++) {
    if (!CUE_GAP.test(gapBefore(v, j))) continue;
    const cued = gapBefore(v, j).includes('@') || phraseEndingAt(v, j - 1, data.placeCues.placeCues) > 0;
    if (!cued) continue;
    // States are not Safe Harbor identifiers (nor annotated in PhysioNet notes): found, not reported.
    if (stateAt(v, j) > 0) continue;
    const city = cityAt(v, j);
    if (city > 0) {
      out.push({ first: j, last: j + city - 1, rule: 'city', score: 0.75, subtype: 'CITY', explanation: 'listed city after a place cue' });
      continue;
    }
    const t = tokens[j]!;
    if (data.placeCues.facilityAbbreviations.has(t.key) && (t.shape === 'upper' || v.mode !== 'mixed')) {
      out.push({ first: j, last: j, rule: 'abbrev', score: 0.7, subtype: 'HOSPITAL', explanation: 'facility abbreviation after a place cue' });
      continue;
    }
    // "lives in Konopelskifield": after a residence phrase, capitalised words in prose are the town.
    if (v.mode === 'mixed' && t.shape === 'cap' && phraseEndingAt(v, j - 1, data.placeCues.residenceCues) >= 2) {
      let last = j;
      while (last + 1 < tokens.length && last - j < 2 && tokens[last + 1]!.shape === 'cap' && isSpaceGap(gapBefore(v, last + 1))) last++;
      const k = t.key;
      if (!(data.placeCues.notPlaces.has(k) || data.nameCues.stopWords.has(k) || data.placeCues.facilityNameWords.has(k))) {
        out.push({ first: j, last, rule: 'residence', score: 0.7, subtype: 'CITY', explanation: 'capitalised words after a residence phrase' });
      }
    }
  }
}

/** "from 12 Oak Street, Fairview": capitalised words after a numbered street and a comma are the town. */
function afterStreetFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let j = 2; j < tokens.length; j++) {
    if (!/^\.?,[ \t]{1,2}$/.test(gapBefore(v, j))) continue;
    const suffix = tokens[j - 1]!;
    if (!data.placeCues.streetSuffixes.has(suffix.key)) continue;
    // A house number earlier on the same line, within a few words.
    let numbered = false;
    for (let i = j - 2; i >= 0 && i >= j - 6; i--) {
      if (/[\r\n]/.test(gapAfter(v, i))) break;
      if (/(?:^|[\s,])\d{1,6}[A-Za-z]?[ \t]+$/.test(gapBefore(v, i))) numbered = true;
    }
    if (!numbered) continue;
    const t = tokens[j]!;
    if (v.mode === 'mixed' ? t.shape !== 'cap' : data.common.has(t.key) || data.medicalWords.has(t.key)) continue;
    if (data.placeCues.notPlaces.has(t.key) || data.nameCues.stopWords.has(t.key) || data.placeCues.usStateWords.has(t.key)) continue;
    if (t.key.length < 3 || data.placeCues.clinicalAcronyms.has(t.key) || data.nameCues.notNames.has(t.key)) continue;
    if (/^(?:apt|apartment|suite|ste|unit|fl|floor)$/.test(t.key)) continue;
    let last = j;
    while (last + 1 < tokens.length && last - j < 2 && isSpaceGap(gapBefore(v, last + 1)) && (v.mode === 'mixed' ? tokens[last + 1]!.shape === 'cap' : !data.common.has(tokens[last + 1]!.key))) last++;
    out.push({ first: j, last, rule: 'after-street', score: 0.7, subtype: 'CITY', explanation: 'town after a numbered street' });
  }
}

/** "City, ST" and "City, State": the city from the lists, the state code in capitals. Searched from the state back. */
function cityStateFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let s = 1; s < tokens.length; s++) {
    const st = tokens[s]!;
    const code =
      st.text.length === 2 &&
      st.shape === 'upper' &&
      data.placeCues.usStateCodes.has(st.key) &&
      /^(?:[ \t]*[,.;)]|[ \t]+\d{5}|[ \t]*\r?\n)/.test(v.text.slice(st.end, st.end + 8) + (st.end + 8 >= v.text.length ? '\n' : ''));
    const name = code ? 0 : stateAt(v, s);
    if (!code && name === 0) continue;
    if (!/^,[ \t]{0,2}$|^[ \t]{1,2}$/.test(gapBefore(v, s))) continue;
    let listed = false;
    for (let n = 3; n >= 1; n--) {
      const j = s - n;
      if (j < 0 || cityAt(v, j) !== n) continue;
      out.push({ first: j, last: s - 1, rule: 'city-state', score: 0.8, subtype: 'CITY', explanation: 'listed city before a state' });
      listed = true;
      break;
    }
    // "Brookside, OR 97405": before a state code and a ZIP code any capitalised words on the
    // line are the city, listed or not.
    if (listed || !code || !/^,?[ \t]{0,2}$/.test(gapBefore(v, s)) || !gapBefore(v, s).startsWith(',') || !/^[ \t]+\d{5}(?:-\d{4})?(?!\d)/.test(v.text.slice(st.end, st.end + 12))) continue;
    let j = s;
    while (j - 1 >= 0 && s - j < 3 && (tokens[j - 1]!.shape === 'cap' || (v.mode !== 'mixed' && tokens[j - 1]!.shape === 'upper'))) {
      const k = tokens[j - 1]!.key;
      if (data.nameCues.stopWords.has(k) || data.placeCues.notPlaces.has(k)) break;
      j--;
      if (j === 0 || !(isSpaceGap(gapBefore(v, j)) || gapBefore(v, j) === '-')) break;
    }
    if (j < s) out.push({ first: j, last: s - 1, rule: 'city-state', score: 0.75, subtype: 'CITY', explanation: 'words before a state code and ZIP code' });
  }
}

/** A unit number ends the phrase: end of line or sentence, or a word that cannot be a unit of measure. */
const UNIT_NUMBER = /^[ \t]{1,2}\d{1,3}(?=[ \t]*(?:$|[\r\n,;:)-]|\.(?!\d)|\d{1,2}:\d\d|(?:today|tomorrow|tonight|when|if|or|and|with|w|once|for|rn|team|bed|on|in|at|after|before|this|per|is|as|pending|later|soon|to)\b))/i;
/** After a movement phrase of two or more words the number may be followed by anything but a unit of measure. */
const UNIT_NUMBER_LOOSE = /^[ \t]{1,2}\d{1,3}(?![\d.,:/]\d|[ \t]*(?:mg|mcg|ml|cc|l|units?|u|%|mm|cm|hours?|hrs?|h|min|mins|x|liters?|lpm|ppm|kg|g|gm|meq|mmol|mmhg|bpm|breaths|beats|times|days?|weeks?|months?|years?|yrs?|y|yo|pm|am)\b|[\d%/])/i;

function unitFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let j = 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    // Cheap test first: a blank and a digit right after the word.
    const c1 = v.text.charCodeAt(t.end);
    if (c1 !== 32 && c1 !== 9) continue;
    let d = v.text.charCodeAt(t.end + 1);
    if (d === 32 || d === 9) d = v.text.charCodeAt(t.end + 2);
    if (!(d >= 48 && d <= 57)) continue;
    if (t.key.length < 4 || !/^\p{L}+$/u.test(t.text) || data.placeCues.notPlaces.has(t.key) || data.medical.has(t.key)) continue;
    if (data.common.has(t.key) || data.nameCues.notNames.has(t.key) || data.nameCues.stopWords.has(t.key)) continue;
    if (!/^:?[ \t]{1,3}$/.test(gapBefore(v, j))) continue; // "Plan: Farr 2"
    const cue = phraseEndingAt(v, j - 1, data.placeCues.unitCues);
    if (cue === 0) continue;
    // In prose a unit name is capitalised, unless a movement phrase of two words vouches for it.
    if (v.mode === 'mixed' && t.shape !== 'cap' && cue < 2) continue;
    if (!(cue >= 2 ? UNIT_NUMBER_LOOSE : UNIT_NUMBER).test(v.text.slice(t.end))) continue;
    out.push({ first: j, last: j, rule: 'unit', score: 0.6, subtype: 'LOCATION', explanation: 'numbered unit after a movement cue' });
  }
}

export function placeSpans(v: NoteView): Span[] {
  const found: Found[] = [];
  facilityFinds(v, found);
  saintFinds(v, found);
  cueFinds(v, found);
  cityStateFinds(v, found);
  afterStreetFinds(v, found);
  unitFinds(v, found);
  acronymFinds(v, found);
  return found.map((f) => ({
    start: v.tokens[f.first]!.start,
    end: v.tokens[f.last]!.end,
    label: 'LOCATION' as const,
    subtype: f.subtype,
    source: `dict/place-${f.rule}`,
    score: f.score,
    explanation: f.explanation,
  }));
}

