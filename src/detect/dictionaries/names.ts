import type { Span } from '../../core/span.js';
import { gapAfter, gapBefore, isInitial, isInitialGap, isSpaceGap, phraseEndingAt, type NoteView } from './lexicon.js';

/**
 * NAME rules. Each finds a run of name-like tokens next to evidence, strongest first:
 *
 *   title       Dr./Mr./Mrs. + the next words ("Dr. green aware": any non-stop word after a title)
 *   credential  a signature before a credential ("V. Finn, RRT", "Q. LANDER RRT")
 *   role        a relative or clinician word before the name ("wife HELEN", "discussed with Dr...")
 *   role-after  a relative word in brackets after the name ("Hank P. (son)")
 *   initial     an initial and a surname ("J. Smith")
 *   list        a name-list word that is no English or medical word, alone (capitalised in prose)
 *
 * How much a word must look like a name depends on the evidence and on the note's case style
 * (see `strength`). Rules return token ranges; `nameSpans` turns them into spans.
 */

/** 3: a listed name that is no common English or medical word; 2: capitalised in prose;
 *  1: an unknown word in a single-case note; 0: not a name. */
export type Strength = 0 | 1 | 2 | 3;

export function strength(v: NoteView, i: number): Strength {
  const t = v.tokens[i]!;
  const { names, common, medical, nameCues } = v.data;
  const k = t.key;
  if (k.length < 2 || nameCues.stopWords.has(k) || nameCues.notNames.has(k) || nameCues.titles.has(k)) return 0;
  const listed = names.has(k);
  const ordinary = common.has(k) || medical.has(k);
  if (listed && !ordinary) return 3;
  if (v.mode === 'mixed') {
    if (t.shape === 'cap' && (listed || !ordinary)) return 2;
    return 0;
  }
  return ordinary ? 0 : 1;
}

interface Group {
  readonly first: number;
  readonly last: number;
  readonly rule: string;
  readonly score: number;
  readonly subtype?: string;
  readonly explanation: string;
}

/** The least strength a word needs to extend a name already found. */
function continues(v: NoteView, i: number): boolean {
  return strength(v, i) >= (v.mode === 'mixed' ? 2 : 1);
}

/** Extends a name forward from `last` over further name words and initials, up to 4 tokens in all. */
function extendForward(v: NoteView, first: number, last: number): number {
  let end = last;
  while (end + 1 < v.tokens.length && end - first < 3) {
    const next = end + 1;
    const gap = gapBefore(v, next);
    const joined = isSpaceGap(gap) || (isInitial(v.tokens[end]!) && isInitialGap(gap)) || gap === '-';
    if (!joined) break;
    const t = v.tokens[next]!;
    if (isInitial(t) && t.shape === 'upper' && isInitialGap(gapAfter(v, next)) && next + 1 < v.tokens.length && continues(v, next + 1)) {
      end = next;
      continue;
    }
    if (!continues(v, next)) break;
    end = next;
  }
  return end;
}

/** Walks back from `last` over name words and initials on the same line; returns the first index, or -1 (initials alone are no name). */
function extendBackward(v: NoteView, last: number): number {
  let first = -1;
  for (let i = last; i >= 0 && last - i < 4; i--) {
    const t = v.tokens[i]!;
    const ok = isInitial(t)
      ? (t.shape === 'upper' || v.mode !== 'mixed') && i !== last && isInitialGap(gapAfter(v, i))
      : continues(v, i);
    if (!ok) break;
    first = i;
    if (i === 0) break;
    const gap = gapBefore(v, i);
    if (!(isSpaceGap(gap) || gap === '-' || (isInitial(v.tokens[i - 1]!) && isInitialGap(gap)))) break;
  }
  if (first === -1) return -1;
  for (let i = first; i <= last; i++) if (!isInitial(v.tokens[i]!)) return first;
  return -1;
}

const TITLE_GAP = /^\.?[ \t]{0,3}$/;
/** Between a cue word and the name: blanks, one punctuation mark, and a line break only after a colon. */
const CUE_GAP = /^[ \t]*(?:[,(\-]|:[ \t]*(?:\r?\n)?)?[ \t]*$/;
const FILLERS = new Set(['is', 'was', 'named', 'name', 'are', 'her', 'his', 'pt', "pt's", 'patient']);

function titleGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const title = tokens[i]!;
    if (!data.nameCues.titles.has(title.key)) continue;
    const gap = gapBefore(v, i + 1);
    if (!TITLE_GAP.test(gap) || (gap === '' && title.key.length < 2)) continue;
    const c = tokens[i + 1]!;
    const k = c.key;
    if (k.length < 2 || data.nameCues.stopWords.has(k) || data.nameCues.titles.has(k)) continue;
    if (data.veryCommon.has(k) && !data.names.has(k)) continue;
    const last = extendForward(v, i + 1, i + 1);
    const doctor = title.key === 'dr' || title.key === 'doctor' || title.key.startsWith('prof');
    out.push({ first: i + 1, last, rule: 'title', score: 0.9, subtype: doctor ? 'DOCTOR' : 'PATIENT', explanation: 'after a title' });
  }
}

function credentialGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let c = 1; c < tokens.length; c++) {
    const cred = tokens[c]!;
    if (!data.nameCues.credentials.has(cred.text.toLowerCase())) continue;
    if (v.mode === 'mixed' && cred.shape !== 'upper' && cred.shape !== 'other') continue;
    const gap = gapBefore(v, c);
    if (!/^,?[ \t]{1,3}$/.test(gap)) continue;
    const first = extendBackward(v, c - 1);
    if (first === -1) continue;
    let listed = false;
    for (let i = first; i < c; i++) if (strength(v, i) === 3) listed = true;
    const lineEnd = /^[ \t.,;)]*(?:\r?\n|$)/.test(gapAfter(v, c));
    if (!(gap.startsWith(',') || lineEnd || listed)) continue;
    out.push({ first, last: c - 1, rule: 'credential', score: 0.85, subtype: 'DOCTOR', explanation: 'before a credential' });
  }
}

function roleGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  const cues = data.nameCues;
  for (let j = 1; j < tokens.length; j++) {
    if (!CUE_GAP.test(gapBefore(v, j))) continue;
    let cueEnd = j - 1;
    if (FILLERS.has(tokens[cueEnd]!.key) && cueEnd > 0 && isSpaceGap(gapBefore(v, cueEnd))) cueEnd--;
    const rel = phraseEndingAt(v, cueEnd, cues.relativeRoles);
    const clin = rel > 0 ? 0 : phraseEndingAt(v, cueEnd, cues.clinicianRoles);
    if (rel === 0 && clin === 0) continue;
    const cue = tokens
      .slice(cueEnd - (rel || clin) + 1, cueEnd + 1)
      .map((t) => t.key)
      .join(' ');
    const weak = cues.weakRoles.has(cue);
    const s = strength(v, j);
    const t = tokens[j]!;
    const ok = weak
      ? s === 3 || (v.mode === 'mixed' && t.shape === 'cap' && data.names.has(t.key) && s > 0)
      : s >= (v.mode === 'mixed' ? 2 : 1);
    if (!ok) continue;
    const last = extendForward(v, j, j);
    out.push({
      first: j,
      last,
      rule: rel > 0 ? 'relative' : 'clinician',
      score: weak ? 0.75 : 0.85,
      subtype: rel > 0 ? 'RELATIVE' : 'DOCTOR',
      explanation: rel > 0 ? 'after a relative word' : weak ? 'after a weak role cue' : 'after a clinician word',
    });
  }
}

function roleAfterGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let r = 1; r < tokens.length; r++) {
    if (!/^[ \t]*[(][ \t]*$/.test(gapBefore(v, r))) continue;
    const len = phraseEndingAt(v, r, data.nameCues.relativeRoles);
    if (len !== 1 || !/^[ \t]*\)/.test(gapAfter(v, r))) continue;
    const first = extendBackward(v, r - 1);
    if (first === -1) continue;
    out.push({ first, last: r - 1, rule: 'relative-after', score: 0.8, subtype: 'RELATIVE', explanation: 'before a relative word in brackets' });
  }
}

function initialGroups(v: NoteView, out: Group[]): void {
  const { tokens } = v;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    if (!isInitial(t) || (v.mode === 'mixed' && t.shape !== 'upper')) continue;
    if (!/^\.[ \t]{1,2}$/.test(gapAfter(v, i))) continue;
    if (/\.$/.test(gapBefore(v, i))) continue; // p.o., a.m.
    const s = strength(v, i + 1);
    if (!(s === 3 || (v.mode === 'mixed' && s === 2))) continue;
    const last = extendForward(v, i + 1, i + 1);
    out.push({ first: i, last, rule: 'initial', score: 0.8, explanation: 'initial and surname' });
  }
}

function listGroups(v: NoteView, out: Group[]): void {
  const { tokens, data } = v;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (strength(v, i) !== 3 || data.vocabulary.has(t.key)) continue;
    if (v.mode === 'mixed' ? t.shape !== 'cap' : !data.firstNames.has(t.key) || t.key.length < 4) continue;
    const last = extendForward(v, i, i);
    out.push({ first: i, last, rule: 'list', score: v.mode === 'mixed' ? 0.6 : 0.5, explanation: 'name list, not an English or medical word' });
  }
}

export function nameSpans(v: NoteView): Span[] {
  const groups: Group[] = [];
  titleGroups(v, groups);
  credentialGroups(v, groups);
  roleGroups(v, groups);
  roleAfterGroups(v, groups);
  initialGroups(v, groups);
  listGroups(v, groups);
  return groups.map((g) => ({
    start: v.tokens[g.first]!.start,
    end: v.tokens[g.last]!.end,
    label: 'NAME' as const,
    source: `dict/name-${g.rule}`,
    score: g.score,
    explanation: g.explanation,
    ...(g.subtype !== undefined ? { subtype: g.subtype } : {}),
  }));
}
