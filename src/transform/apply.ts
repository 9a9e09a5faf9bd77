import type { Span } from '../core/span.js';
import { mask } from './operators/mask.js';
import { tag } from './operators/tag.js';
import type { Operator, OperatorName, OutputSpan, Policy, TransformContext, TransformResult } from './types.js';

export const BUILTIN_OPERATORS: Readonly<Partial<Record<OperatorName, Operator>>> = {
  tag,
  mask,
  keep: (_span, original) => original,
};

export function operatorFor(span: Span, policy: Policy): OperatorName {
  return policy[span.label] ?? policy.DEFAULT;
}

/**
 * Applies one operator per span. Spans must be disjoint (the output of `mergeSpans`).
 * Replacements are computed on the original text and joined left to right, so input
 * offsets stay valid and output offsets are exact.
 */
export function applyOperators(
  text: string,
  spans: readonly Span[],
  policy: Policy,
  ctx: TransformContext = {},
  operators: Readonly<Partial<Record<OperatorName, Operator>>> = BUILTIN_OPERATORS,
): TransformResult {
  return applyOperatorsInRange(text, spans, 0, text.length, 0, policy, ctx, operators);
}

/**
 * `applyOperators` over the stretch [from, to) of `text` only (a long note redacted piece by
 * piece, src/pipeline/streamed.ts): `spans` lie inside it, in note offsets; the result is that
 * stretch redacted, its output offsets counted from `outOffset` (the output length before it).
 */
export function applyOperatorsInRange(
  text: string,
  spans: readonly Span[],
  from: number,
  to: number,
  outOffset: number,
  policy: Policy,
  ctx: TransformContext = {},
  operators: Readonly<Partial<Record<OperatorName, Operator>>> = BUILTIN_OPERATORS,
): TransformResult {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  const out: OutputSpan[] = [];
  let cursor = from;
  let outLength = outOffset;
  for (const span of sorted) {
    if (span.start < cursor) {
      throw new RangeError(`E002 overlapping spans at offset ${span.start}: merge spans before transforming`);
    }
    const name = operatorFor(span, policy);
    const op = operators[name];
    if (!op) throw new Error(`E003 operator "${name}" is not available for label ${span.label}`);
    const before = text.slice(cursor, span.start);
    parts.push(before);
    outLength += before.length;
    const replacement = op(span, text.slice(span.start, span.end), ctx);
    parts.push(replacement);
    out.push({ ...span, outStart: outLength, outEnd: outLength + replacement.length, operator: name });
    outLength += replacement.length;
    cursor = span.end;
  }
  parts.push(text.slice(cursor, to));
  return { text: parts.join(''), spans: out };
}
