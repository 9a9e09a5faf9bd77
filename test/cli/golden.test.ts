import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeIO } from './fakeIO.js';

/**
 * Golden CLI cases (secretlint's fixture folders): test/fixtures/cli/ok.<case>/ and ng.<case>/
 * each hold `case.json` ({args, stdin?, files?}), an optional `input/` tree, and `expected/`
 * (stdout, stderr, exit-code, out/** including the normalised manifest). The runner copies the
 * case to a temp folder, runs the CLI in-process there, normalises paths and mtimes, and
 * compares. `UPDATE_GOLDEN=1 npx vitest run test/cli/golden.test.ts` rewrites `expected/`.
 *
 * `{config}` in args is the frozen fixture config (fixture rule pack, rules only), so these
 * outputs change when the CLI changes, not when the bundled rules improve.
 */

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cli');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Case {
  args: string[];
  stdin?: string | { base64: string };
  files?: Record<string, { text: string } | { base64: string }>;
}

function bytesOf(v: string | { text: string } | { base64: string }): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return 'text' in v ? Buffer.from(v.text, 'utf8') : Buffer.from(v.base64, 'base64');
}

function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p).split('\\').join('/'));
    }
  };
  walk(root);
  return out;
}

function hashTree(root: string): Record<string, string> {
  return Object.fromEntries(listFiles(root).map((f) => [f, createHash('sha256').update(readFileSync(join(root, f))).digest('hex')]));
}

function normalise(text: string, tmp: string): string {
  return text.split(tmp).join('<tmp>').split(FIXTURES).join('<fixtures>');
}

function normaliseManifest(text: string, tmp: string): string {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const entry = JSON.parse(l) as Record<string, unknown>;
      entry.input = normalise(String(entry.input), tmp);
      if (entry.mtimeMs !== null) entry.mtimeMs = 0;
      if (entry.fingerprint !== undefined) entry.fingerprint = '<fingerprint>';
      return JSON.stringify(entry);
    })
    .join('\n')
    .concat('\n');
}

/** The audit report minus what changes from run to run (clock, speed, version, fingerprints). */
function normaliseAudit(text: string): string {
  const report = JSON.parse(text) as Record<string, unknown>;
  for (const key of ['startedAt', 'finishedAt', 'timings', 'fingerprints', 'tool']) report[key] = `<${key}>`;
  return `${JSON.stringify(report, null, 2)}\n`;
}

const cases = readdirSync(FIXTURES).filter((n) => /^(ok|ng)\./.test(n)).sort();

describe('CLI golden cases', () => {
  it('has both ok and ng cases', () => {
    expect(cases.some((c) => c.startsWith('ok.'))).toBe(true);
    expect(cases.some((c) => c.startsWith('ng.'))).toBe(true);
  });

  it.each(cases)('%s', async (name) => {
    const caseDir = join(FIXTURES, name);
    const spec = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as Case;
    const tmp = mkdtempSync(join(tmpdir(), 'phi-golden-'));
    try {
      if (existsSync(join(caseDir, 'input'))) cpSync(join(caseDir, 'input'), join(tmp, 'input'), { recursive: true });
      for (const [path, content] of Object.entries(spec.files ?? {})) {
        mkdirSync(dirname(join(tmp, path)), { recursive: true });
        writeFileSync(join(tmp, path), bytesOf(content));
      }
      const before = hashTree(join(tmp, 'input'));
      const args = spec.args.map((a) => a.replace('{config}', join(FIXTURES, 'config.yaml')));
      const fake = fakeIO({ cwd: tmp, ...(spec.stdin !== undefined ? { stdin: bytesOf(spec.stdin) } : {}) });
      const { exitCode } = await run(args, fake.io);

      const actual: Record<string, string> = {
        stdout: normalise(fake.stdout(), tmp),
        stderr: normalise(fake.stderr(), tmp),
        'exit-code': `${exitCode}\n`,
      };
      for (const f of listFiles(join(tmp, 'out'))) {
        const raw = readFileSync(join(tmp, 'out', f), 'utf8');
        actual[`out/${f}`] = f.endsWith('manifest.jsonl') ? normaliseManifest(raw, tmp) : f.endsWith('.phi-redact/audit.json') ? normaliseAudit(raw) : raw;
      }

      const expectedDir = join(caseDir, 'expected');
      if (UPDATE) {
        rmSync(expectedDir, { recursive: true, force: true });
        for (const [f, content] of Object.entries(actual)) {
          mkdirSync(dirname(join(expectedDir, f)), { recursive: true });
          writeFileSync(join(expectedDir, f), content);
        }
      }
      const expected = Object.fromEntries(listFiles(expectedDir).map((f) => [f, readFileSync(join(expectedDir, f), 'utf8')]));
      expect(actual).toEqual(expected);
      // Inputs are never modified, whatever the case.
      expect(hashTree(join(tmp, 'input'))).toEqual(before);
      // No temp file is ever left behind.
      expect(listFiles(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
