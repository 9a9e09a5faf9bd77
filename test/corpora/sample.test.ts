import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSample, parseMarked, SAMPLE_DIR } from '../../corpora/sample/build.js';
import { LABELS, SUBTYPES, type Label } from '../../src/core/labels.js';

describe('corpora/sample (the bundled synthetic notes)', () => {
  const { notes, gold } = buildSample();

  it('the .txt files and gold.jsonl are up to date with the marked-up sources', () => {
    expect(notes).toHaveLength(6);
    for (const n of notes) expect(readFileSync(join(SAMPLE_DIR, `${n.id}.txt`), 'utf8')).toBe(n.text);
    expect(readFileSync(join(SAMPLE_DIR, 'gold.jsonl'), 'utf8')).toBe(gold);
  });

  it('every gold span quotes its text, uses our labels and subtypes, and spans do not overlap', () => {
    for (const n of notes) {
      n.spans.forEach((s, i) => {
        expect(n.text.slice(s.start, s.end)).toBe(s.text);
        expect(LABELS).toContain(s.label);
        expect(SUBTYPES[s.label as Label]).toContain(s.subtype);
        if (i > 0) expect(s.start).toBeGreaterThanOrEqual(n.spans[i - 1]!.end);
      });
    }
  });

  it.each([
    ['plain text', 'no marks', 'no marks', []],
    ['one mark', 'Dr. {NAME/DOCTOR|Ames} in', 'Dr. Ames in', [{ start: 4, end: 8, label: 'NAME', subtype: 'DOCTOR', text: 'Ames' }]],
    ['adjacent marks', '{DATE/DATE|1/2}{ID/MRN|77}', '1/2' + '77', [
      { start: 0, end: 3, label: 'DATE', subtype: 'DATE', text: '1/2' },
      { start: 3, end: 5, label: 'ID', subtype: 'MRN', text: '77' },
    ]],
  ])('parseMarked: %s', (_name, marked, text, spans) => {
    expect(parseMarked('t', marked)).toEqual({ id: 't', text, spans });
  });

  it.each([['an unclosed mark', 'a {NAME/PATIENT|b'], ['a stray brace', 'a } b']])('parseMarked refuses %s', (_name, marked) => {
    expect(() => parseMarked('t', marked)).toThrow(/t: unbalanced markup/);
  });
});
