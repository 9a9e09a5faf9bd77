import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import { keepSpans, noteCase, trimSpans, type KeepRules } from '../../../src/detect/ner/index.js';
import type { SpanTails } from '../../../src/lexicon/types.js';

// ID: a label with no check of its own, so the letter/number rules are what is tested
const span = (start: number, end: number, score: number, label: Span['label'] = 'ID'): Span => ({ start, end, label, source: 'ner/phi-ner', score });

describe('keepSpans: which NER spans survive', () => {
  const text = 'seen 3/14 by Dr Ames at 0830, bp 120/80 - ok';
  //            0123456789012345678901234567890123456789012345

  it('keeps spans with a letter at any score, numbers only at the numeric threshold, punctuation never', () => {
    const spans = [span(5, 9, 0.6), span(16, 20, 0.51), span(24, 28, 0.95), span(33, 39, 0.7), span(40, 41, 0.99)];
    expect(keepSpans(spans, text, { numericThreshold: 0.9 }).map((s) => text.slice(s.start, s.end))).toEqual(['Ames', '0830']);
    expect(keepSpans(spans, text, { numericThreshold: 0.5 }).map((s) => text.slice(s.start, s.end))).toEqual(['3/14', 'Ames', '0830', '120/80']);
  });

  it('is a filter: a subset in order, every span with a letter kept, none without a letter or digit', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(60), fc.nat(10), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (t, raw, numeric) => {
          const spans = raw
            .map(([a, len, score]) => span(Math.min(a, t.length), Math.min(a + len + 1, t.length), score))
            .filter((s) => s.start < s.end);
          const kept = keepSpans(spans, t, { numericThreshold: numeric });
          expect(kept.every((s) => spans.includes(s))).toBe(true);
          for (const s of spans) {
            const body = t.slice(s.start, s.end);
            const expected = /\p{L}/u.test(body) || (/\p{N}/u.test(body) && s.score >= numeric);
            expect(kept.includes(s)).toBe(expected);
          }
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  it('a name or place made only of plain words needs the plain-word threshold; other labels and mixed spans do not', () => {
    const t = 'Elbow pain, Fentanyl given, Dr Ames Elbow saw pt, period.';
    const plainWords = new Set(['elbow', 'pain', 'fentanyl', 'given', 'period', 'saw']);
    const named = (start: number, end: number, score: number, label: Span['label'] = 'NAME'): Span => ({ ...span(start, end, score), label });
    const spans = [named(0, 5, 0.6), named(12, 20, 0.95, 'LOCATION'), named(28, 41, 0.6), named(50, 56, 0.6, 'DATE')];
    const rules = { numericThreshold: 0.5, plainWords, plainWordThreshold: 0.9 };
    expect(keepSpans(spans, t, rules).map((s) => t.slice(s.start, s.end))).toEqual(['Fentanyl', 'Dr Ames Elbow', 'period']);
    expect(keepSpans(spans, t, { ...rules, plainWords: undefined })).toEqual(spans);
  });

  it('a date span with letters but no form of a date needs the numeric threshold; dated forms do not', () => {
    const dates = ['propofol 40', 'sats of 93 4', 'period', 'x 16', 'augmented 86', 'decreased to 5', 'monitor 3', 'Labor Day', 'March 3', '3rd', 'last Tuesday', 'the 1980s', "fall of '84", '3/14 am', 'Christmas Eve', 'the twelfth'];
    const t = dates.join(' ; ');
    let at = 0;
    const spans = dates.map((d) => {
      const s = span(at, at + d.length, 0.6, 'DATE');
      at += d.length + 3;
      return s;
    });
    const kept = (numeric: number): string[] => keepSpans(spans, t, { numericThreshold: numeric }).map((s) => t.slice(s.start, s.end));
    // month and weekday words count whole or abbreviated, not as the start of another word (sats, augmented)
    expect(kept(0.9)).toEqual(dates.slice(7));
    expect(kept(0.5)).toEqual(dates);
  });

  it('drops age spans under 90 (Safe Harbor keeps them; the opt-in rules pack asks for them) and keeps 90 and over', () => {
    const t = 'a 63 yo man; 89 years old; aged 90; 104 yo; age ninety';
    const age = (text: string): Span => span(t.indexOf(text), t.indexOf(text) + text.length, 0.95, 'AGE');
    const spans = [age('63'), age('89 years old'), age('90'), age('104 yo'), age('ninety')];
    expect(keepSpans(spans, t, { numericThreshold: 0.9 }).map((s) => t.slice(s.start, s.end))).toEqual(['90', '104 yo', 'ninety']);
    // a policy that tags ages under 90 (surrogate.agesUnder90: tag) keeps them all
    expect(keepSpans(spans, t, { numericThreshold: 0.9, agesUnder90: true })).toEqual(spans);
  });

  it('a one-word name or place without a capital needs the uncapitalised threshold: lower case where the note capitalises, any word of an ALL-CAPS note, an English word of a lower-case note', () => {
    const english = new Set(['brisk', 'frank', 'with']);
    const named = (t: string, text: string, score: number): Span => ({ ...span(t.indexOf(text), t.indexOf(text) + text.length, score), label: 'NAME' });
    const rules = { numericThreshold: 0.9, english, uncapitalisedThreshold: 0.97, placePrepositions: new Set(['at', 'to', 'from', 'in', 'into']) };
    const mixed = 'Pt seen, walked with zorvath today. Output brisk; Dr Quell aware. frank blood.';
    const kept = (t: string, spans: Span[], r: KeepRules = rules): string[] => keepSpans(spans, t, r).map((s) => t.slice(s.start, s.end));
    // mixed case: a lower-case word alone is rarely a name; capitalised, two words, or confident enough, it stays
    expect(kept(mixed, [named(mixed, 'zorvath', 0.9), named(mixed, 'Quell', 0.5), named(mixed, 'brisk', 0.5), named(mixed, 'zorvath today', 0.5), named(mixed, 'frank', 0.98)])).toEqual([
      'Quell',
      'zorvath today',
      'frank',
    ]);
    // a lower-case note says nothing by case: only English words need more
    const lower = 'pt seen, walked with zorvath today. output brisk; dr quell aware. frank blood.';
    expect(kept(lower, [named(lower, 'zorvath', 0.9), named(lower, 'quell', 0.5), named(lower, 'frank', 0.9)])).toEqual(['zorvath', 'quell']);
    // nor does an ALL-CAPS note, whose misspellings and abbreviations read as names: every one-word span needs more
    const upper = lower.toUpperCase();
    expect(kept(upper, [named(upper, 'ZORVATH', 0.5), named(upper, 'FRANK', 0.5), named(upper, 'QUELL', 0.98), named(upper, 'WALKED WITH ZORVATH', 0.5)])).toEqual(['QUELL', 'WALKED WITH ZORVATH']);
    // in capitals a place right after a preposition of place (the cue file's list) keeps that sign; a name there does not
    const moved = 'PT TRANSFERRED TO ZORVATH FOR CATH, QUELL TO FOLLOW.';
    const placed = (text: string, label: Span['label']): Span => ({ ...named(moved, text, 0.6), label });
    expect(keepSpans([placed('ZORVATH', 'LOCATION'), placed('ZORVATH', 'NAME'), placed('QUELL', 'LOCATION')], moved, rules).map((s) => [moved.slice(s.start, s.end), s.label])).toEqual([
      ['ZORVATH', 'LOCATION'],
    ]);
    // the list is data: without it no preposition counts, and a word merely ending in one ("ONTO") never does
    expect(keepSpans([placed('ZORVATH', 'LOCATION')], moved, { ...rules, placePrepositions: undefined })).toEqual([]);
    const onto = 'PT MOVED ONTO ZORVATH.';
    expect(keepSpans([{ ...named(onto, 'ZORVATH', 0.6), label: 'LOCATION' }], onto, rules)).toEqual([]);
    // where the note capitalises, a capitalised English word keeps its capital's sign ("Frank" the visitor)
    const visitor = 'Pt seen. Frank visited today and left at noon.';
    expect(kept(visitor, [named(visitor, 'Frank', 0.5)])).toEqual(['Frank']);
    // off by default (threshold 0); other labels untouched
    expect(kept(mixed, [named(mixed, 'zorvath', 0.4)], { numericThreshold: 0.9, english, uncapitalisedThreshold: 0 })).toEqual(['zorvath']);
    expect(keepSpans([{ ...named(mixed, 'zorvath', 0.4), label: 'ID' }], mixed, rules)).toHaveLength(1);
  });

  it('a one-word name or place that is a plain word with one letter left out needs the slip threshold, unless it is an English word or capitalised where the note capitalises', () => {
    const plainWords = new Set(['agitation', 'decline', 'trauma', 'period', 'periods', 'chills']);
    const english = new Set(['hills', 'period', 'periods', 'agitation', 'decline', 'trauma']);
    const rules = { numericThreshold: 0.9, plainWords, plainWordThreshold: 0.9, english };
    const names = (t: string, words: string[], slipThreshold: number): string[] => {
      const spans = words.map((w): Span => ({ ...span(t.indexOf(w), t.indexOf(w) + w.length, 0.95), label: 'NAME' }));
      return keepSpans(spans, t, { ...rules, slipThreshold }).map((s) => t.slice(s.start, s.end));
    };
    const caps = 'MS/AGIATION. DELINE-OOB. OKORO AWARE. PERIOD. HILLS VISITED. AGITATION.';
    // the plain words themselves follow the plain-word threshold; HILLS is a word, not a slip of "chills"
    expect(names(caps, ['AGIATION', 'DELINE', 'OKORO', 'PERIOD', 'HILLS', 'AGITATION'], 1.01)).toEqual(['OKORO', 'PERIOD', 'HILLS', 'AGITATION']);
    expect(names(caps, ['AGIATION', 'DELINE'], 0.9)).toEqual(['AGIATION', 'DELINE']);
    // where the note capitalises, a capitalised slip keeps its capital's sign; a lower-case one does not
    const mixed = 'Pt seen by Deline today, trama related per Dr Okoro.';
    expect(names(mixed, ['Deline', 'trama'], 1.01)).toEqual(['Deline']);
  });

  it('a higher threshold never keeps a span a lower one drops (property)', () => {
    const vocabulary = ['Okoro', 'okoro', 'frank', 'FRANK', 'agiation', 'AGIATION', 'period', 'Pt', 'seen', 'BP', '3/4', 'by', 'Dr'];
    const plainWords = new Set(['agitation', 'period', 'seen']);
    const english = new Set(['frank', 'period', 'seen', 'by']);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(11), fc.nat(2), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom<Span['label']>('NAME', 'LOCATION', 'DATE', 'PROFESSION')), { maxLength: 6 }),
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
        (words, raw, [u1, u2], [s1, s2]) => {
          const t = words.join(' ');
          const starts = words.map((_, i) => words.slice(0, i).join(' ').length + (i > 0 ? 1 : 0));
          const spans = raw
            .filter(([w]) => w < words.length)
            .map(([w, n, score, label]): Span => {
              const last = Math.min(words.length - 1, w + n);
              return { start: starts[w]!, end: starts[last]! + words[last]!.length, label, source: 'ner/phi-ner', score };
            });
          const rules = { numericThreshold: 0.9, plainWords, plainWordThreshold: 0.9, english };
          const low = keepSpans(spans, t, { ...rules, uncapitalisedThreshold: Math.min(u1, u2), slipThreshold: Math.min(s1, s2) });
          const high = keepSpans(spans, t, { ...rules, uncapitalisedThreshold: Math.max(u1, u2), slipThreshold: Math.max(s1, s2) });
          expect(high.every((s) => low.includes(s))).toBe(true);
          // only one-word names and places are read by these checks
          for (const s of low) if (!high.includes(s)) expect(['NAME', 'LOCATION']).toContain(s.label);
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });

  it('a one-word name or place under the stand-alone threshold comes out tentative; longer spans, other labels and ALL-CAPS places after a preposition stand alone', () => {
    const rules: KeepRules = { numericThreshold: 0.9, standAloneThreshold: 0.9, placePrepositions: new Set(['to', 'at', 'from']) };
    const mixed = 'Rales Zorvath at 0630; seen by Tova Quell; moved to Quenwick';
    const at = (t: string, phrase: string, score: number, label: Span['label'] = 'NAME'): Span => span(t.indexOf(phrase), t.indexOf(phrase) + phrase.length, score, label);
    const tentative = (t: string, spans: Span[]): string[] => keepSpans(spans, t, rules).filter((s) => s.tentative === true).map((s) => t.slice(s.start, s.end));
    expect(tentative(mixed, [at(mixed, 'Zorvath', 0.89), at(mixed, 'Tova Quell', 0.6), at(mixed, 'Quenwick', 0.7, 'LOCATION')])).toEqual(['Zorvath', 'Quenwick']);
    expect(tentative(mixed, [at(mixed, 'Zorvath', 0.9), at(mixed, 'Quenwick', 0.95, 'LOCATION'), at(mixed, 'Zorvath', 0.6, 'ORGANIZATION')])).toEqual([]);
    const upper = 'TRANSFERRED TO QGH, SEEN BY ZORVATH';
    expect(tentative(upper, [at(upper, 'QGH', 0.6, 'LOCATION'), at(upper, 'ZORVATH', 0.85)])).toEqual(['ZORVATH']);
    // the same place in a mixed-case note has its capitals instead, and needs the threshold like any other
    const mixedTo = 'Transferred to QGH today';
    expect(tentative(mixedTo, [at(mixedTo, 'QGH', 0.6, 'LOCATION')])).toEqual(['QGH']);
    // a name cue and an initial before it: the model missed the first word, not the name
    const cued = 'bp goal per d zorvath. sats ok with zorvath; per RT; Dr. o quell; wife j. Tova';
    const cueRules: KeepRules = { ...rules, nameCuePhrases: [['per'], ['dr'], ['wife'], ['with']] };
    const cuedTentative = (spans: Span[]): string[] => keepSpans(spans, cued, cueRules).filter((s) => s.tentative === true).map((s) => cued.slice(s.start, s.end));
    const word = (w: string, from = 0): Span => span(cued.indexOf(w, from), cued.indexOf(w, from) + w.length, 0.7, 'NAME');
    expect(cuedTentative([word('zorvath'), word('zorvath', cued.indexOf('with')), word('RT'), word('quell'), word('Tova')])).toEqual(['zorvath', 'RT']);
    expect(keepSpans([word('zorvath')], cued, rules)[0]!.tentative).toBe(true);
    // off by default: nothing is tentative
    expect(keepSpans([at(mixed, 'Zorvath', 0.6)], mixed, { numericThreshold: 0.9 })[0]!.tentative).toBeUndefined();
  });

  it('reads the case of a note: capitals a sign of a name only where they are neither (nearly) absent nor most letters', () => {
    expect(noteCase('Pt seen by Dr Ames today')).toBe('mixed');
    expect(noteCase('PT SEEN BY DR AMES TODAY, Ok')).toBe('upper');
    expect(noteCase('pt seen by dr ames today, and all of the family visited in the evening. Ok')).toBe('lower');
    expect(noteCase('12:00 / 130-80')).toBe('lower');
    expect(noteCase('ÉTÉ À PARIS, ΑΘΗΝΑ')).toBe('upper');
    expect(noteCase('été à paris, αθηνα, 𝐚')).toBe('lower');
  });

  it("counts a note's letters and capitals as the Unicode properties do, in any script (property)", () => {
    const reference = (t: string): string => {
      const letters = t.match(/\p{L}/gu)?.length ?? 0;
      const upper = t.match(/\p{Lu}/gu)?.length ?? 0;
      return letters === 0 || upper / letters < 0.03 ? 'lower' : upper / letters >= 0.6 ? 'upper' : 'mixed';
    };
    const chars = fc.constantFrom('a', 'Z', 'é', 'É', 'ß', 'σ', 'Σ', '𝐀', '𝐚', '1', ' ', '\n', '-', '\u{1F600}', '\uD800', 'ǅ');
    fc.assert(fc.property(fc.array(chars, { maxLength: 80 }).map((a) => a.join('')), (t) => noteCase(t) === reference(t)), { numRuns: 500 });
  });

  it('drops a bare-number date that is a decimal or part of a clock time, and a weekday alone; keeps bare years', () => {
    const t = 'levo at .09 mic; lactate 0.58; CCU 11 PM - 7 AM; shift 3-7pm; died at 3:06 am; seen on Monday; CABG 81, MI in 94; on Tues.';
    const date = (text: string, from = 0): Span => {
      const at = t.indexOf(text, from);
      return span(at, at + text.length, 0.95, 'DATE');
    };
    const spans = [date('09'), date('58'), date('11'), date('3-'), date('3', t.indexOf('3:06')), date('06', t.indexOf('3:06')), date('Monday'), date('81'), date('94'), date('Tues')];
    expect(keepSpans(spans, t, { numericThreshold: 0.9 }).map((s) => t.slice(s.start, s.end))).toEqual(['81', '94']);
  });

  it("drops a bare-number date that is a decimal's whole part, not a dotted date's first number", () => {
    const t = 'fever for 1.5 days, k 3.9; dose 2.5mg; seen 3.14.2020 and 7.4.19; in 1998; temp was 37.2.';
    const date = (text: string, from = 0): Span => {
      const at = t.indexOf(text, from);
      return span(at, at + text.length, 0.95, 'DATE');
    };
    const spans = [date('1'), date('3', t.indexOf('3.9')), date('2', t.indexOf('2.5')), date('3', t.indexOf('3.14')), date('7'), date('1998'), date('37')];
    expect(keepSpans(spans, t, { numericThreshold: 0.9 }).map((s) => t.slice(s.start, s.end))).toEqual(['3', '7', '1998']);
    expect(keepSpans([date('3.14')], t, { numericThreshold: 0.9 })).toHaveLength(1);
  });

  it('drops a date span that is a duration (an amount or range of days, weeks, months) and keeps dated ranges', () => {
    const t = 'monitor for 1-2 days; off work 3 to 4 wks; hx 2-3 yrs; seen 1-2 nov; on 3-4; for the last three weeks; vented x 12 hrs; for 3-days; on 16 dec; 12 mon; a 95 year old.';
    const date = (text: string, from = 0): Span => span(t.indexOf(text, from), t.indexOf(text, from) + text.length, 0.95, 'DATE');
    const spans = [date('1-2 days'), date('3 to 4 wks'), date('2-3 yrs'), date('1-2 nov'), date('3-4'), date('three weeks'), date('12', t.indexOf('x 12')), date('3', t.indexOf('3-days')), date('16 dec'), date('12', t.indexOf('12 mon')), date('95')];
    expect(keepSpans(spans, t, { numericThreshold: 0.9 }).map((s) => t.slice(s.start, s.end))).toEqual(['1-2 nov', '3-4', '16 dec', '12', '95']);
  });

  it('drops a date span that is one clock time (0415, 2200) and keeps years and dates', () => {
    const t = 'shift 0415-0700; at 2200; in 1998; 2015; on 3/4; 1845.';
    const date = (text: string): Span => span(t.indexOf(text), t.indexOf(text) + text.length, 0.95, 'DATE');
    const spans = [date('0415-'), date('2200'), date('1998'), date('2015'), date('3/4'), date('1845')];
    expect(keepSpans(spans, t, { numericThreshold: 0.9 }).map((s) => t.slice(s.start, s.end))).toEqual(['1998', '2015', '3/4']);
    // a time is a time under any label but DATE
    expect(keepSpans([{ ...date('2200'), label: 'ID' }], t, { numericThreshold: 0.9 })).toHaveLength(1);
  });
});

describe('trimSpans: the model spans cut back to the annotation convention', () => {
  const tails: SpanTails = {
    facilityHeads: [['hospital'], ['medical', 'center'], ['campus'], ['nursing', 'home']],
    namingWords: new Set(['the', 'general', 'memorial', 'of']),
    credentials: new Set(['rn', 'bsn', 'md']),
    abbreviations: new Set(['csru', 'micu', 'st']),
  };
  const plainWords = new Set(['returned', 'hand', 'today']);
  const run = (t: string, parts: [string, Span['label']][]): string[] => {
    const spans = parts.map(([p, label]) => span(t.indexOf(p), t.indexOf(p) + p.length, 0.9, label));
    return trimSpans(spans, t, tails, plainWords).map((s) => t.slice(s.start, s.end));
  };

  it('cuts generic facility words, credentials, lower-case plain words after a name and abbreviations after a date', () => {
    const t = 'From Pinecrest Medical Center to Oak campus, by jane doe bsn/rn. mr.okafor returned on 11/02 MICU; March 1 st.';
    expect(
      run(t, [
        ['Pinecrest Medical Center', 'LOCATION'],
        ['Oak campus', 'LOCATION'],
        ['jane doe bsn', 'NAME'],
        ['okafor returned', 'NAME'],
        ['11/02 MICU', 'DATE'],
        ['March 1 st', 'DATE'],
      ]),
    ).toEqual(['Pinecrest', 'Oak', 'jane doe', 'okafor', '11/02', 'March 1 st']);
  });

  it('keeps a span whole when cutting would leave only generic words, or nothing', () => {
    const t = 'At the General Hospital, then Memorial Hospital; Hospital; Smith Hand; Returned';
    expect(
      run(t, [
        ['the General Hospital', 'LOCATION'],
        ['Memorial Hospital', 'LOCATION'],
        ['Hospital;', 'LOCATION'],
        ['Smith Hand', 'NAME'],
        ['Returned', 'NAME'],
      ]),
    ).toEqual(['the General Hospital', 'Memorial Hospital', 'Hospital;', 'Smith Hand', 'Returned']);
  });

  it('never lengthens a span, never moves its start, and leaves other labels alone (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('Pinecrest', 'Hospital', 'medical', 'center', 'rn', 'returned', 'MICU', '11/02', 'Oak', ',', 'the'), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<Span['label']>('NAME', 'LOCATION', 'DATE', 'ID', 'ORGANIZATION'),
        (words, label) => {
          const t = words.join(' ');
          const s = span(0, t.length, 0.9, label);
          const [out] = trimSpans([s], t, tails, plainWords);
          expect(out!.start).toBe(0);
          expect(out!.end).toBeLessThanOrEqual(t.length);
          expect(out!.end).toBeGreaterThan(0);
          if (label === 'ID' || label === 'ORGANIZATION') expect(out).toBe(s);
          // the kept part starts with the first word, whatever was cut
          expect(t.slice(0, out!.end).startsWith(words[0]!.replace(/^,$/, ','))).toBe(true);
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });
});
