import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/run.js';
import type { ManifestEntry } from '../../../src/node/runs/manifest.js';
import { fakeIO } from '../../cli/fakeIO.js';

// Folder and file runs over JSONL, CSV and FHIR files, in process (--workers 1), with the frozen
// fixture rule pack: it tags the invented surnames Quillfeather and Brackenridge, m/d/yyyy dates
// and 555-555-5555 phones. The pool-worker path is covered by the CLI golden cases.
const CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'cli', 'config.yaml');
const KEY = { PHI_REDACT_KEY: 'an invented key for tests only, 32+ bytes' };

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-formats-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function put(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(cwd, path)), { recursive: true });
  writeFileSync(join(cwd, path), content);
}
const read = (path: string): string => readFileSync(join(cwd, path), 'utf8');
const manifest = (out = 'out'): ManifestEntry[] =>
  read(`${out}/.phi-redact/manifest.jsonl`)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ManifestEntry);

async function redact(args: string[], options: { stdin?: string | Uint8Array; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const fake = fakeIO({ cwd, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}), ...(options.env !== undefined ? { env: options.env } : {}) });
  const { exitCode } = await run(['redact', ...args, '--config', CONFIG], fake.io);
  return { code: exitCode, stdout: fake.stdout(), stderr: fake.stderr() };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('file runs of several formats', () => {
  it('writes each file in its own format, counts records, and never prints or records note text', async () => {
    put('in/notes.csv', 'id,text,site\r\n1,"Quillfeather seen 3/4/2021, call 617-555-0142",A\r\n2,no phi,B\r\n');
    put('in/notes.jsonl', '{"id":"a","text":"Brackenridge 1/2/2020","n":12345678901234567890}\n');
    put('in/doc.json', JSON.stringify({ resourceType: 'DocumentReference', content: [{ attachment: { contentType: 'text/plain', data: b64('Quillfeather 5/6/2022') } }, { attachment: { contentType: 'application/pdf', data: 'JVBERi0=' } }] }));
    put('in/plain.txt', 'Brackenridge');
    const r = await redact(['in', '--out', 'out', '--glob', '*.{csv,jsonl,json,txt}', '--workers', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('phi-redact: 5 notes redacted, 0 failed -> out (manifest: out/.phi-redact/manifest.jsonl)\n');
    expect(read('out/notes.csv')).toBe('id,text,site\r\n1,"[NAME] seen [DATE], call [CONTACT]",A\r\n2,no phi,B\r\n');
    expect(read('out/notes.jsonl')).toBe('{"id":"a","text":"[NAME] [DATE]","n":12345678901234567890}\n');
    const doc = JSON.parse(read('out/doc.json')) as { content: { attachment: { data: string } }[] };
    expect(Buffer.from(doc.content[0]!.attachment.data, 'base64').toString('utf8')).toBe('[NAME] [DATE]');
    expect(doc.content[1]!.attachment.data).toBe('JVBERi0=');
    expect(read('out/plain.txt')).toBe('[NAME]');
    const byOutput = Object.fromEntries(manifest().map((e) => [e.output, e]));
    expect(byOutput['notes.csv']).toMatchObject({ status: 'done', format: 'csv', records: { done: 2, failed: 0 }, spans: [] });
    expect(byOutput['doc.json']).toMatchObject({ format: 'fhir', records: { done: 1, failed: 0, attachmentsSkipped: 1 } });
    expect(byOutput['plain.txt']!.format).toBeUndefined();
    const sideChannels = read('out/.phi-redact/manifest.jsonl') + read('out/.phi-redact/audit.json') + r.stdout + r.stderr;
    for (const secret of ['Quillfeather', 'Brackenridge', '617-555-0142']) expect(sideChannels).not.toContain(secret);
    expect(JSON.parse(read('out/.phi-redact/audit.json'))).toMatchObject({ notes: { done: 5, failed: 0 } });
  });

  it('leaves out malformed records, names each by file and line, and exits 1', async () => {
    put('in/a.csv', 'id,text\n1,Quillfeather\n2,Quillfeather,extra\n3,"ok\n');
    put('in/b.jsonl', '{"text":"Quillfeather"}\n{"text": Quillfeather}\n');
    put('in/c.json', JSON.stringify({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'DocumentReference', content: [{ attachment: { contentType: 'text/plain', data: 'Quillfeather!' } }] } }] }));
    const r = await redact(['in', '--out', 'out', '--glob', '*.{csv,jsonl,json}', '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([
      'phi-redact: in/a.csv: E143 line 3: 3 fields, the header has 2',
      'phi-redact: in/a.csv: E143 line 4: a quoted field is never closed',
      'phi-redact: in/b.jsonl: E050 line 2 is not valid JSON',
      "phi-redact: in/c.json: E145 line 1 (entry 0): the attachment's data is not valid base64",
    ]);
    expect(r.stdout).toContain('2 notes redacted, 0 failed, 4 records left out');
    expect(read('out/a.csv')).toBe('id,text\n1,[NAME]\n');
    expect(read('out/b.jsonl')).toBe('{"text":"[NAME]"}\n');
    expect(JSON.parse(read('out/c.json'))).toEqual({ resourceType: 'Bundle', entry: [] });
    expect(manifest().find((e) => e.output === 'a.csv')).toMatchObject({
      status: 'done',
      records: { done: 1, failed: 2 },
      recordErrors: [
        { line: 3, error: 'E143 line 3: 3 fields, the header has 2' },
        { line: 4, error: 'E143 line 4: a quoted field is never closed' },
      ],
    });
    expect(read('out/.phi-redact/manifest.jsonl')).not.toContain('Quillfeather');
    expect(JSON.parse(read('out/.phi-redact/audit.json'))).toMatchObject({ notes: { malformed: 4 }, errors: { E143: 2, E050: 1, E145: 1 } });
  });

  it('fails a file that cannot be read as its format, and writes nothing for it', async () => {
    put('in/a.csv', 'id,body\n1,Quillfeather\n');
    put('in/b.json', '{"resourceType":"Patient"}');
    put('in/c.json', JSON.stringify({ resourceType: 'DocumentReference', content: [{ attachment: { contentType: 'text/plain', data: '%%' } }] }));
    const r = await redact(['in', '--out', 'out', '--glob', '*.{csv,json}', '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('in/a.csv: E142 the header has no text column "text" (--text-column)');
    expect(r.stderr).toContain('in/b.json: E144 not a FHIR DocumentReference or Bundle (resourceType)');
    expect(r.stderr).toContain("in/c.json: E145 line 1: the attachment's data is not valid base64");
    for (const f of ['a.csv', 'b.json', 'c.json']) expect(existsSync(join(cwd, 'out', f))).toBe(false);
    expect(manifest().map((e) => e.status)).toEqual(['failed', 'failed', 'failed']);
  });

  it('reads the CSV columns --text-column and --id-column name', async () => {
    put('a.csv', 'mrn,body,text\nx1,Quillfeather,Brackenridge\n');
    const r = await redact(['a.csv', '--out', 'out', '--text-column', 'body', '--id-column', 'mrn', '--workers', '1']);
    expect(r.code).toBe(0);
    expect(read('out/a.csv')).toBe('mrn,body,text\nx1,[NAME],Brackenridge\n');
  });

  it('--emit spans writes per-record spans beside a CSV or FHIR output, offsets into each record', async () => {
    put('a.csv', 'id,text\n1,x Quillfeather\n2,none\n');
    expect((await redact(['a.csv', '--out', 'out', '--emit', 'spans', '--workers', '1'])).code).toBe(0);
    expect(JSON.parse(read('out/a.csv.spans.json'))).toEqual({
      records: [
        { line: 2, spans: [{ start: 2, end: 14, label: 'NAME', subtype: 'PATIENT', source: 'rules/fixture-name', score: 1 }], outSpans: [{ outStart: 2, outEnd: 8, label: 'NAME' }] },
        { line: 3, spans: [], outSpans: [] },
      ],
    });
  });

  it('--format applies to file runs and picks the files a folder run reads', async () => {
    put('in/a.jsonl', '{"text":"Quillfeather"}\n');
    put('in/b.ndjson', '{"text":"Brackenridge"}\n');
    put('in/c.txt', 'Quillfeather');
    put('in/d.data', '{"text":"Quillfeather"}\n');
    expect((await redact(['in', '--out', 'out', '--format', 'jsonl', '--workers', '1'])).code).toBe(0);
    expect(manifest().map((e) => e.output)).toEqual(['a.jsonl', 'b.ndjson']);
    // A file named explicitly is read as --format says, whatever its extension.
    expect((await redact(['in/d.data', '--out', 'o2', '--format', 'jsonl', '--workers', '1'])).code).toBe(0);
    expect(read('o2/d.data')).toBe('{"text":"[NAME]"}\n');
  });

  it('gives the same surrogates as the stdin JSONL path: one patient scope per patient_id, whatever the format', async () => {
    const rows = [
      { id: 'r1', patient_id: 'p1', text: 'Quillfeather seen 3/4/2021' },
      { id: 'r2', patient_id: 'p2', text: 'Quillfeather seen 3/4/2021' },
      { id: 'r3', patient_id: 'p1', text: 'Quillfeather again 3/9/2021' },
    ];
    const jsonl = rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    put('a.jsonl', jsonl);
    put('a.csv', `id,patient_id,text\n${rows.map((r) => `${r.id},${r.patient_id},${r.text}`).join('\n')}\n`);
    const args = ['--policy', 'surrogate', '--workers', '1'];
    const stream = await redact(['-', '--format', 'jsonl', ...args], { stdin: jsonl, env: KEY });
    expect(stream.code).toBe(0);
    const files = await redact(['a.jsonl', 'a.csv', '--out', 'out', ...args], { env: KEY });
    expect(files.code).toBe(0);
    const fromStream = stream.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { text: string }).text);
    expect(read('out/a.jsonl')).toBe(stream.stdout);
    const csvTexts = read('out/a.csv').split('\n').slice(1, 4).map((l) => l.split(',').slice(2).join(','));
    expect(csvTexts).toEqual(fromStream);
    // Same patient, same surrogate; another patient, another one (the keyed scope differs).
    expect(fromStream[0]!.split(' ')[0]).toBe(fromStream[2]!.split(' ')[0]);
    expect(fromStream[0]).not.toBe(fromStream[1]);
    expect(fromStream.join(' ')).not.toContain('Quillfeather');
  });

  it('--resume skips a finished file, redoes one that left records out, and redoes all when --text-column changes', async () => {
    put('in/good.csv', 'id,text\n1,Quillfeather\n');
    put('in/bad.csv', 'id,text\n1,Quillfeather\n2,x,y\n');
    const args = ['in', '--out', 'out', '--glob', '*.csv', '--workers', '1', '--json'];
    const first = await redact(args);
    expect(first.code).toBe(1);
    const again = await redact([...args, '--resume']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('phi-redact: in/bad.csv: E143 line 3: 3 fields, the header has 2\n');
    expect(JSON.parse(again.stdout)).toMatchObject({ notes: { skipped: 1, done: 1, malformed: 1 } });
    expect(manifest().map((e) => e.output)).toEqual(['bad.csv', 'good.csv']);
    put('in/good2.csv', 'id,body\n1,Quillfeather\n');
    const other = await redact([...args, '--resume', '--text-column', 'body']);
    expect(JSON.parse(other.stdout)).toMatchObject({ notes: { skipped: 0 } });
    expect(read('out/good2.csv')).toBe('id,body\n1,[NAME]\n');
  });

  it('--encoding windows-1252 reads a legacy export and writes UTF-8', async () => {
    // "Quillfeather “seen” 3/4/2021 – paid €5" in windows-1252.
    put('in/a.txt', Buffer.concat([Buffer.from('Quillfeather '), Buffer.from([0x93]), Buffer.from('seen'), Buffer.from([0x94]), Buffer.from(' 3/4/2021 '), Buffer.from([0x96]), Buffer.from(' paid '), Buffer.from([0x80]), Buffer.from('5')]));
    put('in/b.csv', Buffer.concat([Buffer.from('id,text\n1,Caf'), Buffer.from([0xe9]), Buffer.from(' Quillfeather\n')]));
    const r = await redact(['in', '--out', 'out', '--glob', '*.{txt,csv}', '--encoding', 'windows-1252', '--workers', '1']);
    expect(r.stderr).toBe('');
    expect(read('out/a.txt')).toBe('[NAME] “seen” [DATE] – paid €5');
    expect(read('out/b.csv')).toBe('id,text\n1,Café [NAME]\n');
    // Without it, the same file is refused (E043), never guessed at.
    const plain = await redact(['in/a.txt', '--out', 'o2', '--workers', '1']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/E043 invalid UTF-8 at byte 13/);
  });

  it.each([
    [['in.txt', '--out', 'out', '--encoding', 'klingon'], 'E140 --encoding "klingon" is not an encoding Node can decode (e.g. utf-8, windows-1252, latin1)'],
    [['-', '--format', 'csv'], '--format csv is for files and folders (--out); stdin reads text or jsonl'],
    [['-', '--format', 'fhir'], '--format fhir is for files and folders (--out); stdin reads text or jsonl'],
    [['-', '--encoding', 'utf-16le'], '--encoding must be UTF-8 or a single-byte encoding there'],
  ])('refuses %j (exit 2)', async (args, message) => {
    put('in.txt', 'x');
    const r = await redact(args, { stdin: 'x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('--encoding applies to stdin too', async () => {
    const r = await redact(['-', '--format', 'jsonl', '--encoding', 'windows-1252'], { stdin: Buffer.concat([Buffer.from('{"text":"Quillfeather '), Buffer.from([0x80]), Buffer.from('"}\n')]) });
    expect(r.stdout).toBe('{"text":"[NAME] €"}\n');
  });
});
