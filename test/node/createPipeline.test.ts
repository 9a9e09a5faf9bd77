import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, ConfigError, parseConfig } from '../../src/core/config.js';
import { DETECTOR_KINDS, parseDetectorList } from '../../src/core/detectorKinds.js';
import { DETECTOR_FACTORIES } from '../../src/node/registry.js';
import { loadConfig, loadPipeline, nerThreads } from '../../src/node/createPipeline.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'phi-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const PACK = `pack: tiny
description: one rule for these tests
rules:
  - id: tiny-mrn
    label: ID
    subtype: MRN
    notes: digits after MRN, for the loadPipeline tests only
    patterns:
      - name: after-mrn
        regex: 'MRN (?<phi>\\d{4,})'
        score: 0.9
`;

describe('loadConfig', () => {
  it('returns the defaults without a file', () => {
    const c = loadConfig();
    expect(c.detectors).toEqual(['rules', 'dictionaries', 'ner']);
    expect(c.policy.DEFAULT).toBe('tag');
  });

  it.each([
    ['YAML', 'c.yaml', 'detectors: [rules]\npolicy:\n  DEFAULT: mask\n  DATE: tag\n'],
    ['JSON', 'c.json', '{"detectors":["rules"],"policy":{"DEFAULT":"mask","DATE":"tag"}}'],
  ])('reads %s', (_kind, name, content) => {
    const c = loadConfig(file(name, content));
    expect(c.detectors).toEqual(['rules']);
    expect(c.policy).toEqual({ DEFAULT: 'mask', DATE: 'tag' });
  });

  it.each([
    ['a missing file', null, 'E011', /cannot read config file .*missing\.yaml \(ENOENT\)/],
    ['broken YAML', 'detectors: [rules\n', 'E014', /bad\.yaml is not valid YAML or JSON/],
    ['an unknown detector', 'detectors: [regex]\n', 'E010', /bad\.yaml: invalid value at detectors\.0/],
    ['an unknown operator', 'policy:\n  DEFAULT: erase\n', 'E010', /bad\.yaml: invalid value at policy\.DEFAULT/],
    ['an unknown label in the policy', 'policy:\n  PERSON: tag\n', 'E010', /bad\.yaml/],
    ['a misspelt top-level key', 'polcy:\n  DEFAULT: mask\n', 'E010', /bad\.yaml: unknown key "polcy" at \(root\) \(did you mean "policy"\?\)/],
    ['a misspelt nested key', 'ner:\n  treshold: 0.5\n', 'E010', /bad\.yaml: unknown key "treshold" at ner \(did you mean "threshold"\?\)/],
    ['an unknown key far from any known one', 'zzzzzz: 1\n', 'E010', /bad\.yaml: unknown key "zzzzzz" at \(root\)$/],
  ])('refuses %s with a coded error naming the file', (_name, content, code, message) => {
    const path = content === null ? join(dir, 'missing.yaml') : file('bad.yaml', content);
    try {
      loadConfig(path);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe(code);
      expect((err as Error).message).toMatch(message);
    }
  });
});

describe('loadPipeline', () => {
  it('loads rule packs named in the config relative to the config file', async () => {
    mkdirSync(join(dir, 'packs'));
    file('packs/tiny.yaml', PACK);
    const configPath = file('c.yaml', 'detectors: [rules]\nrules:\n  packs: [packs]\n');
    const pipeline = await loadPipeline({ configPath });
    expect((await pipeline.redact('MRN 123456 seen')).text).toBe('MRN [ID] seen');
  });

  it('--detectors overrides the config', async () => {
    mkdirSync(join(dir, 'packs'));
    file('packs/tiny.yaml', PACK);
    const configPath = file('c.yaml', 'detectors: [ner]\nrules:\n  packs: [packs]\n');
    const pipeline = await loadPipeline({ configPath, detectors: ['rules'] });
    expect(pipeline.config.detectors).toEqual(['rules']);
    expect((await pipeline.redact('MRN 123456')).text).toBe('MRN [ID]');
  });

  it('takes a partial config object and fills in the defaults (a library caller writes only what it changes)', async () => {
    const pipeline = await loadPipeline({ config: { detectors: ['rules'], policy: { DATE: 'mask' } } });
    expect(pipeline.config.policy).toEqual({ DEFAULT: 'tag', DATE: 'mask' });
    expect(pipeline.config.ner.threshold).toBe(CONFIG_DEFAULTS.ner.threshold);
    expect((await pipeline.redact('Seen 3/14/2023, call 617-555-0142.')).text).toBe('Seen *********, call [CONTACT].');
    // The call from issue 19 (it threw a TypeError once): only the default operator given.
    const masked = await loadPipeline({ config: { policy: { DEFAULT: 'mask' } }, detectors: ['rules'] });
    expect(masked.config.policy).toEqual({ DEFAULT: 'mask' });
    expect((await masked.redact('Call 617-555-0142.')).text).toBe('Call ************.');
    await expect(loadPipeline({ config: { polcy: {} } as never })).rejects.toThrow(/^E010 config: unknown key "polcy" at \(root\) \(did you mean "policy"\?\)/);
  });

  it('loads the bundled rule packs by default', async () => {
    const pipeline = await loadPipeline({ detectors: ['rules'] });
    expect(pipeline.detectors.length).toBeGreaterThan(0);
  });

  it('fails closed with E030 when NER is requested and the model is missing (never falls back to rules)', async () => {
    const configPath = file('c.yaml', 'ner:\n  modelDir: no-model-here\n');
    await expect(loadPipeline({ configPath })).rejects.toThrow(
      new RegExp(`^E030 NER model not available at ${join(dir, 'no-model-here').replace(/[/\\.]/g, '\\$&')}; use --detectors rules`),
    );
    await expect(loadPipeline({ configPath, detectors: ['ner'] })).rejects.toThrow(/^E030 /);
  });
});

describe('the detector registry', () => {
  it('every kind has a factory, and the config schema and --detectors accept exactly the registry kinds', () => {
    expect(Object.keys(DETECTOR_FACTORIES)).toEqual([...DETECTOR_KINDS]);
    for (const kind of DETECTOR_KINDS) expect(parseConfig({ detectors: [kind] }).detectors).toEqual([kind]);
    expect(() => parseConfig({ detectors: ['regex'] })).toThrow(/^E010 config: invalid value at detectors\.0/);
    expect(parseDetectorList(' ner,rules,,ner ')).toEqual({ kinds: ['ner', 'rules'] });
    expect(parseDetectorList('rules,regex')).toEqual({ kinds: [], unknown: 'regex' });
  });

  it('loads detectors in registry order whatever order they are asked in', async () => {
    const a = await loadPipeline({ detectors: ['dictionaries', 'rules'] });
    const b = await loadPipeline({ detectors: ['rules', 'dictionaries'] });
    expect(a.detectors.map((d) => d.id)).toEqual(b.detectors.map((d) => d.id));
    expect(a.detectors[0]!.id.startsWith('rules/')).toBe(true);
    expect(a.detectors.at(-1)!.id.startsWith('dict/')).toBe(true);
  });
});

describe('nerThreads: NER intra-op threads per pipeline', () => {
  it('the config wins; unset, the cores are divided among the pipelines sharing them, at least 1 each', () => {
    expect(nerThreads(3, 2, 2)).toBe(3);
    expect(nerThreads(undefined, 1, 2)).toBe(2);
    expect(nerThreads(undefined, 2, 2)).toBe(1);
    expect(nerThreads(undefined, 3, 8)).toBe(2);
    expect(nerThreads(undefined, 16, 2)).toBe(1);
    expect(nerThreads(undefined, 0, 4)).toBe(4);
  });
});
