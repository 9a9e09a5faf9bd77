import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/config.js';
import { bundledDictionaryDir } from '../../../src/node/assets/wordLists.js';
import { loadPipeline } from '../../../src/node/createPipeline.js';

describe('dictionaries in the pipeline', () => {
  it('is among the default detectors', () => {
    expect(parseConfig({}).detectors).toContain('dictionaries');
  });

  it('rules + dictionaries: names and places tagged, dates by the rules, fingerprints for both', async () => {
    const pipeline = await loadPipeline({ detectors: ['rules', 'dictionaries'] });
    try {
      const text = 'Seen by Dr. Okafor on 3/4/2020. Wife Brenda at bedside. Transferred from Riverside Hospital.';
      const out = await pipeline.redact(text);
      expect(out.text).not.toMatch(/Okafor|Brenda|Riverside|3\/4\/2020/);
      expect(out.text).toContain('Hospital');
      const fingerprints = pipeline.fingerprints();
      expect(fingerprints['dict/names-places']).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(fingerprints).some((k) => k.startsWith('rules/'))).toBe(true);
    } finally {
      await pipeline.dispose();
    }
  });

  it('the fingerprint changes with the cue files, not with the notes', async () => {
    const a = await loadPipeline({ detectors: ['dictionaries'] });
    const b = await loadPipeline({ detectors: ['dictionaries'] });
    try {
      expect(a.fingerprints()['dict/names-places']).toBe(b.fingerprints()['dict/names-places']);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it('reads cue files from the folder the config names (dictionaries.cues), relative to the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dict-config-'));
    mkdirSync(join(dir, 'cues'));
    const names = readFileSync(join(bundledDictionaryDir(), 'names.yaml'), 'utf8').replace('titles: [dr,', 'titles: [capt, dr,');
    writeFileSync(join(dir, 'cues', 'names.yaml'), names);
    writeFileSync(join(dir, 'cues', 'places.yaml'), readFileSync(join(bundledDictionaryDir(), 'places.yaml'), 'utf8'));
    writeFileSync(join(dir, 'custom.yaml'), 'detectors: [dictionaries]\ndictionaries:\n  cues: cues\n');
    writeFileSync(join(dir, 'missing.yaml'), 'detectors: [dictionaries]\ndictionaries:\n  cues: no-such-folder\n');
    const text = 'k 3.1 this am. capt okafor aware, kcl given.';
    const bundled = await loadPipeline({ detectors: ['dictionaries'] });
    const custom = await loadPipeline({ configPath: join(dir, 'custom.yaml') });
    try {
      expect((await bundled.analyze(text)).spans).toEqual([]);
      expect((await custom.analyze(text)).spans.map((s) => text.slice(s.start, s.end))).toEqual(['okafor']);
      expect(custom.fingerprints()['dict/names-places']).not.toBe(bundled.fingerprints()['dict/names-places']);
    } finally {
      await bundled.dispose();
      await custom.dispose();
    }
    await expect(loadPipeline({ configPath: join(dir, 'missing.yaml') })).rejects.toThrow(/^E027 cannot read cue file/);
  });
});
