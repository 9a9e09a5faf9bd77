import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/node/runs/audit.js';
import { assertBuilt, hashTree, notOurs, runCli } from './cli.js';
import { writeNoteTree } from './notes.js';

/**
 * With the NER model in the pipeline, each pool worker loads it exactly once (the audit counts
 * pipeline builds per thread), outputs match the in-process run, and a missing model stops the
 * pool run before anything is written (fail closed, from inside a worker thread).
 */

const TINY = fileURLToPath(new URL('../fixtures/tiny-ner', import.meta.url));
let tmp: string;

beforeAll(() => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'phi-scale-ner-'));
  writeNoteTree(join(tmp, 'notes'), 100);
  writeFileSync(join(tmp, 'ner.yaml'), `detectors: [rules, ner]\nner:\n  modelDir: ${JSON.stringify(TINY)}\n  threads: 1\n`);
  writeFileSync(join(tmp, 'missing.yaml'), `detectors: [rules, ner]\nner:\n  modelDir: ${JSON.stringify(join(tmp, 'no-model'))}\n`);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const audit = (out: string): AuditReport => JSON.parse(readFileSync(join(tmp, out, '.phi-redact', 'audit.json'), 'utf8')) as AuditReport;

describe('NER in the worker pool', () => {
  it('loads the model once per worker and writes what one process writes', async () => {
    const one = await runCli(['redact', 'notes', '--out', 'one', '--config', 'ner.yaml', '--workers', '1'], tmp);
    const two = await runCli(['redact', 'notes', '--out', 'two', '--config', 'ner.yaml', '--workers', '2'], tmp);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(hashTree(join(tmp, 'two'), notOurs)).toEqual(hashTree(join(tmp, 'one'), notOurs));
    expect(audit('two').workers).toEqual({ count: 2, pipelineLoads: 2 });
    expect(audit('one').workers).toEqual({ count: 1, pipelineLoads: 1 });
    expect(audit('two').fingerprints.model).toMatch(/sha256:[0-9a-f]{64}/);
    expect(audit('two').detectors).toContain('ner/phi-ner');
    expect(Object.keys(audit('two').spans.byDetector)).toContain('ner/phi-ner');
  });

  it('fails closed when a worker cannot load the model: exit 2, nothing written', async () => {
    const r = await runCli(['redact', 'notes', '--out', 'none', '--config', 'missing.yaml', '--workers', '2'], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^phi-redact: E030 /);
    expect(existsSync(join(tmp, 'none'))).toBe(false);
  });
});
