import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { AuditReport } from '../../src/node/runs/audit.js';
import { fakeIO } from '../cli/fakeIO.js';
import { DATE, expectNoneOf, GOOD, PHONE, SECRET } from './helpers.js';

/**
 * The bad-input matrix in stream mode (stdin → stdout): JSONL and separator-framed text. A bad
 * record gets one PHI-free line naming `<stdin>` and its line number, the others come out in
 * order, the audit counts the bad ones, and the exit code is 1. Offsets in `--emit spans` index
 * the decoded `text` (after a BOM, across CRLF, astral characters and combining marks).
 */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const ASTRAL = `👩‍⚕️ ${SECRET} é 𝔘 seen ${DATE}\r\n🇫🇷 call ${PHONE}.`;
const MB = 1024 * 1024;

interface OutLine {
  id: number;
  text: string;
  spans: { start: number; end: number; label: string }[];
}

const jsonl = (o: unknown): Buffer => Buffer.from(`${JSON.stringify(o)}\n`);

/** Line number → the input for that line (1-based), with what must happen to it. */
const LINES: readonly { readonly bytes: Buffer; readonly expect: RegExp | { id: number; text: string } }[] = [
  { bytes: Buffer.concat([BOM, jsonl({ id: 1, text: ASTRAL })]), expect: { id: 1, text: ASTRAL } },
  { bytes: Buffer.from('\n'), expect: /blank/u },
  { bytes: Buffer.from('   \r\n'), expect: /blank/u },
  { bytes: jsonl({ id: 4, note: SECRET }), expect: /^phi-redact: <stdin>: E051 line 4 /u },
  { bytes: jsonl({ id: 5, text: 42 }), expect: /^phi-redact: <stdin>: E051 line 5 /u },
  { bytes: jsonl({ id: 6, text: null }), expect: /^phi-redact: <stdin>: E051 line 6 /u },
  { bytes: jsonl({ id: 7, text: [SECRET] }), expect: /^phi-redact: <stdin>: E051 line 7 /u },
  { bytes: Buffer.from(`{"id": 8, "text": "${SECRET} ${PHONE}\n`), expect: /^phi-redact: <stdin>: E050 line 8 /u },
  { bytes: Buffer.concat([Buffer.from(`{"id": 9, "text": "${SECRET} caf`), Buffer.from([0xe9]), Buffer.from('"}\n')]), expect: /^phi-redact: <stdin>: E052 line 9 is not valid UTF-8$/u },
  { bytes: Buffer.from(`${JSON.stringify({ id: 10, text: GOOD.replace('\n', '\r\n') })}\r\n`), expect: { id: 10, text: GOOD.replace('\n', '\r\n') } },
  { bytes: jsonl({ id: 11, text: `${'x'.repeat(MB)} ${DATE}` }), expect: { id: 11, text: `${'x'.repeat(MB)} ${DATE}` } },
  { bytes: jsonl({ id: 12, text: '' }), expect: { id: 12, text: '' } },
  { bytes: Buffer.from('[1, 2, 3]\n'), expect: /^phi-redact: <stdin>: E051 line 13 /u },
  { bytes: Buffer.concat([Buffer.from('{"id": 14, "text": "'), Buffer.from([0, 1]), Buffer.from('"}\n')]), expect: /^phi-redact: <stdin>: E050 line 14 /u },
];

let cwd: string;
let out: OutLine[];
let stderr: string;
let exitCode: number;
let audit: AuditReport;

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-hard-stream-'));
  const f = fakeIO({ cwd, stdin: Buffer.concat(LINES.map((l) => l.bytes)) });
  exitCode = (await run(['redact', '-', '--format', 'jsonl', '--detectors', 'rules', '--emit', 'spans', '--audit', 'audit.json'], f.io)).exitCode;
  out = f.stdout().trimEnd().split('\n').map((l) => JSON.parse(l) as OutLine);
  stderr = f.stderr();
  audit = JSON.parse(readFileSync(join(cwd, 'audit.json'), 'utf8')) as AuditReport;
}, 60_000);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('stream mode (JSONL): hostile lines', () => {
  const bad = LINES.map((l, i) => [i + 1, l.expect] as const).filter((x): x is readonly [number, RegExp] => x[1] instanceof RegExp && x[1].source !== 'blank');
  it.each(bad)('line %i: one PHI-free line naming <stdin> and the line number', (lineNo, pattern) => {
    const lines = stderr.split('\n').filter((l) => new RegExp(`line ${lineNo}\\b`, 'u').test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });

  it('blank and whitespace-only lines are skipped silently (not notes, not errors)', () => {
    expect(stderr).not.toMatch(/line [23]\b/u);
  });

  it('the good notes come out in order, and every span indexes the decoded text (BOM, CRLF, astral, combining marks, 1 MB line)', () => {
    const good = LINES.map((l) => l.expect).filter((e): e is { id: number; text: string } => !(e instanceof RegExp));
    expect(out.map((o) => o.id)).toEqual(good.map((g) => g.id));
    for (const [k, g] of good.entries()) {
      const o = out[k]!;
      const found = o.spans.map((s) => g.text.slice(s.start, s.end));
      for (const planted of [DATE, PHONE]) if (g.text.includes(planted)) expect(found).toContain(planted);
      // The output is the input with exactly the spans replaced by their tags (the default policy).
      let rebuilt = '';
      let last = 0;
      for (const s of [...o.spans].sort((a, b) => a.start - b.start)) {
        rebuilt += `${g.text.slice(last, s.start)}[${s.label}]`;
        last = s.end;
      }
      expect(rebuilt + g.text.slice(last)).toBe(o.text);
    }
  });

  it('exit 1; the audit counts the malformed lines by code; nothing of any note in stderr or the audit', () => {
    expect(exitCode).toBe(1);
    expect(audit.notes).toMatchObject({ done: 4, malformed: bad.length });
    expect(audit.errors).toEqual({ E050: 2, E051: 5, E052: 1 });
    expectNoneOf(stderr, [SECRET, PHONE, DATE, 'caf'], 'stderr');
    expectNoneOf(JSON.stringify(audit), [SECRET, PHONE, DATE], 'audit');
  });
});

describe('stream mode (text notes between separator lines): hostile notes', () => {
  it('binary, UTF-16, invalid UTF-8 and empty notes are named by their first line; the others keep their bytes, BOM dropped, CR/CRLF kept', async () => {
    const sep = Buffer.from('\f\n');
    const notes: Buffer[] = [
      Buffer.concat([BOM, Buffer.from(`line 1\r\n${GOOD.replace('\n', '\r\n')}`)]), // lines 1-2
      Buffer.from(`%PDF-1.4\n${SECRET}\n`), // lines 4-5
      Buffer.from(`${SECRET}\r${DATE}\rcall ${PHONE}\r\n`), // line 7 (lone CRs are not line breaks for framing)
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${SECRET}`, 'utf16le'), Buffer.from('\n')]), // line 9
      Buffer.concat([Buffer.from(`${SECRET} caf`), Buffer.from([0xe9]), Buffer.from('\n')]), // line 11
      Buffer.from(`${ASTRAL}\n`), // lines 13-14
    ];
    const input = Buffer.concat(notes.flatMap((n) => [n, sep]));
    const cwdText = mkdtempSync(join(tmpdir(), 'phi-hard-text-'));
    try {
      const f = fakeIO({ cwd: cwdText, stdin: input });
      const r = await run(['redact', '-', '--detectors', 'rules', '--audit', 'audit.json'], f.io);
      expect(r.exitCode).toBe(1);
      const errLines = f.stderr().trimEnd().split('\n').filter((l) => / E0\d\d /u.test(l));
      expect(errLines).toEqual([
        'phi-redact: <stdin>: E042 note at line 4: binary file (PDF), not a text note',
        expect.stringMatching(/^phi-redact: <stdin>: E043 note at line 9: UTF-16 text \(byte-order mark FF FE at byte 0\)/u),
        `phi-redact: <stdin>: E043 note at line 11: invalid UTF-8 at byte ${SECRET.length + 4}`,
      ]);
      const notesOut = f.stdout().split('\f\n');
      expect(notesOut).toHaveLength(4); // 3 good notes + what follows the last separator
      expect(notesOut[0]).toBe(`line 1\r\n${SECRET} was seen on [DATE], phone [CONTACT].\r\n`);
      expect(notesOut[1]).toBe(`${SECRET}\r[DATE]\rcall [CONTACT]\r\n`);
      expect(notesOut[2]).toBe(`${ASTRAL.replace(DATE, '[DATE]').replace(PHONE, '[CONTACT]')}\n`);
      const report = JSON.parse(readFileSync(join(cwdText, 'audit.json'), 'utf8')) as AuditReport;
      expect(report.errors).toEqual({ E042: 1, E043: 2 });
      expectNoneOf(f.stderr(), [SECRET, PHONE, DATE], 'stderr');
    } finally {
      rmSync(cwdText, { recursive: true, force: true });
    }
  });

  it('an empty stdin is one E041, exit 1', async () => {
    const f = fakeIO({ cwd, stdin: '' });
    expect((await run(['redact', '-', '--detectors', 'rules'], f.io)).exitCode).toBe(1);
    expect(f.stderr()).toMatch(/^phi-redact: <stdin>: E041 /mu);
  });
});
