import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignRedaction, myersMatchedA } from '../../bench/compare/align.js';
import { labelOfType } from '../../bench/compare/libs/openredaction.js';
import { falseAlarmsByKind, median } from '../../bench/compare/report.js';

const TOKENS = /\[[A-Z_]+\]|<Redacted [a-z -]+ #\d+>/g;

/** Replaces `spans` (sorted, disjoint) of `text` with the given replacements. */
function redactWith(text: string, spans: readonly { start: number; end: number; with: string }[]): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + s.with;
    at = s.end;
  }
  return out + text.slice(at);
}

const triples = (a: ReturnType<typeof alignRedaction>): [number, number, string][] => a.spans.map((s) => [s.start, s.end, s.token]);

describe('alignRedaction: worked examples', () => {
  it.each([
    ['one token mid-sentence', 'Call 555-1234 now', 'Call [PHONE] now', [[5, 13, '[PHONE]']], 'anchors'],
    ['token at the start', 'John called back', '[NAME] called back', [[0, 4, '[NAME]']], 'anchors'],
    ['token at the end', 'Seen by Dr Smith', 'Seen by Dr [NAME]', [[11, 16, '[NAME]']], 'anchors'],
    ['two tokens', 'a@b.org or 617-555-0100.', '[EMAIL] or [PHONE].', [[0, 7, '[EMAIL]'], [11, 23, '[PHONE]']], 'anchors'],
    ['touching tokens form one slot', 'JohnSmith here', '[FIRST][LAST] here', [[0, 9, '[FIRST][LAST]']], 'anchors'],
    ['token inside a word', 'IBAN DE94211937775369219705 ok', 'IBAN DE[CARD]9705 ok', [[7, 23, '[CARD]']], 'anchors'],
    ['token with spaces', 'from 10.0.0.1 ok', 'from <Redacted ip address #0> ok', [[5, 13, '<Redacted ip address #0>']], 'anchors'],
    ['one-character PHI', 'bed 5 today', 'bed [N] today', [[4, 5, '[N]']], 'anchors'],
    ['anchor text repeats: leftmost split', 'x 12 y 12 z', 'x [N] y [N] z', [[2, 4, '[N]'], [7, 9, '[N]']], 'anchors'],
  ] as const)('%s', (_name, input, output, spans, method) => {
    const a = alignRedaction(input, output, TOKENS);
    expect(a.method).toBe(method);
    expect(triples(a)).toEqual(spans);
  });

  it('unchanged output: nothing predicted', () => {
    expect(alignRedaction('BP 120/80, HR 72', 'BP 120/80, HR 72', TOKENS)).toEqual({ spans: [], method: 'identical', inserted: 0 });
  });

  it('text deleted without a token falls back to the diff', () => {
    const a = alignRedaction('Call 555-1234 now', 'Call  now', TOKENS);
    expect(a.method).toBe('diff');
    expect(a.spans.map((s) => [s.start, s.end])).toEqual([[5, 13]]);
  });

  it('a library that also rewrote text outside its tokens: diff, rewritten characters counted as inserted', () => {
    // Input "Pt  John  seen" -> "Pt [NAME] SEEN": the walk fails (suffix changed case), the diff places the name.
    const a = alignRedaction('Pt John seen', 'Pt [NAME] SEEN', TOKENS);
    expect(a.method).toBe('diff');
    expect(a.inserted).toBe(4);
    // Every input character of "John" and "seen" is unmatched; "John" gets the token.
    expect(a.spans[0]).toEqual({ start: 3, end: 7, token: '[NAME]' });
  });

  it('edit script longer than maxEdits: everything between common prefix and suffix (a superset)', () => {
    const a = alignRedaction('ab 1234567890 cd', 'ab xyzxyzxyzx cd', TOKENS, 3);
    expect(a.method).toBe('prefix-suffix');
    expect(a.spans.map((s) => [s.start, s.end])).toEqual([[3, 13]]);
  });
});

describe('myersMatchedA', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 3],
    ['abcabba', 'cbabac', 4],
    ['kitten', 'sitting', 4],
    ['abc', '', 0],
    ['', 'abc', 0],
  ])('%j vs %j: %i matches, in order, on equal characters', (a, b, n) => {
    const r = myersMatchedA(a, b, 100)!;
    expect(r.matches).toBe(n);
    let last = -1;
    for (let i = 0; i < a.length; i++) {
      const j = r.aToB[i]!;
      if (j < 0) continue;
      expect(b[j]).toBe(a[i]);
      expect(j).toBeGreaterThan(last);
      last = j;
    }
  });

  it('property: the matches are a longest common subsequence (checked against dynamic programming)', () => {
    const lcs = (a: string, b: string): number => {
      const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
      return dp[a.length]![b.length]!;
    };
    const s = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 14 });
    fc.assert(fc.property(s, s, (a, b) => myersMatchedA(a, b, 1000)!.matches === lcs(a, b)), { numRuns: 300 });
  });
});

// ---- properties: redact known spans, recover them ----

/** Text from one alphabet, PHI from another, replacements from a third: nothing collides. */
const TEXT = fc.string({ unit: fc.constantFrom('a', 'e', 'n', 't', ' ', ',', '.'), minLength: 0, maxLength: 12 });
const PHI = fc.string({ unit: fc.constantFrom('0', '1', '7', '9', '-', '/', 'J', 'S'), minLength: 1, maxLength: 8 });
const REPLACEMENT = fc.string({ unit: fc.constantFrom('[', ']', 'X', 'Q', '#', '<', '>', '*'), minLength: 1, maxLength: 10 });

/** A note as text pieces with PHI pieces between them; returns the note, the true spans and the redacted output. */
const redactedNote = fc
  .tuple(TEXT, fc.array(fc.tuple(PHI, REPLACEMENT, TEXT), { minLength: 0, maxLength: 6 }))
  .map(([head, rest]) => {
    let text = head;
    const spans: { start: number; end: number; with: string }[] = [];
    for (const [phi, replacement, tail] of rest) {
      const last = spans[spans.length - 1];
      // Touching PHI spans are one stretch of PHI with one replacement, as a library would see them.
      if (last && last.end === text.length) {
        last.end += phi.length;
        last.with += replacement;
      } else spans.push({ start: text.length, end: text.length + phi.length, with: replacement });
      text += phi + tail;
    }
    return { text, spans, output: redactWith(text, spans) };
  });

describe('alignRedaction: properties', () => {
  it('with a token pattern for the replacements: recovers exactly the redacted spans', () => {
    const pattern = /[[\]XQ#<>*]+/g;
    fc.assert(
      fc.property(redactedNote, ({ text, spans, output }) => {
        const a = alignRedaction(text, output, pattern);
        expect(a.method).toBe(spans.length === 0 ? 'identical' : 'anchors');
        expect(a.spans.map((s) => [s.start, s.end])).toEqual(spans.map((s) => [s.start, s.end]));
        expect(a.spans.map((s) => s.token)).toEqual(spans.map((s) => s.with));
      }),
      { numRuns: 400 },
    );
  });

  it('with arbitrary replacement strings and no token pattern (diff only): recovers exactly the redacted characters', () => {
    const never = /(?!)/g;
    fc.assert(
      fc.property(redactedNote, ({ text, spans, output }) => {
        const a = alignRedaction(text, output, never);
        const covered = new Set<number>();
        for (const s of a.spans) for (let i = s.start; i < s.end; i++) covered.add(i);
        const truth = new Set<number>();
        for (const s of spans) for (let i = s.start; i < s.end; i++) truth.add(i);
        expect([...covered].sort((x, y) => x - y)).toEqual([...truth].sort((x, y) => x - y));
        // Every output character that is not a replacement character is placed.
        expect(a.inserted).toBe(spans.reduce((n, s) => n + s.with.length, 0));
      }),
      { numRuns: 400 },
    );
  });

  it('anything at all: recovered spans are in bounds, sorted, disjoint, and put back with their tokens give the output', () => {
    const anyText = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '1', '[', ']', 'T'), maxLength: 20 });
    fc.assert(
      fc.property(anyText, fc.array(fc.tuple(fc.nat(), fc.nat(), anyText), { maxLength: 4 }), (text, cuts) => {
        const spans = cuts
          .map(([a, b, w]) => ({ start: Math.min(a, b) % (text.length + 1), end: Math.max(a, b) % (text.length + 1), with: w }))
          .filter((s) => s.end > s.start)
          .sort((x, y) => x.start - y.start)
          .filter((s, i, xs) => i === 0 || s.start >= xs[i - 1]!.end);
        const output = redactWith(text, spans);
        const a = alignRedaction(text, output, /\[T+\]/g);
        let last = 0;
        for (const s of a.spans) {
          expect(s.start).toBeGreaterThanOrEqual(last);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.end).toBeLessThanOrEqual(text.length);
          last = s.end;
        }
        if (a.method === 'anchors') expect(redactWith(text, a.spans.map((s) => ({ ...s, with: s.token })))).toBe(output);
      }),
      { numRuns: 300 },
    );
  });
});

describe('report helpers', () => {
  it('false alarms per negative kind count sentences with any predicted span', () => {
    const doc = (id: string, pred: number) => ({
      id,
      text: 'x',
      spans: [],
      pred: Array.from({ length: pred }, () => ({ start: 0, end: 1, label: 'ID' as const, source: 't', score: 1 })),
    });
    const kinds = new Map([
      ['n1', 'dose'],
      ['n2', 'dose'],
      ['n3', 'code'],
    ]);
    expect(falseAlarmsByKind([doc('n1', 2), doc('n2', 0), doc('n3', 1), doc('p1', 1)], kinds)).toEqual([
      { kind: 'all', negatives: 3, flagged: 2, rate: 2 / 3 },
      { kind: 'code', negatives: 1, flagged: 1, rate: 1 },
      { kind: 'dose', negatives: 2, flagged: 1, rate: 0.5 },
    ]);
  });

  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it.each([
    ['EMAIL', 'CONTACT'],
    ['PHONE_US', 'CONTACT'],
    ['ZIP_CODE_US', 'LOCATION'],
    ['ADDRESS_STREET', 'LOCATION'],
    ['NAME', 'NAME'],
    ['XBOX_GAMERTAG', 'NAME'],
    ['DATE_OF_BIRTH', 'DATE'],
    ['MEDICAL_RECORD_NUMBER', 'ID'],
    ['SSN', 'ID'],
    ['IP_ADDRESS', 'CONTACT'],
  ])('OpenRedaction type %s maps to %s', (type, label) => {
    expect(labelOfType(type)).toBe(label);
  });
});
