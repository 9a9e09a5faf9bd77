import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNote } from '../../corpora/generator/notes.js';
import { Values } from '../../corpora/generator/values.js';
import { parseConfig } from '../../src/core/config.js';
import { CONFUSABLE_LETTERS } from '../../src/core/confusables.js';
import { normalizeForDetection } from '../../src/core/normalize.js';
import { loadPipeline } from '../../src/node/createPipeline.js';
import type { Pipeline } from '../../src/pipeline.js';

/**
 * Invisible and look-alike characters (issue 17): detectors read a normalised view of the note
 * (src/core/normalize.ts) and spans are mapped back onto the original, so hiding characters in
 * PHI or swapping its letters for look-alikes never redacts less. Notes are the synthetic
 * generator's (corpora/generator), run through rules + dictionaries (fast); the model is tried
 * on the reported cases at the end. All text is invented.
 */

const ZWSP = '\u200b';
const zeroWidthBetween = (s: string): string => [...s].join(ZWSP);
const fullWidth = (s: string): string => s.replace(/[!-~]/gu, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const mathBold = (s: string): string =>
  s.replace(/[A-Za-z0-9]/gu, (c) => {
    const k = c.charCodeAt(0);
    return String.fromCodePoint(k >= 97 ? 0x1d41a + k - 97 : k >= 65 ? 0x1d400 + k - 65 : 0x1d7ce + k - 48);
  });

/** Every format character (Cf) and default-ignorable code point: what may be slipped into a note unseen. */
const HIDDEN: string[] = [];
for (let cp = 0x80; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const ch = String.fromCodePoint(cp);
  if (/[\p{Cf}\p{Default_Ignorable_Code_Point}]/u.test(ch) && !/\p{Cn}/u.test(ch)) HIDDEN.push(ch);
}

/** For each ASCII letter or digit, characters a reader takes for it: look-alikes, full-width, mathematical bold. */
const LOOK_ALIKES = new Map<string, string[]>();
const addLookAlike = (ascii: string, ch: string): void => {
  LOOK_ALIKES.set(ascii, [...(LOOK_ALIKES.get(ascii) ?? []), ch]);
};
for (const [cp, ascii] of CONFUSABLE_LETTERS) addLookAlike(ascii, String.fromCodePoint(cp));
for (let k = 0x21; k <= 0x7e; k++) {
  const c = String.fromCharCode(k);
  if (/[A-Za-z0-9]/u.test(c)) {
    addLookAlike(c, fullWidth(c));
    addLookAlike(c, mathBold(c));
  }
}
for (let d = 0; d <= 9; d++) addLookAlike(String(d), String.fromCharCode(0x0660 + d)); // Arabic-Indic digits

interface Edit {
  readonly at: number;
  readonly remove: number;
  readonly insert: string;
}
/** Applies non-overlapping edits; `moved(i)` is where original character i now starts. */
function applyEdits(text: string, edits: readonly Edit[]): { text: string; moved: (i: number) => number } {
  const sorted = [...edits].sort((a, b) => a.at - b.at);
  let out = '';
  let cursor = 0;
  for (const e of sorted) {
    out += text.slice(cursor, e.at) + e.insert;
    cursor = e.at + e.remove;
  }
  out += text.slice(cursor);
  const moved = (i: number): number => {
    let shift = 0;
    for (const e of sorted) {
      // An insertion at i lands before character i; a replacement of i keeps i at the replacement's start.
      if (e.remove === 0 ? e.at <= i : e.at < i) shift += e.insert.length - e.remove;
    }
    return i + shift;
  };
  return { text: out, moved };
}

const covered = (spans: readonly { start: number; end: number }[], i: number): boolean => spans.some((s) => s.start <= i && i < s.end);
/** The original letters and digits the spans redact. */
const redactedAlnum = (text: string, spans: readonly { start: number; end: number }[]): number[] =>
  [...text.matchAll(/[A-Za-z0-9]/gu)].map((m) => m.index).filter((i) => covered(spans, i));

describe('hidden and look-alike characters never reduce what is redacted (rules + dictionaries, generated notes)', () => {
  let pipeline: Pipeline;
  const v = new Values(1717);
  const notes = Array.from({ length: 24 }, (_, i) => generateNote(v, `h-${i}`).text);
  const baseline: { spans: { start: number; end: number }[] }[] = [];

  beforeAll(async () => {
    pipeline = await loadPipeline({ detectors: ['rules', 'dictionaries'] });
    for (const a of await pipeline.analyzeBatch(notes)) baseline.push({ spans: a.spans.map((s) => ({ start: s.start, end: s.end })) });
  });
  afterAll(async () => pipeline?.dispose());

  it('the generated notes are plain ASCII (no view: their output is what it was before normalisation)', () => {
    for (const n of notes) expect(normalizeForDetection(n)).toBeUndefined();
    expect(baseline.reduce((k, b) => k + b.spans.length, 0)).toBeGreaterThan(notes.length);
  });

  /** Runs `edit` on a detected span of a note and checks every letter and digit redacted before is redacted after. */
  const neverLess = async (noteIx: number, spanPick: number, makeEdits: (text: string, span: { start: number; end: number }) => Edit[]) => {
    const text = notes[noteIx]!;
    const spans = baseline[noteIx]!.spans;
    if (spans.length === 0) return;
    const span = spans[spanPick % spans.length]!;
    const { text: edited, moved } = applyEdits(text, makeEdits(text, span));
    const after = (await pipeline.analyze(edited)).spans;
    const lost = redactedAlnum(text, spans).filter((i) => !covered(after, moved(i)));
    expect(lost, `note ${noteIx}: characters no longer redacted at ${lost.join(',')}`).toEqual([]);
  };

  it('inserting format characters anywhere inside or at the edges of detected PHI (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(notes.length - 1),
        fc.array(fc.record({ span: fc.nat(), at: fc.double({ min: 0, max: 1, noNaN: true }), ch: fc.constantFrom(...HIDDEN) }), { minLength: 1, maxLength: 4 }),
        async (noteIx, inserts) => {
          await neverLess(noteIx, inserts[0]!.span, (_text, first) => {
            const spans = baseline[noteIx]!.spans;
            return inserts.map((ins, k) => {
              const s = k === 0 ? first : spans[ins.span % spans.length]!;
              return { at: s.start + Math.round(ins.at * (s.end - s.start)), remove: 0, insert: ins.ch };
            });
          });
        },
      ),
      { numRuns: 120 },
    );
  });

  it('a zero-width space between every character of detected PHI (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(notes.length - 1), fc.nat(), async (noteIx, spanPick) => {
        await neverLess(noteIx, spanPick, (_text, s) => Array.from({ length: s.end - s.start - 1 }, (_, k) => ({ at: s.start + k + 1, remove: 0, insert: ZWSP })));
      }),
      { numRuns: 60 },
    );
  });

  it('swapping letters and digits of detected PHI for look-alikes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(notes.length - 1), fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), async (noteIx, spanPick, picks) => {
        await neverLess(noteIx, spanPick, (text, s) => {
          const edits: Edit[] = [];
          for (let i = s.start; i < s.end; i++) {
            const options = LOOK_ALIKES.get(text[i]!);
            const pick = picks[(i - s.start) % picks.length]!;
            // Each character is swapped or not by its pick; a run of swaps covers whole words.
            if (options && pick % 3 !== 0) edits.push({ at: i, remove: 1, insert: options[pick % options.length]! });
          }
          return edits;
        });
      }),
      { numRuns: 120 },
    );
  });
});

describe('the reported cases', () => {
  let tagged: Pipeline;
  let rulesOnly: Pipeline;
  const KEY = Buffer.from('hidden-characters test key 32 b.');
  beforeAll(async () => {
    tagged = await loadPipeline({ config: { ner: { threads: 1 } } }); // default detectors: rules, dictionaries, ner
    rulesOnly = await loadPipeline({ config: parseConfig({ policy: { DEFAULT: 'surrogate' } }), detectors: ['rules', 'dictionaries'], key: KEY });
  });
  afterAll(async () => {
    await tagged?.dispose();
    await rulesOnly?.dispose();
  });

  it('runs the model', () => {
    expect(tagged.detectors.map((d) => d.id.split('/')[0])).toContain('ner');
  });

  it.each([
    ['a zero-width space inside a surname', `Pt John Kowal${ZWSP}ski was seen today.`, 'Pt [NAME] was seen today.'],
    ['a zero-width space between every digit of an SSN', `SSN ${zeroWidthBetween('412-73-5560')} on file.`, 'SSN [ID] on file.'],
    ['a zero-width space between every digit of a phone number', `Call ${zeroWidthBetween('617-555-0199')} tomorrow.`, 'Call [CONTACT] tomorrow.'],
    ['Cyrillic look-alike letters in a name', 'Pt J\u043ehn K\u043ew\u0430lski was seen today.', 'Pt [NAME] was seen today.'],
    ['a full-width name', `Pt ${fullWidth('John Kowalski')} was seen today.`, 'Pt [NAME] was seen today.'],
    ['a mathematical-bold name', `Pt ${mathBold('John Kowalski')} was seen today.`, 'Pt [NAME] was seen today.'],
    ['a full-width SSN', `SSN ${fullWidth('412-73-5560')} on file.`, 'SSN [ID] on file.'],
  ])('default pipeline (model included): %s', async (_name, note, expected) => {
    const r = await tagged.redact(note);
    expect(r.text).toBe(expected);
    expect(r.text.split('\n').length).toBe(note.split('\n').length);
  });

  it('masking keeps the note’s length and masks the hidden characters inside the span too', async () => {
    const masker = await loadPipeline({ config: { policy: { DEFAULT: 'mask' } }, detectors: ['rules', 'dictionaries'] });
    try {
      const note = `Pt John Kowal${ZWSP}ski was seen.\r\nSSN ${zeroWidthBetween('412-73-5560')}.`;
      const r = await masker.redact(note);
      expect(r.text).toBe(`Pt **** ${'*'.repeat(9)} was seen.\r\nSSN ${'*'.repeat(21)}.`);
      expect(r.text.length).toBe(note.length);
    } finally {
      await masker.dispose();
    }
  });

  it('surrogates are drawn from what was read: the same as for the plain note, never the hidden digits back', async () => {
    const plain = await rulesOnly.redact('SSN 412-73-5560, call 617-555-0199, seen by Dr. John Kowalski.', { scope: 'p1' });
    const hidden = await rulesOnly.redact(`SSN ${fullWidth('412-73-5560')}, call ${fullWidth('617-555-0199')}, seen by Dr. John Kowal${ZWSP}ski.`, { scope: 'p1' });
    expect(hidden.text).toBe(plain.text);
    expect(hidden.text).not.toMatch(/412|5560|0199|Kowal|[\uff10-\uff19]/u);
  });

  it('a note without hidden or look-alike characters is untouched by normalisation: same spans as its detectors give', async () => {
    const note = 'Pt José Peña, 38.5 °C, seen 3/4/2021 – “stable”.';
    expect(normalizeForDetection(note)).toBeUndefined();
    const r = await tagged.redact(note);
    expect(r.text.startsWith('Pt [NAME]')).toBe(true);
  });
});
