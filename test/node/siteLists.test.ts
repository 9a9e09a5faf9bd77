import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { listEntries, loadSiteLists, parseCsv, readListsYaml } from '../../src/node/assets/siteLists.js';
import { loadPipeline } from '../../src/node/createPipeline.js';

// Invented site words throughout.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phi-site-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return name;
};
const site = (raw: object) => parseConfig({ site: raw }).site;

describe('site list files', () => {
  it('text lists: one entry per line, comments and blanks skipped, BOM dropped', () => {
    expect(listEntries('\uFEFFKestrel Ward\n# a comment\n\n  Orrin Clinic  # trailing\r\n', 'w.txt', 'term')).toEqual(['Kestrel Ward', 'Orrin Clinic']);
  });

  it('CSV rosters: a name column, or first and last columns', () => {
    expect(listEntries('Name,Role\n"Vell, Anya",RN\nTomas Quarrie,MD\n', 'r.csv', 'name')).toEqual(['Vell, Anya', 'Tomas Quarrie']);
    expect(listEntries('last_name,first_name\nVell,Anya\nQuarrie,\n', 'r.csv', 'name')).toEqual(['Vell, Anya', 'Quarrie']);
    expect(() => listEntries('role\nRN\n', 'r.csv', 'name')).toThrow(/^E181 r\.csv: a roster CSV needs/);
  });

  it('a malformed CSV row is refused by line, never quoted (E181)', () => {
    expect(() => listEntries('name\n"Vell, Anya\n', 'r.csv', 'name')).toThrow(/^E181 r\.csv: line 2: /);
    try {
      listEntries('name\n"Vell, Anya\n', 'r.csv', 'name');
    } catch (err) {
      expect((err as Error).message).not.toContain('Vell');
    }
  });

  it('parseCsv: quotes, doubled quotes, newlines inside quotes, CRLF', () => {
    expect(parseCsv('a,"b ""x"", c"\r\n"multi\nline",d\n')).toEqual([['a', 'b "x", c'], ['multi\nline', 'd']]);
  });

  it('reads deny lists, roster, allow list and a lists YAML; the fingerprint follows the bytes', () => {
    file('wards.txt', 'Kestrel Ward\n');
    file('staff.txt', 'Dr. Anya Vell\n');
    file('allow.txt', 'Orrin score\n');
    file('learned.yaml', 'deny:\n  LOCATION:\n    - { text: "Harrowgate House", notes: 3 }\nroster:\n  - Quarrie, Tomas\nallow: []\n');
    const config = site({ deny: [{ label: 'LOCATION', subtype: 'ROOM', file: 'wards.txt' }], roster: ['staff.txt'], allow: ['allow.txt'], lists: ['learned.yaml'] });
    const a = loadSiteLists(config, dir);
    expect(a.lists).toEqual({
      deny: [
        { label: 'LOCATION', subtype: 'ROOM', terms: ['Kestrel Ward'] },
        { label: 'LOCATION', subtype: 'LOCATION', terms: ['Harrowgate House'] },
      ],
      roster: ['Dr. Anya Vell', 'Quarrie, Tomas'],
      allow: ['Orrin score'],
    });
    file('wards.txt', 'Kestrel Ward\nFinch Ward\n');
    expect(loadSiteLists(config, dir).fingerprint).not.toBe(a.fingerprint);
    expect(loadSiteLists(site({}), dir).lists).toEqual({ deny: [], roster: [], allow: [] });
  });

  it.each([
    [{ roster: ['nowhere.txt'] }, /^E180 site roster list nowhere\.txt: cannot be read \(ENOENT\)/],
    [{ deny: [{ label: 'LOCATION', subtype: 'PHONE', file: 'x.txt' }] }, /^E180 site deny list x\.txt: subtype "PHONE" is not one of LOCATION/],
    [{ lists: ['bad.yaml'] }, /^E180 site lists bad\.yaml: deny\.LOCATION\.0: not a list of strings/],
  ])('refuses %j with a coded error naming the file, never an entry', (raw, message) => {
    file('x.txt', 'Kestrel\n');
    file('bad.yaml', 'deny:\n  LOCATION:\n    - [Secret Place]\n');
    expect(() => loadSiteLists(site(raw), dir)).toThrow(message);
    try {
      loadSiteLists(site(raw), dir);
    } catch (err) {
      expect((err as Error).message).not.toContain('Secret');
    }
  });

  it('readListsYaml takes what lists learn writes', () => {
    expect(readListsYaml('deny: {}\nroster:\n  - { name: "Vell", notes: 2, count: 2, caught: 0, notPhi: 0 }\nallow:\n  []\n', 'l.yaml')).toEqual({ deny: {}, roster: ['Vell'], allow: [] });
  });
});

describe('site lists in a pipeline', () => {
  const PACK = 'pack: site-extra\ndescription: a site pack\nrules:\n  - id: badge\n    label: ID\n    subtype: ID\n    notes: an invented staff badge format, for the test\n    patterns:\n      - { name: badge, regex: "BDG-\\\\d{4}", score: 0.9 }\n';

  it('a site rule pack adds to the bundled packs; bundled: false replaces them', async () => {
    mkdirSync(join(dir, 'packs'));
    file('packs/site.yaml', PACK);
    const added = await loadPipeline({ config: { detectors: ['rules'], rules: { packs: ['packs'] } }, baseDir: dir });
    expect((await added.redact('badge BDG-1234, call 617-555-0142')).text).toBe('badge [ID], call [CONTACT]');
    const replaced = await loadPipeline({ config: { detectors: ['rules'], rules: { packs: ['packs'], bundled: false } }, baseDir: dir });
    expect((await replaced.redact('badge BDG-1234, call 617-555-0142')).text).toBe('badge [ID], call 617-555-0142');
  });

  it('deny lists and roster redact whatever detectors run; their fingerprint is in the pipeline', async () => {
    file('wards.txt', 'Kestrel Ward\n');
    file('staff.csv', 'first,last\nAnya,Vell\n');
    const p = await loadPipeline({ config: { detectors: ['rules'], site: { deny: [{ label: 'LOCATION', file: 'wards.txt' }], roster: ['staff.csv'] } }, baseDir: dir });
    expect((await p.redact('To KESTREL WARD; A. Vell aware, Vel agrees.')).text).toBe('To [LOCATION]; [NAME] aware, Vel agrees.');
    expect(Object.keys(p.fingerprints())).toContain('site/lists');
  });

  it('the allow list beats the rules, the word lists and the deny lists, but not a known identifier', async () => {
    file('wards.txt', 'Orrin\n');
    file('allow.txt', 'Orrin\nMarch\n');
    const p = await loadPipeline({
      config: { detectors: ['rules', 'dictionaries'], site: { deny: [{ label: 'LOCATION', file: 'wards.txt' }], allow: ['allow.txt'] } },
      baseDir: dir,
    });
    // Orrin: a deny-list word; March: a month the date rules read; both allowed at this site.
    expect((await p.redact('Orrin grade 2 since March. Call 617-555-0142.')).text).toBe('Orrin grade 2 since March. Call [CONTACT].');
    expect((await p.redact('Orrin is the patient.', { known: { NAME: ['Orrin'] } })).text).toBe('[NAME] is the patient.');
    expect(Object.keys(p.fingerprints())).toContain('site/allow');
  });
});

describe('the allow list against any detector', () => {
  it('a detector certain of a span (score 1, even a safe-term override) still loses to the allow list', async () => {
    const { Pipeline } = await import('../../src/pipeline.js');
    const { compileAllowList } = await import('../../src/detect/site/index.js');
    const certain = { id: 'test/certain', kind: 'phi' as const, labels: ['NAME' as const], detect: (t: string) => [{ start: 0, end: t.length, label: 'NAME' as const, source: 'test/certain', score: 1 }] };
    const p = await Pipeline.create([certain], parseConfig({ detectors: ['rules'], consistency: { note: false, run: false } }), {}, { allow: { index: compileAllowList(['Orrin']), fingerprint: 'x' } });
    expect((await p.redact('Orrin')).text).toBe('Orrin');
    expect((await p.redact('Orrin Tal')).text).toBe('Orrin [NAME]');
  });
});

describe('site steps on long notes', () => {
  it('a long note with an allow list or known identifiers comes out of redactInPieces exactly as from redact', async () => {
    file('allow.txt', 'Orrin\n');
    const p = await loadPipeline({ config: { detectors: ['rules'], site: { allow: ['allow.txt'] } }, baseDir: dir });
    p.segmentChars = 200;
    p.segmentOverlap = 20;
    const text = Array.from({ length: 40 }, (_, i) => `Orrin grade ${i}; Ysolde Parrin called 617-555-01${String(i).padStart(2, '0')}.\n`).join('');
    for (const ctx of [{}, { known: { NAME: ['Ysolde Parrin'] } }]) {
      const whole = await p.redact(text, ctx);
      const pieces: string[] = [];
      await p.redactInPieces(text, ctx, { write: (piece) => void pieces.push(piece) });
      expect(pieces.join('')).toBe(whole.text);
    }
    expect((await p.redact(text, { known: { NAME: ['Ysolde Parrin'] } })).text).not.toContain('Parrin');
  });
});
