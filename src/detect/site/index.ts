import type { Label } from '../../core/labels.js';
import type { Span } from '../../core/span.js';
import type { Detector } from '../types.js';
import { nameForms, parsePersonName } from './names.js';
import { buildPhraseIndex, matchPhrases, noteWords, type Phrase, type PhraseIndex } from './phrases.js';

/**
 * Site lists (issue 16): what a hospital knows about its own words. Deny lists per label (its
 * institutions and their abbreviations, wards, local towns and clinics), a staff roster (names
 * matched with their variants and one typing slip), and one allow list of words that are never
 * PHI at this site, which no detector overrides (only a note's own known identifiers do). The
 * lists are read by the node edge (src/node/assets/siteLists.ts) and handed here as strings;
 * they may hold PHI (staff names), so they are never logged. Pure.
 */

export interface DenyList {
  readonly label: Label;
  readonly subtype: string;
  readonly terms: readonly string[];
}

export interface SiteLists {
  readonly deny: readonly DenyList[];
  /** Staff names, one per entry (`First Last`, `Last, First`, with titles and credentials). */
  readonly roster: readonly string[];
  /** Words and phrases never PHI at this site. */
  readonly allow: readonly string[];
}

export const SITE_SOURCE = 'site/lists';

interface Tag {
  readonly label: Label;
  readonly subtype: string;
  readonly explanation: string;
}

/** Exact site matches outrank the safe-term lists (merge.safeOverride 0.95); a match with a slip sits just above. */
const EXACT_SCORE = 1;
const SLIP_SCORE = 0.96;

/** The deny lists and the roster as one phrase index, with what each phrase means. */
export function compileSiteLists(lists: Pick<SiteLists, 'deny' | 'roster'>): { index: PhraseIndex; tags: readonly Tag[] } {
  const tags: Tag[] = [];
  const phrases: Phrase[] = [];
  for (const list of lists.deny) {
    const tag = tags.push({ label: list.label, subtype: list.subtype, explanation: `site deny list (${list.label})` }) - 1;
    for (const term of list.terms) {
      const words = noteWords(term).map((w) => w.key);
      if (words.length > 0) phrases.push({ words, tag });
    }
  }
  if (lists.roster.length > 0) {
    const tag = tags.push({ label: 'NAME', subtype: 'DOCTOR', explanation: 'site roster' }) - 1;
    for (const entry of lists.roster) {
      const name = parsePersonName(entry);
      if (name !== undefined) for (const f of nameForms(name)) phrases.push({ words: f.words, capital: f.capital, tag });
    }
  }
  return { index: buildPhraseIndex(phrases), tags };
}

/** The deny lists and roster as a detector: every place a listed phrase (or a roster name's form) occurs. */
export function createSiteDetector(lists: Pick<SiteLists, 'deny' | 'roster'>, fingerprint: string): Detector {
  const { index, tags } = compileSiteLists(lists);
  const labels = [...new Set(tags.map((t) => t.label))];
  return {
    id: SITE_SOURCE,
    kind: 'phi',
    labels,
    fingerprint: () => fingerprint,
    detect(text: string): Span[] {
      const words = noteWords(text);
      const wordAt = new Map(words.map((w) => [w.start, w]));
      return matchPhrases(text, index, words).map((m) => {
        const tag = tags[m.tag]!;
        // A ward or building number glued on (`Name7`) belongs to the place.
        const next = wordAt.get(m.end);
        const end = tag.label === 'LOCATION' && next !== undefined && /^\p{N}+$/u.test(next.key) ? next.end : m.end;
        return {
          start: m.start,
          end,
          label: tag.label,
          subtype: tag.subtype,
          source: SITE_SOURCE,
          score: m.fuzzy ? SLIP_SCORE : EXACT_SCORE,
          explanation: m.fuzzy ? `${tag.explanation}, one typing slip` : tag.explanation,
        };
      });
    },
  };
}

/** The allow list compiled (exact words only: a slip of an allowed word may well be a name). */
export function compileAllowList(allow: readonly string[]): PhraseIndex {
  const phrases: Phrase[] = [];
  for (const term of allow) {
    const words = noteWords(term).map((w) => w.key);
    if (words.length > 0) phrases.push({ words, tag: 0 });
  }
  return buildPhraseIndex(phrases, false);
}

/**
 * Takes the allowed words out of the spans: a span that is only allowed words goes, a span that
 * holds one is cut around it (the rest of a name stays redacted). Ranges in `keep` (the note's
 * known identifiers) are never cut: the record system's word beats the site's allow list.
 */
export function applyAllowList(text: string, spans: readonly Span[], allow: PhraseIndex, keep: readonly { start: number; end: number }[] = []): Span[] {
  if (allow.size === 0 || spans.length === 0) return [...spans];
  const allowed = matchPhrases(text, allow).filter((a) => !keep.some((k) => k.start < a.end && a.start < k.end));
  if (allowed.length === 0) return [...spans];
  const out: Span[] = [];
  for (const s of spans) {
    let pieces: { start: number; end: number }[] = [{ start: s.start, end: s.end }];
    for (const a of allowed) {
      if (a.end <= s.start || a.start >= s.end) continue;
      pieces = pieces.flatMap((p) => (a.end <= p.start || a.start >= p.end ? [p] : [{ start: p.start, end: a.start }, { start: a.end, end: p.end }]));
    }
    for (const p of pieces) {
      const trimmed = trimToWords(text, p.start, p.end);
      if (trimmed !== undefined) out.push(trimmed.start === s.start && trimmed.end === s.end ? s : { ...s, ...trimmed });
    }
  }
  return out;
}

/** The range without leading/trailing spaces and punctuation; undefined when no letter or digit is left. */
function trimToWords(text: string, start: number, end: number): { start: number; end: number } | undefined {
  while (start < end && !/[\p{L}\p{N}]/u.test(text[start]!)) start++;
  while (end > start && !/[\p{L}\p{N}]/u.test(text[end - 1]!)) end--;
  return end > start ? { start, end } : undefined;
}

export { readKnown, knownSpans, KNOWN_SOURCE, dateForms, type KnownIdentifiers, type KnownParse, type KnownValue } from './known.js';
export { nameForms, parsePersonName, type PersonName } from './names.js';
export { buildPhraseIndex, matchPhrases, noteWords, oneSlip, wordKey, type PhraseIndex } from './phrases.js';
