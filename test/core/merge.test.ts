import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABELS, type Label } from '../../src/core/labels.js';
import { applySafeSpans, dropBelowThreshold, dropUnsupported, mergeOverlapping, mergeSpans } from '../../src/core/merge.js';
import { overlapsOrTouches, type Span } from '../../src/core/span.js';

const TEXT_LENGTH = 200;

const spanArb: fc.Arbitrary<Span> = fc
  .record({
    start: fc.integer({ min: 0, max: TEXT_LENGTH - 1 }),
    length: fc.integer({ min: 1, max: 30 }),
    label: fc.constantFrom(...LABELS),
    source: fc.constantFrom('rules/a', 'rules/b', 'ner/phi-ner'),
    score: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ start, length, label, source, score }) => ({
    start,
    end: Math.min(TEXT_LENGTH, start + length),
    label,
    source,
    score,
  }));

const spansArb = fc.array(spanArb, { maxLength: 25 });

function coveredChars(spans: readonly Span[]): Set<number> {
  const set = new Set<number>();
  for (const s of spans) for (let i = s.start; i < s.end; i++) set.add(i);
  return set;
}

function span(start: number, end: number, label: Label, source = 'rules/x', score = 0.9): Span {
  return { start, end, label, source, score };
}

describe('mergeSpans properties', () => {
  it('output is sorted, disjoint and no two output spans touch', () => {
    fc.assert(
      fc.property(spansArb, (spans) => {
        const out = mergeSpans(spans);
        for (let i = 1; i < out.length; i++) {
          expect(out[i]!.start).toBeGreaterThan(out[i - 1]!.end);
        }
      }),
    );
  });

  it('covers exactly the characters the input covered (recall never drops, nothing invented)', () => {
    fc.assert(
      fc.property(spansArb, (spans) => {
        expect(coveredChars(mergeSpans(spans))).toEqual(coveredChars(spans));
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(spansArb, (spans) => {
        const once = mergeSpans(spans);
        expect(mergeSpans(once)).toEqual(once);
      }),
    );
  });

  it('does not depend on input order', () => {
    fc.assert(
      fc.property(spansArb, fc.integer(), (spans, seed) => {
        const shuffled = [...spans].sort((a, b) => ((a.start * 31 + b.end * 17 + seed) % 7) - 3);
        expect(mergeSpans(shuffled)).toEqual(mergeSpans(spans));
      }),
    );
  });

  it('does not mutate its input', () => {
    fc.assert(
      fc.property(spansArb, (spans) => {
        const copy = structuredClone(spans);
        mergeSpans(spans, { threshold: 0.5, safe: spans.slice(0, 2) });
        expect(spans).toEqual(copy);
      }),
    );
  });

  it('each output label is the label of one of the input spans it covers', () => {
    fc.assert(
      fc.property(spansArb, (spans) => {
        for (const out of mergeSpans(spans)) {
          const members = spans.filter((s) => overlapsOrTouches(s, out));
          expect(members.map((m) => m.label)).toContain(out.label);
          expect(out.sources).toEqual([...new Set(members.map((m) => m.source))].sort());
          expect(out.score).toBe(Math.max(...members.map((m) => m.score)));
        }
      }),
    );
  });
});

describe('mergeSpans label priority', () => {
  it.each([
    ['the longest member wins', [span(0, 10, 'NAME'), span(5, 8, 'DATE')], 'NAME'],
    ['equal length: ID beats NAME', [span(0, 5, 'NAME'), span(0, 5, 'ID')], 'ID'],
    ['equal length: DATE beats LOCATION', [span(0, 5, 'LOCATION'), span(2, 7, 'DATE')], 'DATE'],
    ['touching spans merge, longer label wins', [span(0, 3, 'DATE'), span(3, 10, 'ID')], 'ID'],
  ] as const)('%s', (_name, input, label) => {
    const out = mergeSpans(input);
    expect(out).toHaveLength(1);
    expect(out[0]!.label).toBe(label);
    expect(out[0]!.start).toBe(Math.min(...input.map((s) => s.start)));
    expect(out[0]!.end).toBe(Math.max(...input.map((s) => s.end)));
  });

  it('keeps separate spans apart when a gap separates them', () => {
    const out = mergeSpans([span(0, 4, 'NAME'), span(5, 10, 'NAME')]);
    expect(out.map((s) => [s.start, s.end])).toEqual([
      [0, 4],
      [5, 10],
    ]);
  });
});

describe('merge policies', () => {
  it('dropBelowThreshold keeps spans at the threshold and drops those below', () => {
    const kept = dropBelowThreshold([span(0, 1, 'NAME', 'a', 0.5), span(2, 3, 'NAME', 'a', 0.49)], 0.5);
    expect(kept.map((s) => s.start)).toEqual([0]);
  });

  it('applySafeSpans drops weak PHI inside a safe span but keeps validated identifiers and partial overlaps', () => {
    const safe = [span(0, 20, 'OTHER', 'safe/clinical-terms', 1)];
    const phi = [
      span(2, 6, 'NAME', 'ner/phi-ner', 0.6),
      span(8, 12, 'ID', 'rules/npi', 0.99),
      span(15, 25, 'NAME', 'ner/phi-ner', 0.6),
    ];
    expect(applySafeSpans(phi, safe).map((s) => s.start)).toEqual([8, 15]);
  });

  it('applySafeSpans: a word label never outlives a safe span, whatever its score; a labelled safe span covers its label only', () => {
    const safe = [span(0, 8, 'OTHER', 'dict/safe-abbreviation', 1), span(10, 18, 'LOCATION', 'dict/safe-state', 1)];
    const phi = [
      span(0, 3, 'NAME', 'ner/phi-ner', 1),
      span(4, 8, 'DATE', 'rules/date-numeric-full', 0.97),
      span(4, 8, 'DATE', 'ner/phi-ner', 0.6),
      span(10, 18, 'LOCATION', 'ner/phi-ner', 0.99),
      span(10, 18, 'NAME', 'dict/name-relative', 0.85),
    ];
    expect(applySafeSpans(phi, safe).map((s) => `${s.label}:${s.source}`)).toEqual(['DATE:rules/date-numeric-full', 'NAME:dict/name-relative']);
  });

  it.each([
    // [note, tentative word, supporting phrase (another finding) or '', label of the support, kept?]
    ['Seen by Tova Quenwick today', 'Quenwick', 'Tova', 'NAME', true],
    ['FROM 12 BYRON WAY APT 4, MASATE. EKG', 'MASATE', 'BYRON WAY APT 4', 'LOCATION', true],
    ['proxies are tova and quell', 'quell', 'tova', 'NAME', true],
    ['proxies are tova & quell', 'quell', 'tova', 'NAME', true],
    ['Zorvath (Quell) called', 'Quell', 'Zorvath', 'NAME', true],
    // Alone, or next to a finding of no word label (a date), or a word away: dropped.
    ['Lungs clear, Zorvex at noon', 'Zorvex', '', 'NAME', false],
    ['given Quelbrin 3/4 at noon', 'Quelbrin', '3/4', 'DATE', false],
    ['Tova saw Quenwick today', 'Quenwick', 'Tova', 'NAME', false],
    ['Tova and then Quenwick', 'Quenwick', 'Tova', 'NAME', false],
    // Never across a line break.
    ['Seen by Tova\nQuenwick today', 'Quenwick', 'Tova', 'NAME', false],
  ] as const)('dropUnsupported: %j', (text, word, support, label, kept) => {
    const at = (phrase: string): number => text.indexOf(phrase);
    const tentative: Span = { ...span(at(word), at(word) + word.length, 'NAME', 'ner/phi-ner', 0.7), tentative: true };
    const others = support === '' ? [] : [span(at(support), at(support) + support.length, label, 'dict/name-list', 0.85)];
    const out = dropUnsupported([tentative, ...others], text);
    expect(out.includes(tentative)).toBe(kept);
    expect(out.length).toBe(others.length + (kept ? 1 : 0));
    // Merged spans never carry the flag.
    for (const m of mergeSpans([tentative, ...others], { text })) expect(m.tentative).toBeUndefined();
  });

  it('dropUnsupported: a tentative span never supports another, and without the note only an overlap supports', () => {
    const a: Span = { ...span(0, 4, 'NAME', 'ner/phi-ner', 0.7), tentative: true };
    const b: Span = { ...span(5, 9, 'NAME', 'ner/phi-ner', 0.7), tentative: true };
    expect(dropUnsupported([a, b], 'Tova Quen')).toEqual([]);
    expect(dropUnsupported([a, span(5, 9, 'NAME')])).toEqual([span(5, 9, 'NAME')]);
    expect(dropUnsupported([a, span(2, 9, 'NAME')])).toHaveLength(2);
  });

  it('dropUnsupported keeps every firm span and only drops tentative ones (property)', () => {
    const text = 'ab cd, ef and gh\nij & kl. mn (op) qr st uv wx yz '.repeat(5);
    const arb = fc.array(
      fc.record({ s: spanArb, tentative: fc.boolean() }).map(({ s, tentative }) => ({ ...s, end: Math.min(s.end, text.length), start: Math.min(s.start, text.length - 1), ...(tentative ? { tentative } : {}) })),
      { maxLength: 25 },
    );
    fc.assert(
      fc.property(arb, (spans) => {
        const out = dropUnsupported(spans, text);
        for (const s of spans) if (s.tentative !== true) expect(out).toContain(s);
        for (const s of out) expect(spans).toContain(s);
        // A tentative span inside a firm word span is always kept.
        for (const s of spans) {
          if (s.tentative === true && spans.some((o) => o.tentative !== true && ['NAME', 'LOCATION', 'ORGANIZATION', 'PROFESSION'].includes(o.label) && o.start <= s.start && s.end <= o.end)) expect(out).toContain(s);
        }
      }),
    );
  });

  it('mergeOverlapping of nothing is nothing', () => {
    expect(mergeOverlapping([])).toEqual([]);
  });
});
