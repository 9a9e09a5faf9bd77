import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import { applyAllowList, compileAllowList } from '../../../src/detect/site/index.js';

const span = (start: number, end: number, source = 'x'): Span => ({ start, end, label: 'NAME', source, score: 1 });
const texts = (text: string, spans: Span[]): string[] => spans.map((s) => text.slice(s.start, s.end));

describe('applyAllowList', () => {
  const allow = compileAllowList(['Vantrell', 'Osk score']);
  it.each([
    ['Vantrell 7', [span(0, 8)], []], // only an allowed word: gone
    ['Dr Maren Vantrell Hobb', [span(3, 22)], ['Maren', 'Hobb']], // cut around it, the rest stays redacted
    ['VANTRELL grade', [span(0, 8)], []], // case-blind
    ['Osk score 4 by Osk', [span(0, 9), span(15, 18)], ['Osk']], // a phrase; the word alone is not the phrase
    ['Vantrella Ross', [span(0, 14)], ['Vantrella Ross']], // not inside a longer word
  ])('%j', (text, spans, want) => {
    expect(texts(text, applyAllowList(text, spans, allow))).toEqual(want);
  });

  it("a note's known identifiers are never cut", () => {
    const text = 'Vantrell is the patient';
    expect(texts(text, applyAllowList(text, [span(0, 8, 'site/known')], allow, [{ start: 0, end: 8 }]))).toEqual(['Vantrell']);
  });

  it('no kept span overlaps an allowed word; every kept character was in a span before', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('Vantrell', 'Maren', ' ', ', ', 'Osk', 'score', '7'), { maxLength: 20 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }), (parts, raw) => {
        const text = parts.join('');
        const spans = raw.map(([a, b]) => span(Math.min(a, b) % (text.length + 1), Math.max(a, b) % (text.length + 1))).filter((s) => s.end > s.start);
        const kept = applyAllowList(text, spans, allow);
        const allowed = [...text.matchAll(/(?<!\p{L})Vantrell(?!\p{L})/gu)].map((m) => [m.index, m.index + 8]);
        for (const k of kept) {
          for (const [a, b] of allowed) expect(k.end <= a! || k.start >= b!).toBe(true);
          expect(spans.some((s) => s.start <= k.start && k.end <= s.end)).toBe(true);
        }
      }),
    );
  });
});
