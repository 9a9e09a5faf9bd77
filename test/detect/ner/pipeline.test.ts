import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/run.js';
import { parseConfig } from '../../../src/core/config.js';
import { loadPipeline } from '../../../src/node/createPipeline.js';
import { fakeIO } from '../../cli/fakeIO.js';

/** The hybrid pipeline wiring: loadPipeline → dynamic import of the NER module → Pipeline. */
const TINY = fileURLToPath(new URL('../../fixtures/tiny-ner', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'phi-ner-pipe-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function brokenCopy(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(TINY, f), join(dir, f));
  truncateSync(join(dir, 'model.onnx'), 1000);
  return dir;
}

describe('hybrid pipeline with the NER detector', () => {
  it('the config\'s second-look thresholds reach the detector; the plain-word check is off when it adds nothing', async () => {
    const fingerprint = async (ner: Record<string, unknown>): Promise<string> => {
      const pipeline = await loadPipeline({ config: parseConfig({ detectors: ['ner'], ner: { modelDir: TINY, threads: 1, ...ner } }), baseDir: work });
      try {
        return pipeline.fingerprints()['ner/phi-ner']!;
      } finally {
        await pipeline.dispose();
      }
    };
    expect(await fingerprint({})).toMatch(/ threshold=0\.3 numeric=0\.9 plain=0\.9 uncapitalised=0\.8 slip=1 oneWord=0\.5 standAlone=0\.9$/);
    expect(await fingerprint({ oneWordThreshold: 0.7, slipThreshold: 0.95, standAloneThreshold: 0.95 })).toMatch(/ slip=0\.95 oneWord=0\.7 standAlone=0\.95$/);
    expect(
      await fingerprint({ threshold: 0.5, numericThreshold: 0.5, plainWordThreshold: 0.4, uncapitalisedThreshold: 0.5, slipThreshold: 0.4, oneWordThreshold: 0, standAloneThreshold: 0 }),
    ).toMatch(/ threshold=0\.5$/);
  });

  it('the NER fingerprint follows the cue files it reads, even with the dictionaries detector off', async () => {
    const bundled = fileURLToPath(new URL('../../../assets/dictionaries/', import.meta.url));
    const places = readFileSync(join(bundled, 'places.yaml'), 'utf8');
    // A folder each: the word lists are loaded once per cue folder and process.
    const fingerprint = async (placesText: string): Promise<string> => {
      const cues = mkdtempSync(join(work, 'site-cues-'));
      copyFileSync(join(bundled, 'names.yaml'), join(cues, 'names.yaml'));
      writeFileSync(join(cues, 'places.yaml'), placesText);
      const pipeline = await loadPipeline({ config: parseConfig({ detectors: ['ner'], dictionaries: { cues }, ner: { modelDir: TINY, threads: 1 } }), baseDir: work });
      try {
        return pipeline.fingerprints()['ner/phi-ner']!;
      } finally {
        await pipeline.dispose();
      }
    };
    const before = await fingerprint(places);
    const after = await fingerprint(places.replace('placePrepositions: [at, to, from, in, into]', 'placePrepositions: [at, to]'));
    expect(before).toMatch(/ lists=[0-9a-f]{64} threshold=/);
    expect(after).not.toBe(before);
  });


  it('rules + ner: both detectors contribute raw spans and the merged spans are disjoint', async () => {
    const pipeline = await loadPipeline({ config: parseConfig({ ner: { modelDir: TINY, threads: 1, threshold: 0.5 } }), baseDir: work });
    try {
      expect(pipeline.detectors.some((d) => d.id === 'ner/phi-ner')).toBe(true);
      const text = 'Seen by Dr. John Smith on 3/4/2020, call 617-555-0123 or mail john.smith@example.org.';
      const [analysis] = await pipeline.analyzeBatch([text]);
      const sources = new Set(analysis!.raw.map((s) => s.source));
      expect(sources.has('ner/phi-ner')).toBe(true);
      expect([...sources].some((s) => s !== 'ner/phi-ner')).toBe(true);
      for (const [i, s] of analysis!.spans.entries()) if (i > 0) expect(s.start).toBeGreaterThan(analysis!.spans[i - 1]!.end);
      expect(pipeline.fingerprints()['ner/phi-ner']).toMatch(/sha256:[0-9a-f]{64}/);
    } finally {
      await pipeline.dispose();
    }
  });

  it('a truncated model stops loadPipeline with E033 (no fallback to rules only)', async () => {
    const dir = brokenCopy('lp-truncated');
    await expect(loadPipeline({ config: parseConfig({ ner: { modelDir: dir } }), baseDir: work })).rejects.toThrow(/^E033 NER model file .*model\.onnx does not match the sha256/);
  });

  it('--detectors rules still runs when the model is broken', async () => {
    const dir = brokenCopy('lp-rules-only');
    const pipeline = await loadPipeline({ config: parseConfig({ ner: { modelDir: dir } }), detectors: ['rules'], baseDir: work });
    expect(pipeline.detectors.some((d) => d.id === 'ner/phi-ner')).toBe(false);
    await pipeline.dispose();
  });

  it('redact stops with exit 2 and writes nothing when the model is truncated', async () => {
    const case_ = join(work, 'cli-truncated');
    mkdirSync(join(case_, 'in'), { recursive: true });
    writeFileSync(join(case_, 'in', 'note.txt'), 'Seen by Dr. John Smith on 3/4/2020.\n');
    const model = brokenCopy('cli-model');
    writeFileSync(join(case_, 'config.json'), JSON.stringify({ ner: { modelDir: model } }));
    const f = fakeIO({ cwd: case_ });
    const result = await run(['redact', 'in', '--out', 'out', '--config', 'config.json'], f.io);
    expect(result.exitCode).toBe(2);
    expect(f.stderr()).toMatch(/E033 NER model file .*model\.onnx does not match the sha256/);
    expect(f.stderr()).not.toContain('Smith');
    expect(existsSync(join(case_, 'out'))).toBe(false);
  });
});
