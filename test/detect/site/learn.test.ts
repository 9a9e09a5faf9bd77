import { describe, expect, it } from 'vitest';
import { learnLists, type LearnDoc } from '../../../src/detect/site/learn.js';

// Invented notes: a ward that recurs, a staff surname that recurs, a patient name that recurs,
// an abbreviation that is a place once and a clinical word often, and a recurring false alarm.
function doc(text: string, phi: [string, 'LOCATION' | 'NAME', string][], falseAlarms: string[] = []): LearnDoc {
  const spans = phi.map(([s, label, subtype]) => {
    const start = text.indexOf(s);
    return { start, end: start + s.length, label, subtype };
  });
  const pred = falseAlarms.map((s) => {
    const start = text.indexOf(s);
    return { start, end: start + s.length };
  });
  return { text, spans, pred };
}

const docs: LearnDoc[] = [
  doc('Moved to Pellory 4 today. Seen by Dr Quintavalle. Rosamund resting. Brisk reflex.', [['Pellory', 'LOCATION', 'Location'], ['Quintavalle', 'NAME', 'HCPName'], ['Rosamund', 'NAME', 'PTName']], ['Brisk']),
  doc('Back to Pellory. Quintavalle aware. Rosamund ate. QX noted. Brisk cough.', [['Pellory', 'LOCATION', 'Location'], ['Quintavalle', 'NAME', 'HCPName'], ['Rosamund', 'NAME', 'PTName'], ['QX', 'LOCATION', 'Location']], ['Brisk']),
  doc('QX changes on the monitor. QX again. Brisk walk.', [], ['Brisk']),
  doc('QX resolved. Pellory staff called Dr Quintavalle.', [['Pellory', 'LOCATION', 'Location'], ['Quintavalle', 'NAME', 'HCPName']]),
  doc('QX stable after QX run.', [['QX', 'LOCATION', 'Location']]),
];

describe('learnLists', () => {
  const p = learnLists(docs);

  it('proposes the recurring ward and staff surname, with counts', () => {
    expect(p.deny.LOCATION?.map((c) => c.text)).toEqual(['Pellory']);
    expect(p.deny.LOCATION?.[0]).toMatchObject({ notes: 3, count: 3, caught: 0, notPhi: 0 });
    expect(p.roster.map((c) => c.text)).toEqual(['Quintavalle']);
  });

  it("leaves out a patient's own name and an entry that is mostly not PHI in the gold", () => {
    expect(p.roster.map((c) => c.text)).not.toContain('Rosamund');
    expect(p.deny.LOCATION?.map((c) => c.text)).not.toContain('QX');
  });

  it('proposes a false alarm for the allow list only when it recurs in enough notes and is never PHI', () => {
    expect(p.allow.map((c) => c.text)).toEqual(['Brisk']);
    expect(learnLists(docs, { minAllowNotes: 4 }).allow).toEqual([]);
  });

  it('a string in one note only is not proposed', () => {
    expect(learnLists(docs.slice(0, 1)).roster).toEqual([]);
  });
});
