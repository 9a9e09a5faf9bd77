import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../src/core/span.js';
import { lookupOf, type RepeatLexicon, RepeatMemory, rememberable, repeatSpans } from '../../src/detect/repeats/index.js';
import { loadPipeline } from '../../src/node/createPipeline.js';

// A tiny lexicon (invented words): plain clinical words, English words, everything else unknown.
const PLAIN = new Set(['stool', 'bile', 'sputum', 'pt', 'seen', 'by', 'dr', 'called', 'wife', 'at', 'the']);
const ENGLISH = new Set(['green', 'will', 'north', 'rose', 'stool', 'the', 'at', 'by', 'called', 'seen', 'wife']);
const LEX: RepeatLexicon = {
  classes: { classes: [], classOf: (w: string) => (/^\d+$/.test(w) ? 6 : PLAIN.has(w.toLowerCase()) ? 1 : 5) },
  english: ENGLISH,
};
const OPTS = { minScore: 0.8 };

function span(text: string, phrase: string, label: Span['label'] = 'NAME', score = 0.9, from = 0): Span {
  const start = text.indexOf(phrase, from);
  if (start < 0) throw new Error(`no ${phrase}`);
  return { start, end: start + phrase.length, label, source: 'test', score };
}
const texts = (text: string, spans: readonly Span[]): string[] => spans.map((s) => text.slice(s.start, s.end));

describe('repeats: other occurrences of a confident name or place', () => {
  it.each([
    // [note, found phrase, label, score, expected added strings]
    ['Seen by Dr Kowalski. Kowalski called at 3.', 'Kowalski', 'NAME', 0.9, ['Kowalski']],
    ['Wife Anna Brzezinska called; ANNA BRZEZINSKA aware.', 'Anna Brzezinska', 'NAME', 0.9, ['ANNA BRZEZINSKA']],
    ["Dr Kowalski's note; Kowalski's plan.", 'Kowalski', 'NAME', 0.9, ["Kowalski"]],
    ['Transfer to Quenwick. quenwick aware.', 'Quenwick', 'LOCATION', 0.85, ['quenwick']],
    // Not confident enough: nothing spreads.
    ['Seen by Dr Kowalski. Kowalski called at 3.', 'Kowalski', 'NAME', 0.5, []],
    // Dates and numbers are rewritten per occurrence, never spread.
    ['On 3/4 seen; 3/4 again.', '3/4', 'DATE', 0.99, []],
    // A surname that is an English word, alone, never spreads ("Dr Green" vs "green stool").
    ['Seen by Dr Green. green stool x2.', 'Green', 'NAME', 0.95, []],
    // ... but a full name with an anchor word does.
    ['Seen by Will Zdunek. Will Zdunek called.', 'Will Zdunek', 'NAME', 0.9, ['Will Zdunek']],
    // Whole words only.
    ['Seen by Dr Kowal. Kowalski is someone else.', 'Kowal', 'NAME', 0.9, []],
    // Never across a line break.
    ['Seen by Anna Brzezinska.\nAnna\nBrzezinska', 'Anna Brzezinska', 'NAME', 0.9, []],
  ] as const)('%s', (text, phrase, label, score, expected) => {
    const found = [span(text, phrase, label, score)];
    const added = repeatSpans(text, found, lookupOf(rememberable(text, found, LEX, OPTS)), 'consistency/note', 0.8);
    expect(texts(text, added)).toEqual(expected);
    for (const a of added) expect(a).toMatchObject({ label, source: 'consistency/note' });
  });

  it('a word only the model found is not spread; a model word another detector agreed with, or two model words, are', () => {
    const text = 'Transfer to Quenwick. quenwick aware. Tova Zdunek here; Tova Zdunek left.';
    const model = (phrase: string, sources?: string[]): Span => ({ ...span(text, phrase, 'LOCATION', 0.95), source: 'ner/phi-ner', ...(sources ? { sources } : {}) });
    const spread = (found: Span[]): string[] => texts(text, repeatSpans(text, found, lookupOf(rememberable(text, found, LEX, OPTS)), 'c', 0.8));
    expect(spread([model('Quenwick')])).toEqual([]);
    expect(spread([model('Quenwick', ['ner/phi-ner'])])).toEqual([]);
    expect(spread([model('Quenwick', ['dict/places', 'ner/phi-ner'])])).toEqual(['quenwick']);
    expect(spread([{ ...span(text, 'Quenwick', 'LOCATION', 0.95), source: 'rules/x' }])).toEqual(['quenwick']);
    expect(spread([{ ...model('Tova Zdunek'), label: 'NAME' }])).toEqual(['Tova Zdunek']);
  });

  it('keeps the subtype and never overlaps what was already found', () => {
    const text = 'Dr Kowalski saw pt. Kowalski Kowalski.';
    const first = { ...span(text, 'Kowalski'), subtype: 'DOCTOR' };
    const second = span(text, 'Kowalski', 'NAME', 0.4, 4);
    const added = repeatSpans(text, [first, second], lookupOf(rememberable(text, [first, second], LEX, OPTS)), 'c', 0.8);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ start: text.lastIndexOf('Kowalski'), subtype: 'DOCTOR' });
  });

  it('run memory: a name found in one note is found in a later note, oldest strings forgotten first', () => {
    const memory = new RepeatMemory(2);
    const a = 'Seen by Dr Kowalski.';
    for (const r of rememberable(a, [span(a, 'Kowalski')], LEX, OPTS)) memory.add(r);
    const b = 'Kowalski called back.';
    expect(texts(b, repeatSpans(b, [], memory, 'consistency/run', 0.8))).toEqual(['Kowalski']);
    for (const name of ['Zdunek', 'Quenwick']) {
      const t = `Seen by Dr ${name}.`;
      for (const r of rememberable(t, [span(t, name)], LEX, OPTS)) memory.add(r);
    }
    expect(memory.size).toBe(2);
    expect(repeatSpans(b, [], memory, 'consistency/run', 0.8)).toEqual([]);
  });

  it('property: added spans are whole-word repeats of a remembered string and overlap nothing', () => {
    const word = fc.constantFrom('Kowalski', 'kowalski', 'KOWALSKI', 'Anna', 'green', 'stool', 'Zdunek', '12', 'Kowalskis');
    const gap = fc.constantFrom(' ', '  ', '\n', ', ', '. ', "'s ", '-');
    fc.assert(
      fc.property(fc.array(fc.tuple(word, gap), { minLength: 1, maxLength: 30 }), (parts) => {
        const text = `Seen by Dr Kowalski and Anna Zdunek. ${parts.map(([w, g]) => w + g).join('')}`;
        const found = [span(text, 'Kowalski'), span(text, 'Anna Zdunek')];
        const remembered = rememberable(text, found, LEX, OPTS);
        const added = repeatSpans(text, found, lookupOf(remembered), 'c', 0.8);
        const keys = new Set(remembered.map((r) => r.key));
        for (const s of added) {
          const str = text.slice(s.start, s.end);
          expect(keys.has(str.toLowerCase().replace(/[ \t]+/g, ' '))).toBe(true);
          expect(/[\p{L}\p{N}]/u.test(text[s.start - 1] ?? ' ') || /[\p{L}\p{N}]/u.test(text[s.end] ?? ' ')).toBe(false);
          expect(str).not.toMatch(/\n/);
        }
        const all = [...found, ...added].sort((x, y) => x.start - y.start);
        for (let i = 1; i < all.length; i++) expect(all[i]!.start).toBeGreaterThanOrEqual(all[i - 1]!.end);
      }),
    );
  });
});

describe('repeats through a pipeline (real word lists)', () => {
  // rules + dictionaries: the notes after the first have no cue these detectors read (the model
  // finds these alone, see the default pipeline's own tests), so only the run memory finds them.
  const NOTES = ['Seen by Dr. Wojciechowski.', 'wojciechowski aware of plan.', 'Transferred from Quenwick Hospital.', 'Back to quenwick tomorrow.', 'PLAN: WOJCIECHOWSKI.'];
  const found = async (consistency: { run: boolean }): Promise<string[][]> => {
    const p = await loadPipeline({ detectors: ['rules', 'dictionaries'], config: { consistency } });
    try {
      const out: string[][] = [];
      for (const n of NOTES) out.push((await p.analyze(n)).spans.map((s) => `${s.label} ${n.slice(s.start, s.end)}`));
      return out;
    } finally {
      await p.dispose();
    }
  };

  it('a name or place found with a cue in one note is redacted in later notes of the run', async () => {
    expect(await found({ run: true })).toEqual([
      ['NAME Wojciechowski'],
      ['NAME wojciechowski'],
      ['LOCATION Quenwick'],
      ['LOCATION quenwick'],
      ['NAME WOJCIECHOWSKI'],
    ]);
  });

  it('opt-out: consistency.run false keeps the notes independent', async () => {
    expect(await found({ run: false })).toEqual([['NAME Wojciechowski'], [], ['LOCATION Quenwick'], [], []]);
  });
});
