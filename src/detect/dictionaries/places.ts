import type { Span } from '../../core/span.js';
import { gapBefore, isInitial, isInitialGap, isSpaceGap, phraseEndingAt, phraseStartingAt, type NoteView } from './lexicon.js';

/**
 * LOCATION rules:
 *
 *   facility   the naming words before a facility word ("Holy Cross Hospital" → Holy Cross;
 *              "Frederick Memorial" → both words; the generic word itself is not PHI)
 *   saint      St./Saint + a name ("St. Agnes", "ST. MARY"; not "ST elevation")
 *   city       a listed city after a place cue ("lives in", "transferred from") or before a state
 *   state      a US state name after a place cue, a postal code after "City,"
 *   unit       a care unit named for a building, after a movement cue ("to Farr 5")
 *   abbrev     a facility abbreviation (VA, VAMC) after a place cue
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
  const { common, medical, placeCues, nameCues } = v.data;
  const k = t.key;
  if (k.length < 2 || placeCues.notFacilityNames.has(k) || nameCues.stopWords.has(k) || nameCues.notNames.has(k)) return false;
  if (v.mode === 'mixed') return t.shape === 'cap' || (t.shape === 'upper' && !medical.has(k));
  return !common.has(k) && !medical.has(k);
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

function facilityFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let h = 1; h < tokens.length; h++) {
    const head = phraseStartingAt(v, h, data.placeCues.facilityHeads);
    const naming = head === 0 && data.placeCues.namingHeads.has(tokens[h]!.key);
    if (head === 0 && !naming) continue;
    if (!(isSpaceGap(gapBefore(v, h)) || gapBefore(v, h) === '-')) continue;
    const first = namingWordsBefore(v, h - 1);
    if (first === -1) continue;
    // A naming head alone ("Memorial") needs a distinctive word before it.
    if (naming) {
      let any = false;
      for (let i = first; i < h; i++) if (distinctive(v, i)) any = true;
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
    const gap = gapBefore(v, i + 1);
    if (!(isInitialGap(gap) || isSpaceGap(gap))) continue;
    const n = tokens[i + 1]!;
    const ok =
      v.mode === 'mixed'
        ? n.shape === 'cap' || (isInitial(n) && n.shape === 'upper')
        : data.names.has(n.key) && !data.common.has(n.key) && !data.medical.has(n.key) && !data.nameCues.stopWords.has(n.key);
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
      key += ' ' + tokens[j + k]!.key;
    }
    if (!ok || !data.cities.has(key)) continue;
    for (let k = 0; k < n; k++) {
      const t = tokens[j + k]!;
      if (v.mode === 'mixed' && t.shape !== 'cap' && !(n > 1 && (t.key === 'de' || t.key === 'la' || t.key === 'of'))) ok = false;
    }
    if (!ok) continue;
    if (n === 1) {
      const k = tokens[j]!.key;
      if (k.length < 3 || data.common.has(k) || data.medical.has(k) || data.placeCues.notPlaces.has(k) || data.nameCues.stopWords.has(k) || data.nameCues.notNames.has(k)) continue;
    }
    return n;
  }
  return 0;
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
    const state = stateAt(v, j);
    if (state > 0) {
      out.push({ first: j, last: j + state - 1, rule: 'state', score: 0.8, subtype: 'STATE', explanation: 'state name after a place cue' });
      continue;
    }
    const city = cityAt(v, j);
    if (city > 0) {
      out.push({ first: j, last: j + city - 1, rule: 'city', score: 0.75, subtype: 'CITY', explanation: 'listed city after a place cue' });
      continue;
    }
    const t = tokens[j]!;
    if (data.placeCues.facilityAbbreviations.has(t.key) && (t.shape === 'upper' || v.mode !== 'mixed')) {
      out.push({ first: j, last: j, rule: 'abbrev', score: 0.7, subtype: 'HOSPITAL', explanation: 'facility abbreviation after a place cue' });
    }
  }
}

/** "City, ST" and "City, State": the city from the lists, the state code in capitals. Searched from the state back. */
function cityStateFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let s = 1; s < tokens.length; s++) {
    const st = tokens[s]!;
    const code =
      st.text.length === 2 && st.shape === 'upper' && data.placeCues.usStateCodes.has(st.key) && /^(?:[ \t]*[,.;)]|[ \t]+\d{5}|[ \t]*\r?\n|$)/.test(v.text.slice(st.end, st.end + 8));
    const name = code ? 0 : stateAt(v, s);
    if (!code && name === 0) continue;
    if (!/^,[ \t]{0,2}$|^[ \t]{1,2}$/.test(gapBefore(v, s))) continue;
    for (let n = 3; n >= 1; n--) {
      const j = s - n;
      if (j < 0 || cityAt(v, j) !== n) continue;
      out.push({ first: j, last: s - 1, rule: 'city-state', score: 0.8, subtype: 'CITY', explanation: 'listed city before a state' });
      out.push({ first: s, last: code ? s : s + name - 1, rule: 'city-state', score: 0.8, subtype: 'STATE', explanation: 'state after a listed city' });
      break;
    }
  }
}

const UNIT_NUMBER = /^[ \t]{1,2}\d{1,2}(?![\d.,:/]|[ \t]*(?:mg|mcg|ml|cc|l|units?|u|%|mm|cm|hours?|hrs?|h|min|mins|x|am|pm|liters?|lpm|ppm)\b)/i;

function unitFinds(v: NoteView, out: Found[]): void {
  const { tokens, data } = v;
  for (let j = 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.key.length < 4 || !distinctive(v, j) || data.placeCues.notPlaces.has(t.key) || data.medical.has(t.key)) continue;
    if (v.mode === 'mixed' && data.common.has(t.key)) continue;
    if (!UNIT_NUMBER.test(v.text.slice(t.end))) continue;
    if (!isSpaceGap(gapBefore(v, j)) || phraseEndingAt(v, j - 1, data.placeCues.unitCues) === 0) continue;
    out.push({ first: j, last: j, rule: 'unit', score: 0.6, subtype: 'LOCATION', explanation: 'numbered unit after a movement cue' });
  }
}

export function placeSpans(v: NoteView): Span[] {
  const found: Found[] = [];
  facilityFinds(v, found);
  saintFinds(v, found);
  cueFinds(v, found);
  cityStateFinds(v, found);
  unitFinds(v, found);
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

