import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/config.js';
import { loadPipeline } from '../../../src/io/loadPipeline.js';

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
});
