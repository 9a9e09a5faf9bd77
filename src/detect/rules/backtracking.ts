import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Diagnostics, Parameters } from 'recheck';
import { CHECKED_PATTERNS } from './checkedPatterns.js';

/**
 * The ReDoS check a pattern passes before a pack loads (E022), done by recheck
 * (makenowjust-labs/recheck): automata theory where it applies, seeded fuzzing where it does not
 * (look-arounds, large bounded repeats). A rule runs as an unanchored global search over whole
 * notes, so any super-linear verdict is refused: exponential (`(a+)+b`, `(\w|\d)+$`) and
 * polynomial (`[a-z]+@[a-z]+\.com` is quadratic on a long run of letters). A pattern recheck
 * cannot analyse (not finished in 10 s) is refused too: fail closed.
 *
 * recheck takes from milliseconds to seconds per pattern and itself loads in ~0.5 s, so the
 * patterns of the shipped packs, re-checked by test/hardening/redos.test.ts, are recognised by
 * hash (checkedPatterns.ts); recheck is loaded only for a pattern not in that list (a user's
 * pack), once per pattern and process.
 */

/** Fixed seed and step limits instead of wall-clock budgets, so a verdict does not depend on machine load; `timeout` only stops a runaway analysis. */
export const RECHECK_PARAMS: Parameters = {
  checker: 'auto',
  randomSeed: 0,
  timeout: 10_000,
  incubationTimeout: null,
  attackTimeout: null,
  seedingTimeout: null,
};

/** Key of a pattern in CHECKED_PATTERNS: SHA-256 of its flags and source. */
export function patternKey(source: string, flags: string): string {
  return createHash('sha256').update(`${flags}\u0000${source}`).digest('hex');
}

let checkSync: ((source: string, flags: string, params?: Parameters) => Diagnostics) | undefined;

/** recheck's verdict, without the table of checked patterns (`params` override RECHECK_PARAMS). */
export function recheckPattern(source: string, flags: string, params: Parameters = {}): Diagnostics {
  checkSync ??= (createRequire(import.meta.url)('recheck') as typeof import('recheck')).checkSync;
  return checkSync(source, flags, { ...RECHECK_PARAMS, ...params });
}

/** Why `verdict` refuses the pattern, or undefined when recheck found it safe. */
export function refusal(verdict: Diagnostics): string | undefined {
  if (verdict.status === 'safe') return undefined;
  if (verdict.status === 'vulnerable') return `recheck: ${verdict.complexity.summary}`;
  return `recheck could not analyse it (${'message' in verdict.error ? verdict.error.message : verdict.error.kind})`;
}

const memo = new Map<string, string | undefined>();

/**
 * Why the pattern may backtrack catastrophically, or undefined when it is safe. `flags` are the
 * pack's (i, m, s, u); the engine's own `g` and `d` do not change what one match attempt costs.
 */
export function backtrackingRisk(source: string, flags: string): string | undefined {
  const key = patternKey(source, flags);
  if (CHECKED_PATTERNS.has(key)) return undefined;
  if (memo.has(key)) return memo.get(key);
  let reason: string | undefined;
  try {
    reason = refusal(recheckPattern(source, flags));
  } catch (err) {
    reason = `recheck could not analyse it (${(err as Error).message})`;
  }
  if (memo.size >= 1000) memo.clear();
  memo.set(key, reason);
  return reason;
}
