import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../src/core/span.js';
import { run } from '../../src/cli/run.js';
import { loadPipeline } from '../../src/node/createPipeline.js';
import { restoreText, Vault, type NoteRecordEntry, type NoteSpan } from '../../src/node/vault/vault.js';
import type { Pipeline } from '../../src/pipeline.js';
import { createSurrogateOperator } from '../../src/transform/operators/surrogate.js';
import { fakeIO } from '../cli/fakeIO.js';

/**
 * Issue 17: `reidentify` replaced surrogate strings wherever they occurred (a "90+ dB" became
 * "93 dB") and could not restore patient-scoped surrogates two patients shared. Now the vault
 * records where each surrogate was written, and only those spans are restored.
 */

const SECRET = 'reidentify spans test key, 32 by';
const KEY = Buffer.from(SECRET);
const env = { PHI_REDACT_KEY: SECRET };
let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-reid-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

async function cli(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const f = fakeIO({ cwd, stdin, env });
  const code = (await run(argv, f.io)).exitCode;
  return { code, out: f.stdout(), err: f.stderr() };
}

describe('reidentify restores exactly the recorded spans', () => {
  const note = 'Pt is 93 years old, seen 3/4/2021 at 10:45. Audiogram: loss of 90+ dB. Call 410-328-7755.\n';

  it('text that only reads like a surrogate ("90+ dB", a clock time) is left as it was', async () => {
    const redacted = await cli(['redact', '-', '--policy', 'surrogate', '--detectors', 'rules', '--vault', 'dB.db'], note);
    expect(redacted.code).toBe(0);
    expect(redacted.out).toContain('90+ years old');
    expect(redacted.out).not.toContain('3/4/2021');
    const back = await cli(['reidentify', '-', '--vault', 'dB.db'], redacted.out);
    expect(back.out).toBe(note);
    expect(back.err).toMatch(/^phi-redact: \d+ spans restored\n$/u);
  });

  it('an edited or foreign text is refused (E120, exit 1) and nothing is written', async () => {
    const redacted = await cli(['redact', '-', '--policy', 'surrogate', '--detectors', 'rules', '--vault', 'edit.db'], note);
    const edited = await cli(['reidentify', '-', '--vault', 'edit.db'], redacted.out.replace('Audiogram', 'Audiogramm'));
    expect(edited.code).toBe(1);
    expect(edited.out).toBe('');
    expect(edited.err).toBe('phi-redact: E120 <stdin> is not an output this vault recorded (edited, or written by another run or key): nothing restored\n');
  });

  it('two patients whose different dates share one surrogate are each restored (JSONL), and --patient narrows term look-ups', async () => {
    // Find two patients whose different originals land on the same surrogate date.
    const op = createSurrogateOperator(KEY);
    const span = (text: string): Span => ({ start: 0, end: text.length, label: 'DATE', source: 'test', score: 1 });
    const seen = new Map<string, [string, string]>();
    let pair: [[string, string], [string, string], string] | undefined;
    for (let p = 0; p < 400 && pair === undefined; p++) {
      for (const day of [3, 4, 5, 6, 7, 8, 9]) {
        const original = `3/${day}/2021`;
        const surrogate = op(span(original), original, { scope: `p${p}` });
        const other = seen.get(surrogate);
        if (other !== undefined && other[0] !== `p${p}` && other[1] !== original) {
          pair = [other, [`p${p}`, original], surrogate];
          break;
        }
        seen.set(surrogate, [`p${p}`, original]);
      }
    }
    expect(pair).toBeDefined();
    const [[pa, da], [pb, db], shared] = pair!;
    const input = `{"id":1,"patient_id":"${pa}","text":"Seen ${da}."}\n{"id":2,"patient_id":"${pb}","text":"Seen ${db}."}\r\n`;
    const redacted = await cli(['redact', '-', '--format', 'jsonl', '--policy', 'surrogate', '--detectors', 'rules', '--vault', 'pts.db'], input);
    expect(redacted.err).toBe('');
    expect(redacted.code).toBe(0);
    expect(redacted.out).toBe(`{"id":1,"patient_id":"${pa}","text":"Seen ${shared}."}\n{"id":2,"patient_id":"${pb}","text":"Seen ${shared}."}\r\n`);

    const back = await cli(['reidentify', '-', '--format', 'jsonl', '--vault', 'pts.db'], redacted.out);
    expect(back.code).toBe(0);
    expect(back.out).toBe(input);

    const both = await cli(['reidentify', shared, '--vault', 'pts.db']);
    expect(both.out.trim().split('\n').sort()).toEqual([`${shared}\tDATE\t${da}`, `${shared}\tDATE\t${db}`].sort());
    const one = await cli(['reidentify', shared, '--patient', pb, '--vault', 'pts.db']);
    expect(one.out).toBe(`${shared}\tDATE\t${db}\n`);
  });

  it('a folder run in two worker threads records every note; each output restores to its input (identical notes alike)', async () => {
    const inDir = join(cwd, 'in');
    mkdirSync(inDir);
    const notes = ['Seen 3/4/2021, age 93.\n', 'Call 410-328-7755 or 90+ dB.\n', 'No PHI here at 10:45.\n', 'Seen 3/4/2021, age 93.\n'];
    for (const [i, n] of notes.entries()) writeFileSync(join(inDir, `n${i}.txt`), n);
    const r = await cli(['redact', inDir, '--out', join(cwd, 'out'), '--policy', 'surrogate', '--detectors', 'rules', '--vault', 'folder.db', '--workers', '2']);
    expect(r.code).toBe(0);
    for (const [i, n] of notes.entries()) {
      const pseudo = readFileSync(join(cwd, 'out', `n${i}.txt`), 'utf8');
      const back = await cli(['reidentify', '-', '--vault', 'folder.db'], pseudo);
      expect(back.err, `n${i}`).toMatch(/restored/u);
      expect(back.out).toBe(n);
    }
  }, 60_000);

  it('the same output text recorded for notes with different originals needs --note or --patient (E121)', () => {
    const text = 'Seen 2/2/2020.';
    const at = text.indexOf('2/2/2020');
    const mk = (noteId: string, scope: string, original: string): NoteRecordEntry => ({
      noteId,
      scope,
      spans: [{ outStart: at, outEnd: at + 8, label: 'DATE', original, surrogate: '2/2/2020' }],
    });
    const candidates = [mk('a.txt', 'p1', '3/4/2021'), mk('b.txt', 'p2', '3/5/2021')];
    expect(() => restoreText(text, candidates, {}, '<stdin>')).toThrow(/^E121 <stdin>: 2 recorded notes have this text/u);
    expect(restoreText(text, candidates, { scope: 'p2' }, '<stdin>').text).toBe('Seen 3/5/2021.');
    expect(restoreText(text, candidates, { noteId: 'a.txt' }, '<stdin>').text).toBe('Seen 3/4/2021.');
    expect(() => restoreText(text, candidates, { noteId: 'c.txt' }, '<stdin>')).toThrow(/^E120 /u);
  });
});

describe('property: text that was never a surrogate is never touched', () => {
  /** Surrogate-looking strings that also appear in the text where nothing was replaced. */
  const pool = ['90+', '2/22/2021', '464-555-0199', '[DATE]', 'Declan Hauck', '10:45'];
  const plain = fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...pool)), { maxLength: 4 }).map((p) => p.join(' '));
  const segment = fc.oneof(
    plain.map((text) => ({ kind: 'plain' as const, text })),
    fc.tuple(fc.constantFrom(...pool), fc.string({ minLength: 1, maxLength: 12 })).map(([surrogate, original]) => ({ kind: 'span' as const, surrogate, original })),
  );

  it('restoreText changes the recorded spans and nothing else', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 10 }), (segments) => {
        let output = '';
        let expected = '';
        const spans: NoteSpan[] = [];
        for (const s of segments) {
          if (s.kind === 'plain') {
            output += s.text;
            expected += s.text;
          } else {
            spans.push({ outStart: output.length, outEnd: output.length + s.surrogate.length, label: 'OTHER', original: s.original, surrogate: s.surrogate });
            output += s.surrogate;
            expected += s.original;
          }
        }
        const r = restoreText(output, [{ noteId: 'n', scope: '', spans }], {}, '<stdin>');
        expect(r.text).toBe(expected);
        expect(r.restored).toBe(spans.length);
      }),
      { numRuns: 300 },
    );
  });

  describe('end to end: redact with a vault, then restore, is the identity', () => {
    let pipeline: Pipeline;
    let vaultPath: string;
    beforeAll(async () => {
      vaultPath = join(cwd, 'prop.db');
      pipeline = await loadPipeline({ config: { policy: { DEFAULT: 'surrogate' } }, detectors: ['rules'], key: KEY, vault: vaultPath });
    }, 60_000);

    it('notes holding surrogate strings in plain text come back byte for byte', async () => {
      const filler = fc.string({ unit: fc.constantFrom(...'ab Z.,:;-\n019+/'), maxLength: 16 });
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(filler, fc.constantFrom(...pool, ' 93 years old ', ' seen 3/4/2021 ', ' call 410-328-7755 ')), { maxLength: 8 }), fc.constantFrom('p1', 'p2', undefined), async (parts, scope) => {
          const note = parts.join('');
          const redacted = await pipeline.redact(note, scope === undefined ? {} : { scope });
          const reader = Vault.open(vaultPath, KEY);
          try {
            expect(restoreText(redacted.text, reader.notesFor(redacted.text), scope === undefined ? {} : { scope }, 'note').text).toBe(note);
          } finally {
            reader.close();
          }
        }),
        { numRuns: 40 },
      );
    }, 120_000);
  });
});

describe('old-format vaults', () => {
  it('still answer term look-ups; restoring a text or writing a run needs the new format (E119), and the file is left as it was', async () => {
    const path = join(cwd, 'old.db');
    const v = Vault.open(path, KEY, { create: true });
    v.record({ label: 'DATE', scope: 'p1', original: '3/4/2021', surrogate: '9/19/2020' });
    v.close();
    // What phi-redact wrote before issue 17: format 1, pairs only.
    const db = new Database(path);
    db.exec("DROP TABLE notes; UPDATE meta SET v = CAST('phi-redact-vault/1' AS BLOB) WHERE k = 'format';");
    db.close();
    const before = readFileSync(path);

    const terms = await cli(['reidentify', '9/19/2020', '--vault', 'old.db']);
    expect(terms.code).toBe(0);
    expect(terms.out).toBe('9/19/2020\tDATE\t3/4/2021\n');

    const text = await cli(['reidentify', '-', '--vault', 'old.db'], 'Seen 9/19/2020.');
    expect(text.code).toBe(2);
    expect(text.out).toBe('');
    expect(text.err).toMatch(/^phi-redact: E119 vault .*old\.db is in the old format \(phi-redact-vault\/1: pairs without positions\): restoring a text needs a vault written by this version/u);

    const write = await cli(['redact', '-', '--policy', 'surrogate', '--detectors', 'rules', '--vault', 'old.db'], 'Seen 3/4/2021.');
    expect(write.code).toBe(2);
    expect(write.err).toMatch(/E119 vault .*old\.db is in the old format/u);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
