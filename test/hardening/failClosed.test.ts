import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fakeIO } from '../cli/fakeIO.js';
import { auditOf, expectNoneOf, GOOD, PHONE, put, SECRET } from './helpers.js';

/**
 * Fail closed: when a detector cannot run as configured (model missing, truncated or of another
 * format version; a rule pack that fails validation) or the key policy cannot be met, the run
 * stops before writing any output, with a coded error and exit 2 — in folder and stream mode.
 */

const TINY = fileURLToPath(new URL('../fixtures/tiny-ner', import.meta.url));
const KEY = 'a hardening test key, 32 bytes!!';

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'phi-hard-closed-'));
  put(cwd, 'in/a.txt', GOOD);
  put(cwd, 'in/b.txt', `Dr ${SECRET} called ${PHONE}.\n`);
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function modelCopy(name: string, breakIt: (dir: string) => void): string {
  const dir = join(cwd, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(TINY, f), join(dir, f));
  breakIt(dir);
  return dir;
}

function config(name: string, body: unknown): string {
  return put(cwd, `${name}.json`, JSON.stringify(body));
}

const CASES: readonly { readonly name: string; readonly setup: () => string[]; readonly error: RegExp }[] = [
  {
    name: 'model folder missing',
    setup: () => ['--config', config('no-model', { ner: { modelDir: join(cwd, 'no-such-model') } })],
    error: /E03[01] /u,
  },
  {
    name: 'model file truncated',
    setup: () => ['--config', config('truncated', { ner: { modelDir: modelCopy('m-truncated', (d) => truncateSync(join(d, 'model.onnx'), 1000)) } })],
    error: /E033 NER model file .*model\.onnx does not match the sha256/u,
  },
  {
    name: 'model of another format version',
    setup: () => [
      '--config',
      config('wrong-version', {
        ner: {
          modelDir: modelCopy('m-version', (d) => {
            const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')) as Record<string, unknown>;
            writeFileSync(join(d, 'config.json'), JSON.stringify({ ...c, format: 'phi-ner/9' }));
          }),
        },
      }),
    ],
    error: /E032 NER model config .*format "phi-ner\/9" is not supported/u,
  },
  {
    name: 'model file replaced by garbage of the right name',
    setup: () => ['--config', config('garbage', { ner: { modelDir: modelCopy('m-garbage', (d) => writeFileSync(join(d, 'model.onnx'), 'not a model')) } })],
    error: /E033 /u,
  },
  {
    name: 'rule pack with a catastrophic regex',
    setup: () => {
      put(cwd, 'packs/bad.yaml', 'pack: bad\ndescription: d\nrules:\n  - id: r\n    label: ID\n    subtype: MRN\n    notes: A record number of six digits, as the hospital issues it.\n    patterns:\n      - name: p\n        regex: "(\\\\d+-?)+x"\n        score: 0.5\n');
      return ['--detectors', 'rules', '--config', config('bad-pack', { rules: { packs: ['packs/bad.yaml'] } })];
    },
    error: /E022 .*bad\.yaml: rule "r": pattern "p" may backtrack catastrophically/u,
  },
  {
    name: 'rule pack that fails the schema',
    setup: () => {
      put(cwd, 'packs/schema.yaml', 'pack: s\ndescription: d\nrules:\n  - id: r\n    label: PERSON\n    notes: x\n    patterns: []\n');
      return ['--detectors', 'rules', '--config', config('schema-pack', { rules: { packs: ['packs/schema.yaml'] } })];
    },
    error: /E021 .*schema\.yaml: rule "r"/u,
  },
  {
    name: 'rule pack path missing',
    setup: () => ['--detectors', 'rules', '--config', config('missing-pack', { rules: { packs: ['packs/none.yaml'] } })],
    error: /E025 /u,
  },
  {
    name: 'config file is /dev/zero (never ends: refused unread)',
    setup: () => ['--detectors', 'rules', '--config', '/dev/zero'],
    error: /^phi-redact: E011 cannot read config file \/dev\/zero \(ENOTREG\)$/mu,
  },
  {
    name: 'rule pack is a device',
    setup: () => ['--detectors', 'rules', '--config', config('device-pack', { rules: { packs: ['/dev/zero'] } })],
    error: /^phi-redact: E025 \/dev\/zero: cannot read rule pack$/mu,
  },
  {
    name: 'config file over 8 MB',
    setup: () => {
      put(cwd, 'huge-config.yaml', `# ${'x'.repeat(9 * 1024 * 1024)}\n`);
      return ['--detectors', 'rules', '--config', 'huge-config.yaml'];
    },
    error: /E011 cannot read config file .*huge-config\.yaml \(EFBIG\)/u,
  },
  {
    name: 'surrogate policy requiring a key, none given',
    setup: () => ['--detectors', 'rules', '--policy', 'surrogate', '--config', config('require-key', { surrogate: { requireKey: true } })],
    error: /^phi-redact: E117 the config requires a fixed key/mu,
  },
  {
    name: 'key file readable by group and others',
    setup: () => {
      const key = put(cwd, 'shared.key', KEY);
      chmodSync(key, 0o644);
      return ['--detectors', 'rules', '--policy', 'surrogate', '--key-file', 'shared.key'];
    },
    error: /^phi-redact: E118 key file .*shared\.key is readable by group or others \(mode 0644\): chmod 600 it$/mu,
  },
  {
    name: 'key file is /dev/zero (a device, not a regular file: refused before any read)',
    setup: () => ['--detectors', 'rules', '--policy', 'surrogate', '--key-file', '/dev/zero'],
    error: /^phi-redact: E122 key file \/dev\/zero is not a regular file$/mu,
  },
  {
    name: 'key file readable by group only',
    setup: () => {
      const key = put(cwd, 'group.key', KEY);
      chmodSync(key, 0o640);
      return ['--detectors', 'rules', '--policy', 'surrogate', '--key-file', 'group.key'];
    },
    error: /E118 .*\(mode 0640\)/u,
  },
];

describe('fail closed: the run stops before any output, exit 2', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('folder mode: %s', async (_name, c) => {
    const args = c.setup();
    const out = join(cwd, `out-${c.name.replace(/\W+/gu, '-')}`);
    const f = fakeIO({ cwd, env: {} });
    const r = await run(['redact', 'in', '--out', out, ...args], f.io);
    expect(r.exitCode).toBe(2);
    expect(f.stderr()).toMatch(c.error);
    expect(f.stderr().trimEnd().split('\n')).toHaveLength(1);
    // Not one note written: the out folder is never even created.
    expect(existsSync(out) ? readdirSync(out, { recursive: true }) : []).toEqual([]);
    expectNoneOf(f.stderr() + f.stdout(), [SECRET, PHONE, KEY], 'stderr');
  });

  it.each(CASES.map((c) => [c.name, c] as const))('stream mode: %s', async (_name, c) => {
    const args = c.setup();
    const f = fakeIO({ cwd, env: {}, stdin: `${JSON.stringify({ id: 1, text: GOOD })}\n` });
    const r = await run(['redact', '-', '--format', 'jsonl', ...args], f.io);
    expect(r.exitCode).toBe(2);
    expect(f.stderr()).toMatch(c.error);
    expect(f.stdout()).toBe('');
    expectNoneOf(f.stderr(), [SECRET, PHONE, KEY], 'stderr');
  });

  it('a 0600 key file is accepted (the same key, so the refusal above is about the mode only)', async () => {
    const key = put(cwd, 'own.key', KEY);
    chmodSync(key, 0o600);
    const f = fakeIO({ cwd, env: {} });
    const r = await run(['redact', 'in', '--out', 'out-own-key', '--detectors', 'rules', '--policy', 'surrogate', '--key-file', 'own.key', '--config', config('require-key-ok', { surrogate: { requireKey: true } })], f.io);
    expect(r.exitCode).toBe(0);
    expect(f.stderr()).toBe('');
  });

  it('requireKey is met by PHI_REDACT_KEY too', async () => {
    const f = fakeIO({ cwd, env: { PHI_REDACT_KEY: KEY } });
    const r = await run(['redact', 'in', '--out', 'out-env-key', '--detectors', 'rules', '--policy', 'surrogate', '--config', join(cwd, 'require-key-ok.json')], f.io);
    expect(r.exitCode).toBe(0);
  });
});

describe('--detectors rules', () => {
  it('runs without any model (even a broken one configured) and the audit report says rules only, model "none"', async () => {
    const f = fakeIO({ cwd });
    const r = await run(['redact', 'in', '--out', 'out-rules-only', '--detectors', 'rules', '--config', join(cwd, 'truncated.json')], f.io);
    expect(r.exitCode).toBe(0);
    const audit = auditOf(join(cwd, 'out-rules-only'));
    expect(audit.fingerprints.model).toBe('none');
    expect(audit.detectors.length).toBeGreaterThan(0);
    expect(audit.detectors.every((d) => d.startsWith('rules/') || d.startsWith('safe/') || d.startsWith('dict'))).toBe(true);
    expect(audit.detectors.some((d) => d.startsWith('ner/'))).toBe(false);
  });

  it('without --detectors, the default asks for the model and fails closed when it is missing', async () => {
    const f = fakeIO({ cwd });
    const r = await run(['redact', 'in', '--out', 'out-default', '--config', join(cwd, 'no-model.json')], f.io);
    expect(r.exitCode).toBe(2);
    expect(existsSync(join(cwd, 'out-default'))).toBe(false);
  });
});
