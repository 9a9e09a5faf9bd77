import { describe, expect, it } from 'vitest';
import { patientIdFor, patientIdFromFolder, patientIdFromPath, patientIdFromRecord } from '../../src/transform/scope.js';

describe('patient id helpers', () => {
  it.each([
    ['notes/p123_2021-03-04.txt', '^(p\\d+)_', 'p123'],
    ['C:\\notes\\p77_a.txt', '^(p\\d+)_', 'p77'],
    ['notes/visit-9-patient-42.txt', 'patient-(?<patient>\\d+)', '42'],
    ['notes/MRN0001.txt', '^MRN(\\d+)', '0001'],
  ])('%s with /%s/ → %s', (path, pattern, id) => {
    expect(patientIdFromPath(path, pattern)).toBe(id);
  });

  it.each([
    ['notes/readme.txt', '^(p\\d+)_'],
    ['p123_x/note.txt', '^(p\\d+)_'], // only the base name is matched, not folders
    ['', '^(p\\d+)_'],
    ['notes/p_.txt', '^p(\\d*)_'], // empty capture is no id
  ])('%s with /%s/ → no id', (path, pattern) => {
    expect(patientIdFromPath(path, pattern)).toBeUndefined();
  });

  it('reads the parent folder', () => {
    expect(patientIdFromFolder('notes/p123/2021-03-04.txt')).toBe('p123');
    expect(patientIdFromFolder('/abs/p9/n.txt')).toBe('p9');
    expect(patientIdFromFolder('note.txt')).toBeUndefined();
  });

  it('reads a JSONL field, nested or numeric', () => {
    expect(patientIdFromRecord({ patient_id: 'A1' }, 'patient_id')).toBe('A1');
    expect(patientIdFromRecord({ meta: { pid: 7 } }, 'meta.pid')).toBe('7');
    expect(patientIdFromRecord({ patient_id: '' }, 'patient_id')).toBeUndefined();
    expect(patientIdFromRecord({ patient_id: null }, 'patient_id')).toBeUndefined();
    expect(patientIdFromRecord({ patient_id: { x: 1 } }, 'patient_id')).toBeUndefined();
    expect(patientIdFromRecord('text', 'patient_id')).toBeUndefined();
    expect(patientIdFromRecord({}, 'meta.pid')).toBeUndefined();
  });

  it('dispatches on the configured source', () => {
    expect(patientIdFor({ from: 'field', field: 'pid' }, { record: { pid: 'x' } })).toBe('x');
    expect(patientIdFor({ from: 'folder' }, { path: 'a/b/c.txt' })).toBe('b');
    expect(patientIdFor({ from: 'filename', pattern: '^(\\w+)\\.' }, { path: 'a/b/c.txt' })).toBe('c');
    expect(patientIdFor({ from: 'field', field: 'pid' }, { path: 'a/b/c.txt' })).toBeUndefined();
  });
});
