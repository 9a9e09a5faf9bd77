import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Label } from '../../src/core/labels.js';
import type { Span } from '../../src/core/span.js';
import { createSurrogateOperator } from '../../src/transform/operators/surrogate.js';

/**
 * Issue 17: the surrogate promises hold whatever detector found the value. The NER model reports
 * IDs and contacts without a subtype, in shapes the rules never see; these properties build such
 * spans (detector `ner/phi-ner`, no subtype) and check every promise on the output.
 */

const keyArb = fc.uint8Array({ minLength: 16, maxLength: 32 });
const scopeArb = fc.string({ maxLength: 8 });
const nerSpan = (label: Label, text: string, subtype?: string): Span => ({
  start: 0,
  end: text.length,
  label,
  ...(subtype !== undefined ? { subtype } : {}),
  source: 'ner/phi-ner',
  score: 0.9,
});

/** 9 digits written like an SSN (the same regex a reader would use). */
const SSN_RUN = /(?<!\d)\d{3}([- .]?)\d{2}\1\d{4}(?!\d)/gu;
const neverIssued = (run: string): boolean => /^9\d\d(0[1-9]|[1-3]\d|4\d)\d{4}$/u.test(run.replace(/\D/gu, ''));

const d = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^\\d{${n}}$`, 'u'));
const ssnArb = fc
  .tuple(d(3), fc.constantFrom('-', ' ', '.', ''), d(2), d(4))
  .map(([a, s, b, c]) => `${a}${s}${b}${s}${c}`);
/** Around the number: what a model span may take with it. */
const ssnContextArb = fc.tuple(fc.constantFrom('', 'SSN ', 'SSN: ', 'ss# ', '#', '(', 'no. '), ssnArb, fc.constantFrom('', ')', '.'));

describe('SSN-shaped surrogates from any detector are in the never-issued 9xx area', () => {
  it('model IDs, contacts and OTHER spans shaped like an SSN (with or without words around them)', () => {
    fc.assert(
      fc.property(keyArb, scopeArb, ssnContextArb, fc.constantFrom<Label>('ID', 'CONTACT', 'OTHER'), fc.constantFrom(undefined, 'ID', 'MRN', 'SSN'), (key, scope, [pre, ssn, post], label, subtype) => {
        const op = createSurrogateOperator(key);
        const original = `${pre}${ssn}${post}`;
        const out = op(nerSpan(label, original, label === 'ID' ? subtype : undefined), original, { scope });
        if (out.startsWith('[')) return; // tagged: no digits at all
        const runs = [...out.matchAll(SSN_RUN)].map((m) => m[0]);
        expect(runs.length).toBeGreaterThan(0);
        for (const run of runs) expect(neverIssued(run), `${run} from a ${label}`).toBe(true);
        expect(out.length).toBe(original.length);
      }),
      { numRuns: 300 },
    );
  });

  it('any model ID, an SSN-shaped run inside it or not: every SSN-shaped run in its surrogate is never-issued', () => {
    const embedded = fc.tuple(fc.stringMatching(/^[A-Za-z]{1,4}[-#: ]?$/u), ssnArb, fc.stringMatching(/^([-/ ][A-Za-z]{1,3})?$/u)).map((p) => p.join(''));
    fc.assert(
      fc.property(keyArb, scopeArb, fc.oneof(embedded, fc.stringMatching(/^[A-Za-z0-9#:. -]{1,30}$/u)), (key, scope, original) => {
        fc.pre(original.trim().length > 0);
        const out = createSurrogateOperator(key)(nerSpan('ID', original), original, { scope });
        for (const m of out.matchAll(SSN_RUN)) expect(neverIssued(m[0])).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('examples: a bare 9-digit model ID and a spaced SSN', () => {
    const op = createSurrogateOperator(Buffer.from('model surrogate key, 32 bytes...'));
    for (const original of ['412567890', '412 56 7890', '412.56.7890', 'SSN 412-56-7890']) {
      const out = op(nerSpan('ID', original), original, { scope: 'p1' });
      const run = out.match(SSN_RUN)?.[0];
      expect(run, original).toBeDefined();
      expect(neverIssued(run!), `${original} → ${out}`).toBe(true);
    }
  });
});

/** NANP numbers in the shapes notes use, optionally with an extension. */
const phoneArb = fc
  .tuple(
    fc.constantFrom('', '+1 ', '1-'),
    fc.stringMatching(/^[2-9]\d{2}$/u),
    d(3),
    d(4),
    fc.constantFrom<[string, string]>(['', ''], ['(', ') '], ['', '-'], ['', '.'], ['', ' ']),
  )
  .map(([cc, area, exch, line, [open, sep]]) => `${cc}${open}${area}${open === '(' ? sep : sep}${exch}${sep === ') ' ? '-' : sep || '-'}${line}`);
const extArb = fc.tuple(fc.constantFrom(' ext. ', ' ext ', ' x', 'x', ' extension ', ', ext. ', ' EXT ', ' (ext. '), fc.stringMatching(/^\d{1,5}$/u));

describe('phone surrogates stay in 555-01xx whatever found them; extensions keep their word', () => {
  it('model contacts (and model IDs shaped like phones), with and without an extension', () => {
    fc.assert(
      fc.property(keyArb, scopeArb, phoneArb, fc.option(extArb, { nil: undefined }), fc.constantFrom<Label>('CONTACT', 'ID'), (key, scope, phone, ext, label) => {
        const close = ext?.[0].includes('(') ? ')' : '';
        const original = ext ? `${phone}${ext[0]}${ext[1]}${close}` : phone;
        const out = createSurrogateOperator(key)(nerSpan(label, original), original, { scope });
        expect(out.length).toBe(original.length);
        const main = ext ? out.slice(0, phone.length) : out;
        const digits = main.replace(/\D/gu, '');
        expect(digits.slice(-7, -2), `${original} → ${out}`).toBe('55501');
        // Letters, separators and the extension's word are exactly where they were.
        expect(out.replace(/\d/gu, '0')).toBe(original.replace(/\d/gu, '0'));
        expect(out).not.toBe(original);
      }),
      { numRuns: 300 },
    );
  });

  it('"Call 617-555-0199 ext. 42": a 555-01xx number, "ext." kept', () => {
    const op = createSurrogateOperator(Buffer.from('model surrogate key, 32 bytes...'));
    for (const [original, word] of [
      ['617-555-0199 ext. 42', ' ext. '],
      ['617-555-0199 x42', ' x'],
      ['617-555-0199 extension 42', ' extension '],
      ['(617) 555-0199, ext 4321', ', ext '],
    ] as const) {
      const out = op(nerSpan('CONTACT', original), original, { scope: 'p1' });
      expect(out, original).toMatch(/^\(?\d{3}\)? ?-?555-01\d\d/u);
      expect(out).toContain(word);
    }
  });
});
