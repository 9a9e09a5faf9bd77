import { describe, expect, it } from 'vitest';
import { Values, caseStyleOf } from '../../corpora/generator/values.js';
import { generateNote } from '../../corpora/generator/notes.js';
import { mergeAdjacent, resurrogate, splitPatients, surrogateFor } from '../../corpora/generator/resurrogate.js';

const LABELS = new Set(['NAME', 'LOCATION', 'ORGANIZATION', 'PROFESSION', 'DATE', 'AGE', 'ID', 'CONTACT']);

describe('synthetic note generator', () => {
  const v = new Values(5);
  const notes = Array.from({ length: 200 }, (_, i) => generateNote(v, `t-${i}`));

  it('records sorted, disjoint, non-empty spans with known labels and no surrounding blanks', () => {
    for (const n of notes) {
      let prevEnd = 0;
      for (const s of n.spans) {
        expect(LABELS.has(s.label)).toBe(true);
        expect(s.start).toBeGreaterThanOrEqual(prevEnd);
        expect(s.end).toBeGreaterThan(s.start);
        expect(s.end).toBeLessThanOrEqual(n.text.length);
        const t = n.text.slice(s.start, s.end);
        expect(t.trim()).toBe(t);
        prevEnd = s.end;
      }
    }
  });

  it('covers every note style and every label', () => {
    expect(new Set(notes.map((n) => n.style))).toEqual(new Set(['nursing', 'discharge', 'radiology', 'letter', 'progress', 'social']));
    expect(new Set(notes.flatMap((n) => n.spans.map((s) => s.label)))).toEqual(LABELS);
  });

  it('writes some notes in ALL CAPS and some in mixed case', () => {
    const styles = new Set(notes.map((n) => caseStyleOf(n.text)));
    expect(styles.has('upper')).toBe(true);
    expect(styles.has('mixed')).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateNote(new Values(11), 'x');
    const b = generateNote(new Values(11), 'x');
    const c = generateNote(new Values(12), 'x');
    expect(b).toEqual(a);
    expect(c.text).not.toBe(a.text);
  });
});

describe('re-surrogation', () => {
  const text = 'PT SEEN BY DR SMITH ON 9/14. WIFE MARY JONES (617-555-0199) AT BEDSIDE. seen by dr. lee 03/02/2091.';
  const find = (s: string, label: string, from = 0) => {
    const start = text.indexOf(s, from);
    return { start, end: start + s.length, label };
  };
  const gold = {
    id: '1-1',
    text,
    spans: [find('SMITH', 'NAME'), find('9/14', 'DATE'), find('MARY', 'NAME'), find('JONES', 'NAME'),
      find('617-555-0199', 'CONTACT'), find('lee', 'NAME'), find('03/02/2091', 'DATE')],
  };

  it('joins word-level gold spans of one name separated by a blank', () => {
    const merged = mergeAdjacent(text, gold.spans);
    expect(merged.map((s) => text.slice(s.start, s.end))).toEqual(['SMITH', '9/14', 'MARY JONES', '617-555-0199', 'lee', '03/02/2091']);
  });

  it('replaces every span, keeps the text between spans and recomputes offsets', () => {
    for (let seed = 0; seed < 20; seed++) {
      const out = resurrogate(new Values(seed), gold, 'r');
      const originals = ['SMITH', 'MARY JONES', '617-555-0199'];
      expect(out.spans).toHaveLength(6);
      let rebuilt = '';
      let cursor = 0;
      for (const s of out.spans) {
        rebuilt += `${out.text.slice(cursor, s.start)}<>`;
        cursor = s.end;
      }
      rebuilt += out.text.slice(cursor);
      expect(rebuilt).toBe('PT SEEN BY DR <> ON <>. WIFE <> (<>) AT BEDSIDE. seen by dr. <> <>.');
      for (const o of originals) expect(out.text.includes(o)).toBe(false);
    }
  });

  it('keeps the case style and written format of the original value', () => {
    const v = new Values(3);
    for (let i = 0; i < 50; i++) {
      expect(caseStyleOf(surrogateFor(v, 'NAME', 'ROBBINSON'))).toBe('upper');
      expect(caseStyleOf(surrogateFor(v, 'NAME', 'lipper'))).toBe('lower');
      expect(surrogateFor(v, 'DATE', '9/14')).toMatch(/^\d{1,2}\/\d{1,2}$/);
      expect(surrogateFor(v, 'DATE', '03/02/2091')).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
      expect(surrogateFor(v, 'DATE', '1957')).toMatch(/^\d{4}$/);
      expect(surrogateFor(v, 'CONTACT', '617-555-0199')).toMatch(/^\d{3}-\d{3}-\d{4}$/);
      expect(surrogateFor(v, 'DATE', 'MARCH')).toMatch(/^[A-Z]+$/);
    }
  });

  it('splits by patient: no patient has notes on both sides, and the split is stable', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `${i % 40}-${i}`);
    const a = splitPatients(ids, 7, 0.2);
    expect(a.size).toBe(8);
    expect(splitPatients(ids, 7, 0.2)).toEqual(a);
    expect(splitPatients(ids, 8, 0.2)).not.toEqual(a);
  });
});
