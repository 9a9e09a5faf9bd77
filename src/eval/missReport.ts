import { errorCounts } from './format.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: a type-only import of our EvalError interface; the global EvalError value is never used here
import type { EvalError, EvalResult } from './types.js';

/**
 * The error report: every miss, false alarm and wrong label with 40 characters of context on
 * each side. It quotes note text, so it is only ever written to a path the user named.
 */
export const CONTEXT_CHARS = 40;

export interface Context {
  readonly before: string;
  readonly match: string;
  readonly after: string;
  /** True when the context was cut short of the note's start / end. */
  readonly clippedBefore: boolean;
  readonly clippedAfter: boolean;
}

/** Slice boundaries are moved off the middle of a surrogate pair so no half character is shown. */
function safeIndex(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return i > 0 && i < text.length && code >= 0xdc00 && code <= 0xdfff ? i - 1 : i;
}

export function contextOf(text: string, start: number, end: number, width = CONTEXT_CHARS): Context {
  const from = safeIndex(text, Math.max(0, start - width));
  const to = safeIndex(text, Math.min(text.length, end + width));
  return {
    before: text.slice(from, start),
    match: text.slice(start, end),
    after: text.slice(end, to),
    clippedBefore: from > 0,
    clippedAfter: to < text.length,
  };
}

const visible = (s: string): string => s.replace(/\r\n|\r|\n/g, '⏎').replace(/\t/g, '⇥');

/** An inline code span that survives backticks in its content (CommonMark: a longer fence). */
function code(s: string): string {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || s.startsWith(' ') || s.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

function describe(e: EvalError): string {
  const gold = e.goldLabel ? `gold ${e.goldLabel}${e.goldSubtype ? `/${e.goldSubtype}` : ''}` : '';
  const pred = e.predLabel ? `predicted ${e.predLabel}` : '';
  const dets = e.detectors.length > 0 ? e.detectors.join(', ') : 'no detector';
  switch (e.kind) {
    case 'miss':
      return `${gold}; ${e.tokens} token(s) missed; ${e.detectors.length > 0 ? `raw spans from ${dets} dropped in merge` : 'no detector fired'}`;
    case 'partial-miss':
      return `${gold}; ${e.tokens} token(s) missed; partly caught by ${dets}`;
    case 'false-alarm':
    case 'overreach':
      return `${pred} by ${dets}; ${e.tokens} false-alarm token(s)`;
    case 'wrong-label':
      return `${pred} by ${dets}; ${gold}`;
  }
}

function entry(e: EvalError, text: string | undefined): string {
  const head = `- ${code(e.id)} [${e.start}, ${e.end}) ${e.kind}: ${describe(e)}`;
  if (text === undefined) return head;
  const c = contextOf(text, e.start, e.end);
  const shown = `${c.clippedBefore ? '…' : ''}${visible(c.before)}⟦${visible(c.match)}⟧${visible(c.after)}${c.clippedAfter ? '…' : ''}`;
  return `${head}\n  ${code(shown)}`;
}

const SECTIONS: readonly { title: string; kinds: readonly EvalError['kind'][] }[] = [
  { title: 'Misses (gold PHI left in the text)', kinds: ['miss', 'partial-miss'] },
  { title: 'False alarms (text flagged that is not PHI)', kinds: ['false-alarm', 'overreach'] },
  { title: 'Wrong label (PHI found, label differs)', kinds: ['wrong-label'] },
];

export function formatReport(result: EvalResult, texts: ReadonlyMap<string, string>): string {
  const c = errorCounts(result);
  const out: string[] = [
    '# phi-redact evaluation errors',
    '',
    'This file quotes note text. Keep it where the notes themselves may be kept.',
    '',
    `${result.docs} notes, ${result.goldSpans} gold spans, ${result.predSpans} predicted spans. ` +
      `Token recall ${result.token.overall.recall.toFixed(3)}, precision ${result.token.overall.precision.toFixed(3)}. ` +
      `${c.miss} missed, ${c['partial-miss']} partly missed, ${c['false-alarm']} false alarms, ${c.overreach} overreaching, ${c['wrong-label']} wrong label.`,
    '',
    'Offsets are end-exclusive JS string indices; ⟦…⟧ marks the span, ⏎ a line break.',
  ];
  for (const s of SECTIONS) {
    const list = result.errors.filter((e) => s.kinds.includes(e.kind));
    out.push('', `## ${s.title}: ${list.length}`, '');
    for (const e of list) out.push(entry(e, texts.get(e.id)));
  }
  return `${out.join('\n')}\n`;
}
