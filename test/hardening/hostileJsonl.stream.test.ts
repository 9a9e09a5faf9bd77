import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeIO } from '../cli/fakeIO.js';

/**
 * Issue 17, stream mode: a line nested 5,000 deep once killed the whole stream (`internal error
 * (RangeError)`), ids above 2^53 came back rounded (two patients in one surrogate scope),
 * `__proto__` was dropped and CRLF lines came out LF. Now: one coded line for the deep record,
 * every other note out, other fields byte for byte, line ends kept.
 */

const NOTE = 'Seen by Dr. Zed Quillfeather on 3/4/2021, again 3/18/2021.';
const LINES = [
  `{"id":1,"patient_id":9007199254740993,"text":${JSON.stringify(NOTE)}}\r\n`,
  `{"id":2,"text":"Zed Quillfeather","deep":${'['.repeat(5000)}${']'.repeat(5000)}}\n`,
  `{"id":3,"patient_id":9007199254740992,"text":${JSON.stringify(NOTE)}}\n`,
  `{"__proto__":{"role":"x"},"id":12345678901234567891,"n":1.0e+2,"text":"Call 410-328-7755."}\r\n`,
];

let cwd: string;
let stdout: string;
let stderr: string;
let exitCode: number;

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-hostile-jsonl-'));
  const f = fakeIO({ cwd, stdin: LINES.join(''), env: { PHI_REDACT_KEY: 'hostile jsonl test key, 32 bytes' } });
  exitCode = (await run(['redact', '-', '--format', 'jsonl', '--detectors', 'rules', '--policy', 'surrogate'], f.io)).exitCode;
  stdout = f.stdout();
  stderr = f.stderr();
}, 60_000);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('stream mode: hostile JSONL records', () => {
  it('the 5,000-deep line is one coded, content-free error naming <stdin> and its line; the others come out', () => {
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^phi-redact: <stdin>: E057 line 2 is nested deeper than 1000 levels$/mu);
    expect(stderr).not.toMatch(/internal error|RangeError|Quillfeather/u);
    const out = stdout.split(/(?<=\n)/u);
    expect(out).toHaveLength(3);
    expect(out.map((l) => /"id":(\d+)/u.exec(l)?.[1])).toEqual(['1', '3', '12345678901234567891']);
  });

  it('every field but text is byte-identical, CRLF lines stay CRLF', () => {
    const [first, second, third] = stdout.split(/(?<=\n)/u) as [string, string, string];
    expect(first.startsWith('{"id":1,"patient_id":9007199254740993,"text":"')).toBe(true);
    expect(first.endsWith('"}\r\n')).toBe(true);
    expect(second.startsWith('{"id":3,"patient_id":9007199254740992,"text":"')).toBe(true);
    expect(second.endsWith('"}\n')).toBe(true);
    expect(third.startsWith('{"__proto__":{"role":"x"},"id":12345678901234567891,"n":1.0e+2,"text":"Call ')).toBe(true);
    expect(third.endsWith('"}\r\n')).toBe(true);
    expect(third).not.toContain('410-328-7755');
  });

  it('patients 2^53 and 2^53 + 1 are two scopes (their dates move differently)', () => {
    const texts = stdout.split(/(?<=\n)/u).map((l) => (JSON.parse(l) as { text: string }).text);
    expect(texts[0]).not.toContain('3/4/2021');
    expect(texts[1]).not.toContain('3/4/2021');
    expect(texts[0]).not.toBe(texts[1]);
  });
});
