import { LABELS } from '../core/labels.js';
import { overlaps, type Span } from '../core/span.js';
import { CountTable, scored } from './metrics.js';
import { tokenize, tokensOverlapping } from './tokens.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: a type-only import of our EvalError interface; the global EvalError value is never used here
import type { Attribution, DetectorRow, EntityScores, EvalDoc, EvalError, EvalResult, LabelRow, TokenScores } from './types.js';

/**
 * Scoring of predicted spans against gold spans, pure and deterministic:
 *
 * - binary token level ("was the PHI removed?"): a gold token is caught when any predicted span
 *   overlaps it, whatever its label; a predicted token is a false alarm when no gold span overlaps it.
 *   Per label: recall over the tokens of each gold label, precision over the tokens of each
 *   predicted label (matching is still label-agnostic: a DATE token hidden as NAME is removed).
 * - entity level: strict (same start, end and label), exact (same start and end, any label) and
 *   partial (any overlap, any label); each gold and each predicted span is counted on its own side.
 * - attribution per detector and per detector family (the id up to the first `/`).
 * - an error list (offsets and labels only) for the report and the review page.
 */
export function evaluate(docs: readonly EvalDoc[]): EvalResult {
  const useRaw = docs.length > 0 && docs.every((d) => d.raw !== undefined);
  const acc = new Accumulator();
  const errors: EvalError[] = [];
  for (const doc of docs) scoreDoc(doc, useRaw, acc, errors);
  return {
    docs: docs.length,
    goldSpans: docs.reduce((n, d) => n + d.spans.length, 0),
    predSpans: docs.reduce((n, d) => n + d.pred.length, 0),
    token: acc.tokenScores(),
    entity: acc.entityScores(),
    attribution: acc.attribution(useRaw ? 'raw' : 'merged'),
    errors,
  };
}

const ALL = '\u0000all';

/** Detector family: `rules/us-ssn` → `rules`. */
export function detectorFamily(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

export function spanSources(s: Span): readonly string[] {
  return s.sources && s.sources.length > 0 ? s.sources : [s.source];
}

interface DetectorTally {
  predTokens: number;
  caught: number;
  unique: number;
  falseAlarms: number;
}

class Accumulator {
  readonly tokens = new CountTable();
  readonly subtypes = new CountTable();
  readonly strict = new CountTable();
  readonly exact = new CountTable();
  readonly partial = new CountTable();
  goldTokens = 0;
  readonly detectors = new Map<string, DetectorTally>();
  readonly families = new Map<string, DetectorTally>();

  tokenScores(): TokenScores {
    return {
      overall: scored(this.tokens.get(ALL)),
      perLabel: labelRows(this.tokens.keys(), (k) => scored(this.tokens.get(k))),
      perGoldSubtype: subtypeRows(this.subtypes.keys()).map((label) => ({ label, score: scored(this.subtypes.get(label)) })),
    };
  }

  entityScores(): EntityScores {
    const keys = [...new Set([...this.strict.keys(), ...this.partial.keys()])];
    return {
      strict: scored(this.strict.get(ALL)),
      exact: scored(this.exact.get(ALL)),
      partial: scored(this.partial.get(ALL)),
      perLabel: labelRows(keys, (k) => ({
        strict: scored(this.strict.get(k)),
        exact: scored(this.exact.get(k)),
        partial: scored(this.partial.get(k)),
      })),
    };
  }

  attribution(basis: 'raw' | 'merged'): Attribution {
    const rows = (m: Map<string, DetectorTally>): DetectorRow[] =>
      [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([detector, t]) => ({ detector, ...t }));
    return { basis, goldTokens: this.goldTokens, families: rows(this.families), detectors: rows(this.detectors) };
  }
}

function labelRows<T>(keys: readonly string[], score: (k: string) => T): LabelRow<T>[] {
  const present = keys.filter((k) => k !== ALL);
  const known = LABELS.filter((l) => present.includes(l));
  const other = present.filter((k) => !(LABELS as readonly string[]).includes(k)).sort();
  return [...known, ...other].map((label) => ({ label, score: score(label) }));
}

/** `LABEL/subtype` keys in label order, then subtype order. */
function subtypeRows(keys: readonly string[]): string[] {
  const rank = (k: string): number => {
    const i = (LABELS as readonly string[]).indexOf(k.slice(0, k.indexOf('/')));
    return i < 0 ? LABELS.length : i;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function scoreDoc(doc: EvalDoc, useRaw: boolean, acc: Accumulator, errors: EvalError[]): void {
  const tokens = tokenize(doc.text);
  const n = tokens.length;
  const goldAny = new Uint8Array(n);
  const predAny = new Uint8Array(n);
  const goldLabels: Set<string>[] = [];
  const predLabels: Set<string>[] = [];
  const mark = (spans: readonly { start: number; end: number; label: string }[], any: Uint8Array, labels: Set<string>[]): void => {
    for (const s of spans) {
      const [from, to] = tokensOverlapping(tokens, s.start, s.end);
      for (let i = from; i < to; i++) {
        any[i] = 1;
        let set = labels[i];
        if (!set) {
          set = new Set();
          labels[i] = set;
        }
        set.add(s.label);
      }
    }
  };
  mark(doc.spans, goldAny, goldLabels);
  mark(doc.pred, predAny, predLabels);
  const goldSubtypes: Set<string>[] = [];
  mark(
    doc.spans.filter((s) => s.subtype !== undefined).map((s) => ({ ...s, label: `${s.label}/${s.subtype}` })),
    new Uint8Array(n),
    goldSubtypes,
  );

  // Binary token level.
  for (let i = 0; i < n; i++) {
    const g = goldAny[i] === 1;
    const p = predAny[i] === 1;
    if (g) acc.tokens.gold(ALL, p);
    if (p) acc.tokens.pred(ALL, g);
    for (const l of goldLabels[i] ?? []) acc.tokens.gold(l, p);
    for (const l of predLabels[i] ?? []) acc.tokens.pred(l, g);
    for (const l of goldSubtypes[i] ?? []) acc.subtypes.gold(l, p);
  }

  // Entity level.
  const key = (s: { start: number; end: number }): string => `${s.start}:${s.end}`;
  const goldStrict = new Set(doc.spans.map((s) => `${key(s)}:${s.label}`));
  const predStrict = new Set(doc.pred.map((s) => `${key(s)}:${s.label}`));
  const goldExact = new Set(doc.spans.map(key));
  const predExact = new Set(doc.pred.map(key));
  for (const g of doc.spans) {
    const strictHit = predStrict.has(`${key(g)}:${g.label}`);
    const exactHit = predExact.has(key(g));
    const partialHit = doc.pred.some((p) => overlaps(p, g));
    for (const k of [ALL, g.label]) {
      acc.strict.gold(k, strictHit);
      acc.exact.gold(k, exactHit);
      acc.partial.gold(k, partialHit);
    }
  }
  for (const p of doc.pred) {
    const strictHit = goldStrict.has(`${key(p)}:${p.label}`);
    const exactHit = goldExact.has(key(p));
    const partialHit = doc.spans.some((g) => overlaps(p, g));
    for (const k of [ALL, p.label]) {
      acc.strict.pred(k, strictHit);
      acc.exact.pred(k, exactHit);
      acc.partial.pred(k, partialHit);
    }
  }

  // Attribution.
  acc.goldTokens += goldAny.reduce((a, b) => a + b, 0);
  const basis = useRaw ? doc.raw! : doc.pred;
  attribute(basis, tokens, goldAny, (s) => spanSources(s), acc.detectors);
  attribute(basis, tokens, goldAny, (s) => [...new Set(spanSources(s).map(detectorFamily))], acc.families);

  // Errors.
  const rawSpans = doc.raw ?? doc.pred;
  for (const g of doc.spans) {
    const [from, to] = tokensOverlapping(tokens, g.start, g.end);
    let missed = 0;
    for (let i = from; i < to; i++) if (predAny[i] === 0) missed++;
    const hit = to > from ? missed < to - from : doc.pred.some((p) => overlaps(p, g));
    if (hit && missed === 0) continue;
    errors.push({
      kind: hit ? 'partial-miss' : 'miss',
      id: doc.id,
      start: g.start,
      end: g.end,
      goldLabel: g.label,
      ...(g.subtype !== undefined ? { goldSubtype: g.subtype } : {}),
      detectors: sortedUnique(rawSpans.filter((s) => overlaps(s, g)).flatMap(spanSources)),
      tokens: missed,
    });
  }
  for (const p of doc.pred) {
    const golds = doc.spans.filter((g) => overlaps(p, g));
    const [from, to] = tokensOverlapping(tokens, p.start, p.end);
    let falseTokens = 0;
    for (let i = from; i < to; i++) if (goldAny[i] === 0) falseTokens++;
    const base = { id: doc.id, start: p.start, end: p.end, predLabel: p.label, detectors: sortedUnique(spanSources(p)) };
    if (golds.length === 0) {
      errors.push({ kind: 'false-alarm', ...base, tokens: falseTokens });
      continue;
    }
    if (!golds.some((g) => g.label === p.label)) {
      const g = golds[0]!;
      errors.push({
        kind: 'wrong-label',
        ...base,
        goldLabel: sortedUnique(golds.map((x) => x.label)).join('+'),
        ...(g.subtype !== undefined ? { goldSubtype: g.subtype } : {}),
        tokens: 0,
      });
    }
    if (falseTokens > 0) errors.push({ kind: 'overreach', ...base, tokens: falseTokens });
  }
}

function attribute(
  spans: readonly Span[],
  tokens: ReturnType<typeof tokenize>,
  goldAny: Uint8Array,
  keysOf: (s: Span) => readonly string[],
  into: Map<string, DetectorTally>,
): void {
  const covered = new Map<string, Uint8Array>();
  for (const s of spans) {
    const [from, to] = tokensOverlapping(tokens, s.start, s.end);
    for (const k of keysOf(s)) {
      let cov = covered.get(k);
      if (!cov) {
        cov = new Uint8Array(tokens.length);
        covered.set(k, cov);
      }
      for (let i = from; i < to; i++) cov[i] = 1;
    }
  }
  const coverers = new Uint16Array(tokens.length);
  for (const cov of covered.values()) for (let i = 0; i < cov.length; i++) coverers[i]! += cov[i]!;
  for (const [k, cov] of covered) {
    let t = into.get(k);
    if (!t) {
      t = { predTokens: 0, caught: 0, unique: 0, falseAlarms: 0 };
      into.set(k, t);
    }
    for (let i = 0; i < cov.length; i++) {
      if (cov[i] === 0) continue;
      t.predTokens++;
      if (goldAny[i] === 1) {
        t.caught++;
        if (coverers[i] === 1) t.unique++;
      } else t.falseAlarms++;
    }
  }
}

function sortedUnique(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}
