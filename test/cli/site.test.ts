import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeIO } from './fakeIO.js';

// Site adaptation through the CLI (issue 16). Invented identifiers; the known values must never
// appear in any output file, manifest, audit or message.
const SECRET = ['Ysolde', 'Parrin', '4410023'];

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-site-cli-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));
const write = (name: string, text: string): void => {
  mkdirSync(join(cwd, name, '..'), { recursive: true });
  writeFileSync(join(cwd, name), text);
};

/** Every file under `dir`, with its text. */
function allFiles(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile())
    .map((p) => [p, readFileSync(p, 'utf8')]);
}

function expectNoSecret(texts: readonly string[]): void {
  for (const t of texts) for (const s of SECRET) expect(t).not.toContain(s);
}

describe('known identifiers', () => {
  it('stdin JSONL: the field is read, its values redacted, the field dropped from the output', async () => {
    const lines = [
      JSON.stringify({ id: 1, text: 'ysolde parrin resting; Y. Parrin ate; MRN 441 0023.', phi: { names: ['Parrin, Ysolde'], mrn: '4410023' }, ward: 'w1' }),
      JSON.stringify({ id: 2, text: 'No identifiers known here.' }),
    ].join('\n');
    const f = fakeIO({ cwd, stdin: `${lines}\n` });
    const { exitCode } = await run(['redact', '-', '--format', 'jsonl', '--detectors', 'rules', '--audit', 'audit.json'], f.io);
    expect(exitCode).toBe(0);
    expect(f.stdout()).toBe(
      '{"id":1,"text":"[NAME] resting; [NAME] ate; MRN [ID].","ward":"w1"}\n{"id":2,"text":"No identifiers known here."}\n',
    );
    expectNoSecret([f.stdout(), f.stderr(), readFileSync(join(cwd, 'audit.json'), 'utf8')]);
  });

  it('stdin JSONL: an unreadable field fails that record (E182, by line, no value), the others come out', async () => {
    const lines = [JSON.stringify({ text: 'Ysolde here', phi: { nickname: 'Ysolde' } }), JSON.stringify({ text: 'fine' })].join('\n');
    const f = fakeIO({ cwd, stdin: `${lines}\n` });
    const { exitCode } = await run(['redact', '-', '--format', 'jsonl', '--detectors', 'rules'], f.io);
    expect(exitCode).toBe(1);
    expect(f.stdout()).toBe('{"text":"fine"}\n');
    expect(f.stderr()).toContain('E182 line 1: field "phi" has an unknown key (not repeated: it could be PHI)');
    expectNoSecret([f.stdout(), f.stderr()]);
  });

  it.each([
    ['known.jsonl', `${JSON.stringify({ file: 'ward/a.txt', phi: { names: ['Ysolde Parrin'], mrn: '4410023' } })}\n`],
    ['known.csv', 'file,names,mrn\nward/a.txt,Ysolde Parrin,\nward/a.txt,,4410023\n'],
  ])('a folder run takes a sidecar (%s): only the named note gets its identifiers; none reaches manifest, audit or outputs', async (name, sidecar) => {
    write('in/ward/a.txt', 'Ysolde Parrin seen. MRN 4410023. Parrin stable.\n');
    write('in/b.txt', 'Plain note.\n');
    write(name, sidecar);
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['redact', 'in', '--out', 'out', '--known', name, '--detectors', 'rules', '--workers', '1', '--quiet'], f.io);
    expect(exitCode).toBe(0);
    expect(readFileSync(join(cwd, 'out', 'ward', 'a.txt'), 'utf8')).toBe('[NAME] seen. MRN [ID]. [NAME] stable.\n');
    expectNoSecret([...allFiles(join(cwd, 'out')).map(([, t]) => t), f.stdout(), f.stderr()]);
  });

  it('a JSONL file in a folder run: each record\'s field is used and dropped; an unreadable one leaves its record out (E182, by line)', async () => {
    const lines = [
      JSON.stringify({ id: 'a', text: 'Ysolde Parrin seen, MRN 4410023.', phi: { names: ['Ysolde Parrin'], mrn: '4410023' } }),
      JSON.stringify({ id: 'b', text: 'Parrin again.', phi: { nick: 'Ysolde' } }),
      JSON.stringify({ id: 'c', text: 'No one named.' }),
    ];
    write('in/notes.jsonl', `${lines.join('\n')}\n`);
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['redact', 'in', '--out', 'out', '--format', 'jsonl', '--detectors', 'rules', '--workers', '1', '--quiet'], f.io);
    expect(exitCode).toBe(1);
    expect(readFileSync(join(cwd, 'out', 'notes.jsonl'), 'utf8')).toBe('{"id":"a","text":"[NAME] seen, MRN [ID]."}\n{"id":"c","text":"No one named."}\n');
    expect(f.stderr()).toContain('E182 line 2: field "phi" has an unknown key (not repeated: it could be PHI)');
    expectNoSecret([...allFiles(join(cwd, 'out')).map(([, t]) => t), f.stdout(), f.stderr()]);
  });

  it('a malformed sidecar stops the run before any note (E183, by line, no value)', async () => {
    write('in/a.txt', 'x\n');
    write('known.jsonl', `${JSON.stringify({ file: 'a.txt', phi: { names: ['Ysolde'] } })}\n{"file": "a.txt", "phi": {"nick": "Parrin"}}\n`);
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['redact', 'in', '--out', 'out', '--known', 'known.jsonl', '--detectors', 'rules'], f.io);
    expect(exitCode).toBe(2);
    expect(f.stderr()).toBe('phi-redact: E183 known.jsonl: line 2: field "phi" has an unknown key (not repeated: it could be PHI)\n');
  });

  it('--known is for folder runs', async () => {
    const f = fakeIO({ cwd, stdin: 'x' });
    expect((await run(['redact', '-', '--known', 'k.jsonl'], f.io)).exitCode).toBe(2);
  });
});

describe('lists learn', () => {
  it('writes a reviewable YAML (0600) that site.lists reads back; prints counts only', async () => {
    const note = (t: string, phi: string[]) => ({ id: `n${phi.length}${t.length}`, text: t, spans: phi.map((p) => ({ start: t.indexOf(p), end: t.indexOf(p) + p.length, label: 'LOCATION', text: p })) });
    const gold = [note('Moved to Pellory House today.', ['Pellory House']), note('Back on Pellory House, stable.', ['Pellory House']), note('Nothing here.', [])];
    write('gold.jsonl', `${gold.map((g) => JSON.stringify(g)).join('\n')}\n`);
    const f = fakeIO({ cwd });
    const { exitCode } = await run(['lists', 'learn', '--gold', 'gold.jsonl', '--out', 'site.yaml', '--detectors', 'rules'], f.io);
    expect(exitCode).toBe(0);
    expect(f.stdout()).toBe('phi-redact: proposals from 3 notes -> site.yaml: deny 1 LOCATION; roster 0; allow 0. Review the file before naming it in the config (site.lists).\n');
    expect(f.stdout()).not.toContain('Pellory');
    expect(statSync(join(cwd, 'site.yaml')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(cwd, 'site.yaml'), 'utf8')).toContain('- { text: "Pellory House", notes: 2, count: 2, caught: 0, notPhi: 0 }');
    write('c.yaml', 'detectors: [rules]\nsite:\n  lists: [site.yaml]\n');
    write('in/a.txt', 'Transfer to pellory house.\n');
    const r = fakeIO({ cwd });
    expect((await run(['redact', 'in', '--out', 'out', '-c', 'c.yaml', '--workers', '1', '--quiet'], r.io)).exitCode).toBe(0);
    expect(readFileSync(join(cwd, 'out', 'a.txt'), 'utf8')).toBe('Transfer to [LOCATION].\n');
  });

  it('an empty gold file is E184', async () => {
    write('gold.jsonl', '');
    const f = fakeIO({ cwd });
    expect((await run(['lists', 'learn', '--gold', 'gold.jsonl', '--out', 's.yaml', '--detectors', 'rules'], f.io)).exitCode).toBe(2);
    expect(f.stderr()).toContain('E184 gold.jsonl: holds no notes');
  });
});
