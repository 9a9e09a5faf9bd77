import type { Span } from '../../core/span.js';
import type { Rule, RuleContext, RuleNegativeContext } from './pack.js';
import { VALIDATORS, type Validator } from './validators.js';

/**
 * A rule compiled once (regexes, context matchers, lists) and run over many notes with no
 * per-note regex construction. Matching is pure: text in, spans out.
 */
export interface CompiledRule {
  readonly rule: Rule;
  readonly source: string;
  find(text: string): Span[];
}

interface CompiledPattern {
  readonly name: string;
  readonly re: RegExp;
  readonly score: number;
  readonly narrow: boolean;
}

interface WordMatcher {
  readonly re: RegExp;
  readonly before: number;
  readonly after: number;
}

const WINDOW_CHARS = 160;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One case-insensitive regex for a word list; `word*` matches any word with that prefix. */
export function wordListRegex(words: readonly string[]): RegExp {
  const alts = words.map((w) => (w.endsWith('*') && w.length > 1 ? `${escapeRegex(w.slice(0, -1))}[A-Za-z0-9]*` : escapeRegex(w)));
  alts.sort((a, b) => b.length - a.length);
  return new RegExp(`(?<![A-Za-z0-9])(?:${alts.join('|')})(?![A-Za-z0-9])`, 'i');
}

/** Start offset of the window holding `tokens` whitespace-separated tokens before `pos`. */
export function windowStart(text: string, pos: number, tokens: number): number {
  const floor = Math.max(0, pos - WINDOW_CHARS);
  let i = pos;
  for (let t = 0; t < tokens; t++) {
    while (i > floor && isSpace(text.charCodeAt(i - 1))) i--;
    if (i <= floor) return floor;
    while (i > floor && !isSpace(text.charCodeAt(i - 1))) i--;
  }
  return i;
}

/** End offset of the window holding `tokens` tokens after `pos`. */
export function windowEnd(text: string, pos: number, tokens: number): number {
  const ceil = Math.min(text.length, pos + WINDOW_CHARS);
  let i = pos;
  for (let t = 0; t < tokens; t++) {
    while (i < ceil && isSpace(text.charCodeAt(i))) i++;
    if (i >= ceil) return ceil;
    while (i < ceil && !isSpace(text.charCodeAt(i))) i++;
  }
  return i;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11 || c === 160;
}

/**
 * Context does not reach across the end of a sentence or a line break, except a line that
 * ends with a colon: form layouts put the label above the value ("Phone:\n555 ...").
 */
const BEFORE_BOUNDARY = /^[\s\S]*(?:[.!?;]\s|[^:\s][ \t]*\n|^[ \t]*\n)/;
const AFTER_BOUNDARY = /[.!?;](?:\s|$)|\n/;

function nearby(text: string, start: number, end: number, m: WordMatcher): boolean {
  if (m.before > 0) {
    let window = text.slice(windowStart(text, start, m.before), start);
    const cut = BEFORE_BOUNDARY.exec(window);
    if (cut) window = window.slice(cut[0].length);
    if (window.length > 0 && m.re.test(window)) return true;
  }
  if (m.after > 0) {
    let window = text.slice(end, windowEnd(text, end, m.after));
    const cut = AFTER_BOUNDARY.exec(window);
    if (cut) window = window.slice(0, cut.index + 1);
    if (window.length > 0 && m.re.test(window)) return true;
  }
  return false;
}

function compileContext(c: RuleContext | RuleNegativeContext): WordMatcher {
  return { re: wordListRegex(c.words), before: c.before, after: c.after };
}

export function compileRule(rule: Rule): CompiledRule {
  const source = `rules/${rule.id}`;
  const patterns: CompiledPattern[] = rule.patterns.map((p) => {
    const re = new RegExp(p.regex, `gd${p.flags}`);
    return { name: p.name, re, score: p.score, narrow: /\(\?<phi>/.test(p.regex) };
  });
  const check: Validator | undefined = rule.validator ? VALIDATORS[rule.validator] : undefined;
  const context = rule.context ? { ...compileContext(rule.context), boost: rule.context.boost } : undefined;
  const negatives = rule.negativeContext.map((n) => ({ ...compileContext(n), effect: n.effect }));
  const allow = new Set(rule.allow.map((a) => a.toLowerCase()));
  const deny = rule.deny.length > 0 ? new RegExp(wordListRegex(rule.deny).source, 'gi') : undefined;
  const base = { label: rule.label, subtype: rule.subtype, source } as const;

  const find = (text: string): Span[] => {
    const best = new Map<string, Span>();
    const keep = (s: Span): void => {
      const key = `${s.start}:${s.end}`;
      const prev = best.get(key);
      if (!prev || prev.score < s.score) best.set(key, s);
    };
    for (const p of patterns) {
      p.re.lastIndex = 0;
      for (let m = p.re.exec(text); m !== null; m = p.re.exec(text)) {
        if (m[0].length === 0) {
          p.re.lastIndex++;
          continue;
        }
        let start = m.index;
        let end = start + m[0].length;
        if (p.narrow) {
          const g = m.indices?.groups?.phi;
          if (!g) continue;
          [start, end] = g;
          if (end <= start) continue;
        }
        const value = text.slice(start, end);
        if (allow.has(value.toLowerCase())) continue;
        if (check && !check(value)) continue;
        let score = p.score;
        const why: string[] = [`pattern:${p.name}`];
        if (check) why.push(`validator:${rule.validator}`);
        if (context && nearby(text, start, end, context)) {
          score = Math.min(1, score + context.boost);
          why.push('context');
        }
        let dropped = false;
        for (const n of negatives) {
          if (!nearby(text, start, end, n)) continue;
          if (n.effect === 'drop') {
            dropped = true;
            break;
          }
          score = Math.max(0, score - n.effect);
          why.push('negative-context');
        }
        if (dropped || score < rule.minScore) continue;
        keep({ ...base, start, end, score, explanation: why.join(' ') });
      }
    }
    if (deny) {
      deny.lastIndex = 0;
      for (let m = deny.exec(text); m !== null; m = deny.exec(text)) {
        keep({ ...base, start: m.index, end: m.index + m[0].length, score: 1, explanation: 'deny-list' });
      }
    }
    return [...best.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  };
  return { rule, source, find };
}
