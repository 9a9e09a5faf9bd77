import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { AuditCollector } from '../../src/node/runs/audit.js';
import { collectInputs } from '../../src/node/files/inputs.js';
import { createEngine } from '../../src/node/runs/pool/engine.js';
import { runFolder } from '../../src/node/runs/pool/folderRun.js';
import { fakeIO } from '../cli/fakeIO.js';
import { auditOf, DATE, expectNoneOf, expectSpansConsistent, filesUnder, GOOD, manifestOf, PHONE, put, SECRET } from './helpers.js';

/**
 * The bad-input matrix in folder mode: one folder holding every hostile kind of file next to
 * good notes, redacted in one run. Each bad file gets exactly one PHI-free stderr line naming it
 * and a code (with a byte offset where there is one), the good notes are all written, the
 * summary and audit count the failures, and the exit code is 1.
 */

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const ASTRAL = `👩‍⚕️ ${SECRET} é (e + U+0301) 𝔘 seen ${DATE}, 🇫🇷 call ${PHONE}.\n`;
const MB = 1024 * 1024;

interface BadCase {
  readonly file: string;
  readonly bytes: Buffer | 'symlink-loop' | 'dangling' | 'sparse-65MB';
  readonly line: RegExp;
}

/** Refused inputs: what each one's single stderr line must say. */
const BAD: readonly BadCase[] = [
  { file: 'pdf.txt', bytes: Buffer.from(`%PDF-1.4\n${SECRET}\n`), line: /^phi-redact: in\/pdf\.txt: E042 binary file \(PDF\), not a text note$/u },
  { file: 'png.txt', bytes: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(SECRET)]), line: /^phi-redact: in\/png\.txt: E042 binary file \(PNG\), not a text note$/u },
  { file: 'nul.txt', bytes: Buffer.concat([Buffer.from(`${SECRET} `), Buffer.from([0, 1, 2])]), line: new RegExp(`^phi-redact: in/nul\\.txt: E042 binary file \\(NUL byte at byte ${SECRET.length + 1}\\), not a text note$`, 'u') },
  { file: 'latin1.txt', bytes: Buffer.concat([Buffer.from(`${SECRET} caf`), Buffer.from([0xe9]), Buffer.from(` ${PHONE}\n`)]), line: new RegExp(`^phi-redact: in/latin1\\.txt: E043 invalid UTF-8 at byte ${SECRET.length + 4}$`, 'u') },
  { file: 'truncated-utf8.txt', bytes: Buffer.concat([Buffer.from(`${SECRET} `), Buffer.from([0xf0, 0x9f, 0x98])]), line: new RegExp(`^phi-redact: in/truncated-utf8\\.txt: E043 invalid UTF-8 at byte ${SECRET.length + 1}$`, 'u') },
  { file: 'utf16le.txt', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD, 'utf16le')]), line: /^phi-redact: in\/utf16le\.txt: E043 UTF-16 text \(byte-order mark FF FE at byte 0\), not UTF-8: convert it first \(iconv -f UTF-16 -t UTF-8\)$/u },
  { file: 'utf16be.txt', bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(GOOD, 'utf16le').swap16()]), line: /^phi-redact: in\/utf16be\.txt: E043 UTF-16 text \(byte-order mark FE FF at byte 0\)/u },
  { file: 'empty.txt', bytes: Buffer.alloc(0), line: /^phi-redact: in\/empty\.txt: E041 empty file$/u },
  { file: 'bom-only.txt', bytes: BOM, line: /^phi-redact: in\/bom-only\.txt: E041 empty file$/u },
  { file: 'loop.txt', bytes: 'symlink-loop', line: /^phi-redact: in\/loop\.txt: E044 cannot read \(ELOOP\)$/u },
  { file: 'dangling.txt', bytes: 'dangling', line: /^phi-redact: in\/dangling\.txt: E040 no such file or folder \(dangling symlink\)$/u },
  { file: 'huge.txt', bytes: 'sparse-65MB', line: /^phi-redact: in\/huge\.txt: E053 file is larger than 67108864 bytes \(68157440\), not read$/u },
];

/** Accepted inputs: their decoded text (what offsets count in). */
const GOOD_NOTES: readonly { readonly file: string; readonly bytes: Buffer; readonly text: string }[] = [
  { file: 'plain.txt', bytes: Buffer.from(GOOD), text: GOOD },
  { file: 'bom.txt', bytes: Buffer.concat([BOM, Buffer.from(GOOD)]), text: GOOD },
  { file: 'crlf.txt', bytes: Buffer.from(`Line one\r\n${GOOD.replace('\n', '\r\n')}Last ${DATE}\r\n`), text: `Line one\r\n${GOOD.replace('\n', '\r\n')}Last ${DATE}\r\n` },
  { file: 'cr.txt', bytes: Buffer.from(`Line one\r${SECRET}\r${DATE}\rcall ${PHONE}\r`), text: `Line one\r${SECRET}\r${DATE}\rcall ${PHONE}\r` },
  { file: 'astral.txt', bytes: Buffer.from(ASTRAL), text: ASTRAL },
  { file: 'astral-bom-crlf.txt', bytes: Buffer.concat([BOM, Buffer.from(ASTRAL.replace('\n', '\r\n').repeat(3))]), text: ASTRAL.replace('\n', '\r\n').repeat(3) },
  { file: 'one-mb-line.txt', bytes: Buffer.from(`${'7/'.repeat(MB / 2)} ${DATE}\n`), text: `${'7/'.repeat(MB / 2)} ${DATE}\n` },
  { file: 'one-mb-word.txt', bytes: Buffer.from(`${'a'.repeat(MB)}\ncall ${PHONE}\n`), text: `${'a'.repeat(MB)}\ncall ${PHONE}\n` },
];

/** Two paths, so outputs go under in/ inside the out folder (which is itself inside in/). */
const ARGS = ['redact', 'in', 'no/such/path.txt', '--out', 'in/redacted', '--detectors', 'rules'];
const OUT = (file = ''): string => join(cwd, 'in', 'redacted', 'in', file);

let cwd: string;
let result: { exitCode: number; stdout: string; stderr: string };

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-hard-folder-'));
  for (const c of BAD) {
    const abs = join(cwd, 'in', c.file);
    if (c.bytes === 'symlink-loop') {
      put(cwd, 'in/.keep', '');
      symlinkSync(abs, abs);
    } else if (c.bytes === 'dangling') symlinkSync(join(cwd, 'nowhere', SECRET), abs);
    else if (c.bytes === 'sparse-65MB') {
      put(cwd, `in/${c.file}`, '');
      truncateSync(abs, 65 * 1024 * 1024);
    } else put(cwd, `in/${c.file}`, c.bytes);
  }
  for (const g of GOOD_NOTES) put(cwd, `in/${g.file}`, g.bytes);
  // The out folder inside the input folder: a second run must not read the first run's outputs.
  const f = fakeIO({ cwd });
  const first = await run(ARGS, f.io);
  result = { exitCode: first.exitCode, stdout: f.stdout(), stderr: f.stderr() };
}, 120_000);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const stderrLines = (): string[] => result.stderr.trimEnd().split('\n');

describe('folder mode: hostile inputs', () => {
  it.each(BAD.map((c) => [c.file, c] as const))('%s: one PHI-free line naming the file and a code', (_name, c) => {
    const lines = stderrLines().filter((l) => l.includes(`in/${c.file}:`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(c.line);
    expect(existsSync(OUT(c.file))).toBe(false);
  });

  it('a path that does not exist is named (relative to cwd), with E040', () => {
    expect(stderrLines()).toContain('phi-redact: no/such/path.txt: E040 no such file or folder');
  });

  it.each(GOOD_NOTES.map((g) => [g.file, g] as const))('%s is redacted, and its manifest offsets index the decoded input', (_name, g) => {
    const entry = manifestOf(join(cwd, 'in', 'redacted')).find((e) => e.output === `in/${g.file}`)!;
    expect(entry.status).toBe('done');
    const output = readFileSync(OUT(g.file), 'utf8');
    const detected = expectSpansConsistent(g.text, output, entry);
    // What we planted is what was found, at the right place, whatever came before it.
    for (const planted of [DATE, PHONE]) if (g.text.includes(planted)) expect(detected).toContain(planted);
    expect(output).not.toContain(PHONE);
    // Line ends are kept exactly: CRLF stays CRLF, a lone CR stays a lone CR.
    expect(output.split('\r\n').length).toBe(g.text.split('\r\n').length);
    expect(output.split('\r').length).toBe(g.text.split('\r').length);
  });

  it('the summary and the audit report count every failure; exit 1; nothing of any note in stdout, stderr, manifest or audit', () => {
    expect(result.exitCode).toBe(1);
    const failed = BAD.length + 1; // + the missing path
    expect(result.stdout).toContain(`${GOOD_NOTES.length} notes redacted, ${failed} failed`);
    expect(stderrLines()).toHaveLength(failed);
    const audit = auditOf(join(cwd, 'in', 'redacted'));
    expect(audit.notes.done).toBe(GOOD_NOTES.length);
    expect(audit.notes.failed).toBe(failed);
    expect(audit.errors).toMatchObject({ E040: 2, E041: 2, E042: 3, E043: 4, E044: 1, E053: 1 });
    const manifestText = readFileSync(join(cwd, 'in', 'redacted', '.phi-redact', 'manifest.jsonl'), 'utf8');
    for (const [where, text] of [['stdout', result.stdout], ['stderr', result.stderr], ['manifest', manifestText], ['audit', JSON.stringify(audit)]] as const) {
      expectNoneOf(text, [SECRET, PHONE, DATE], where);
    }
  });

  it('an out folder inside the input folder is never read back: a second run sees the same inputs and writes the same bytes', async () => {
    const outDir = join(cwd, 'in', 'redacted');
    const before = filesUnder(outDir);
    const f = fakeIO({ cwd });
    const again = await run(ARGS, f.io);
    expect(again.exitCode).toBe(1);
    const after = filesUnder(outDir);
    expect([...after.keys()].filter((k) => k.startsWith('in/redacted/'))).toEqual([]);
    expect(f.stderr().trimEnd().split('\n')).toHaveLength(BAD.length + 1);
    for (const [rel, bytes] of before) if (!rel.startsWith('.phi-redact/')) expect(after.get(rel)?.equals(bytes), rel).toBe(true);
    // One line per listed input (the missing path and the two unreadable links are reported, not listed).
    expect(manifestOf(outDir)).toHaveLength(BAD.length + GOOD_NOTES.length - 2);
  }, 60_000);
});

describe('folder mode: a file that vanishes between listing and reading', () => {
  it('is reported with E040 and counted; the notes around it are written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phi-hard-vanish-'));
    try {
      for (const n of ['a', 'b', 'c']) put(dir, `in/${n}.txt`, GOOD);
      const outDir = join(dir, 'out');
      const { files } = await collectInputs(['in'], { cwd: dir, outDir });
      unlinkSync(join(dir, 'in', 'b.txt'));
      const engine = await createEngine({ load: { detectors: ['rules'] }, workers: 1 });
      const problems: string[] = [];
      const audit = new AuditCollector('folder', engine.fingerprints, engine.detectorIds);
      try {
        const summary = await runFolder({ files, outDir, engine, audit, onProblem: (d, m) => problems.push(`${d}: ${m}`) });
        expect(summary).toMatchObject({ done: 2, failed: 1, interrupted: false });
      } finally {
        await engine.close();
      }
      expect(problems).toEqual(['in/b.txt: E040 no such file or folder']);
      expect(audit.report().errors).toEqual({ E040: 1 });
      expect([...filesUnder(outDir).keys()].filter((k) => !k.startsWith('.phi-redact/'))).toEqual(['a.txt', 'c.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('output permissions', () => {
  it('outputs are 0600 by default and exactly --mode when given; a bad --mode is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phi-hard-mode-'));
    try {
      put(dir, 'in/a.txt', GOOD);
      const modeOf = (p: string): number => statMode(join(dir, p));
      expect((await run(['redact', 'in', '--out', 'o1', '--detectors', 'rules', '--emit', 'spans'], fakeIO({ cwd: dir }).io)).exitCode).toBe(0);
      expect(modeOf('o1/a.txt')).toBe(0o600);
      expect(modeOf('o1/a.txt.spans.json')).toBe(0o600);
      expect((await run(['redact', 'in', '--out', 'o2', '--detectors', 'rules', '--mode', '0644'], fakeIO({ cwd: dir }).io)).exitCode).toBe(0);
      expect(modeOf('o2/a.txt')).toBe(0o644);
      // Exactly the bits asked for, whatever the umask.
      expect((await run(['redact', 'in', '--out', 'o3', '--detectors', 'rules', '--mode', '666'], fakeIO({ cwd: dir }).io)).exitCode).toBe(0);
      expect(modeOf('o3/a.txt')).toBe(0o666);
      const bad = fakeIO({ cwd: dir });
      expect((await run(['redact', 'in', '--out', 'o4', '--detectors', 'rules', '--mode', 'rw-r--r--'], bad.io)).exitCode).toBe(2);
      expect(bad.stderr()).toMatch(/--mode must be octal/u);
      expect(existsSync(join(dir, 'o4'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function statMode(path: string): number {
  return statSync(path).mode & 0o777;
}

describe('folder mode: FIFOs and devices never hang the run', () => {
  const NOT_REGULAR = 'E044 cannot read (not a regular file: FIFO, device or socket)';

  it('a FIFO in the folder, a FIFO named explicitly and /dev/zero are each refused with one line; the good note is written', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'phi-hard-fifo-'));
    try {
      put(dir, 'in/good.txt', GOOD);
      if (spawnSync('mkfifo', [join(dir, 'in', 'pipe.txt')]).status !== 0 || spawnSync('mkfifo', [join(dir, 'named.fifo')]).status !== 0) {
        console.log('FIFO test skipped: mkfifo is not available');
        ctx.skip();
        return;
      }
      const f = fakeIO({ cwd: dir });
      const r = await run(['redact', 'in', 'named.fifo', '/dev/zero', '--out', 'out', '--detectors', 'rules'], f.io);
      expect(r.exitCode).toBe(1);
      expect(f.stderr().trimEnd().split('\n').sort()).toEqual([
        `phi-redact: /dev/zero: ${NOT_REGULAR}`,
        `phi-redact: in/pipe.txt: ${NOT_REGULAR}`,
        `phi-redact: named.fifo: ${NOT_REGULAR}`,
      ]);
      expect(f.stdout()).toContain('1 note redacted, 3 failed');
      expect(existsSync(join(dir, 'out', 'in', 'good.txt'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a note swapped for a FIFO after listing is refused at read time (no blocking open)', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'phi-hard-swap-'));
    try {
      for (const n of ['a', 'b']) put(dir, `in/${n}.txt`, GOOD);
      const outDir = join(dir, 'out');
      const { files } = await collectInputs(['in'], { cwd: dir, outDir });
      unlinkSync(join(dir, 'in', 'b.txt'));
      if (spawnSync('mkfifo', [join(dir, 'in', 'b.txt')]).status !== 0) {
        ctx.skip();
        return;
      }
      const engine = await createEngine({ load: { detectors: ['rules'] }, workers: 1 });
      const problems: string[] = [];
      try {
        const audit = new AuditCollector('folder', engine.fingerprints, engine.detectorIds);
        const summary = await runFolder({ files, outDir, engine, audit, onProblem: (d, m) => problems.push(`${d}: ${m}`) });
        expect(summary).toMatchObject({ done: 1, failed: 1 });
      } finally {
        await engine.close();
      }
      expect(problems).toEqual([`in/b.txt: ${NOT_REGULAR}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('folder mode: file names with control characters', () => {
  it('a newline or ESC in a bad file name is escaped: still one line per problem, no terminal control', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phi-hard-names-'));
    try {
      put(dir, 'in/line\nbreak.txt', Buffer.from([0, 1, 2]));
      put(dir, 'in/\u001b[31mred.txt', '');
      put(dir, 'in/good.txt', GOOD);
      const f = fakeIO({ cwd: dir });
      const r = await run(['redact', 'in', '--out', 'out', '--detectors', 'rules'], f.io);
      expect(r.exitCode).toBe(1);
      expect(f.stderr().trimEnd().split('\n').sort()).toEqual([
        'phi-redact: in/\\x1b[31mred.txt: E041 empty file',
        'phi-redact: in/line\\x0abreak.txt: E042 binary file (NUL byte at byte 0), not a text note',
      ]);
      expect(f.stderr()).not.toContain('\u001b');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
