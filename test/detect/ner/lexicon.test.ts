import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/core/config.js';
import type { Span } from '../../../src/core/span.js';
import { plainWordTest, WORD_CLASSES, wordLexicon, type DictionaryData } from '../../../src/lexicon/index.js';
import { createNerDetector } from '../../../src/detect/ner/index.js';
import { acquireModel } from '../../../src/detect/ner/session.js';
import { WORD_SHAPES, wordShape } from '../../../src/detect/ner/words.js';
import type { WordLexicon } from '../../../src/lexicon/types.js';
import { loadPipeline } from '../../../src/node/createPipeline.js';
import { dictionaryData } from '../dictionaries/helpers.js';
import { copyModelFolder, editConfig, loadError, suiteTempDir } from './modelFolders.js';
import { singlePassSpans } from './singlePass.js';

/** phi-ner/3 twin of the tiny fixture: its shape_ids table has |shapes| x |word classes| rows (make.py). */
const TINY_LEXICON = fileURLToPath(new URL('../../fixtures/tiny-ner-lexicon', import.meta.url));

const key = (spans: readonly Span[]): string => JSON.stringify(spans.map((s) => [s.start, s.end, s.label, s.score.toFixed(9)]));
const fixed = (cls: (typeof WORD_CLASSES)[number]): WordLexicon => ({ classes: WORD_CLASSES, classOf: () => WORD_CLASSES.indexOf(cls) });

describe('wordLexicon: what the word lists say of a word (the phi-ner/3 input)', () => {
  let data: DictionaryData;
  let lexicon: WordLexicon;
  beforeAll(async () => {
    data = await dictionaryData();
    lexicon = wordLexicon(data, plainWordTest(data));
  });
  const classOf = (w: string): string => WORD_CLASSES[lexicon.classOf(w)]!;

  it('classes plain words and their typing slips, names, places, unknown words and numbers, whatever the case', () => {
    for (const w of ['elbow', 'Fentanyl', 'AZITHROMYCIN', 'reveiw', 'Cehmistry']) expect(classOf(w), w).toBe('plain');
    for (const w of ['2091', '½']) expect(classOf(w), w).toBe('number');
    for (const w of ['Zzqxvj', 'qwpzk']) expect(classOf(w), w).toBe('unknown');
    const commonName = [...data.names].find((w) => data.common.has(w) && !plainWordTest(data).has(w))!;
    const name = [...data.names].find((w) => !data.common.has(w) && !plainWordTest(data).has(w) && w.length > 4)!;
    const place = [...data.cities].find((w) => !w.includes(' ') && !data.names.has(w) && !plainWordTest(data).has(w))!;
    expect([classOf(commonName), classOf(name.toUpperCase()), classOf(place)]).toEqual(['common-name', 'name', 'place']);
  });

  it('never gives class 0 (reserved for [CLS], [SEP] and padding) to a word', () => {
    for (const w of ['a', 'I', 'the', 'Smith', '3x', 'MRN445566', '東京']) expect(lexicon.classOf(w)).toBeGreaterThan(0);
  });

  it('lists the classes the fixture model was made with (make.py LEXICON)', () => {
    const config = JSON.parse(readFileSync(`${TINY_LEXICON}/config.json`, 'utf8')) as { lexicon: string[] };
    expect(config.lexicon).toEqual([...WORD_CLASSES]);
  });
});

describe('a phi-ner/3 model (case shape and word class in one input)', () => {
  it('fails closed without the word lists, or with other word classes: E038', async () => {
    const bare = createNerDetector({ modelDir: TINY_LEXICON, threads: 1 });
    await expect(bare.load!()).rejects.toThrow(/^E038 .*no word lists were loaded/);
    const other = createNerDetector({ modelDir: TINY_LEXICON, threads: 1, lexicon: { classes: ['none', 'plain'], classOf: () => 1 } });
    await expect(other.load!()).rejects.toThrow(/^E038 .*reads the word classes \[none, plain, common-name/);
  });

  it('loads with them, and a word\'s class reaches the model: the same note read as plain words or as names gets other spans', async () => {
    const note = 'Pt seen by Dr. John Smith at Springfield General Hospital on 3/4/2020; Mary Jones called from Boston.';
    const asPlain = createNerDetector({ modelDir: TINY_LEXICON, threshold: 0.5, threads: 1, lexicon: fixed('plain') });
    const asName = createNerDetector({ modelDir: TINY_LEXICON, threshold: 0.5, threads: 1, lexicon: fixed('name') });
    try {
      expect(key(await asPlain.detect(note))).not.toBe(key(await asName.detect(note)));
      expect(asPlain.fingerprint!()).toMatch(/^phi-ner\/3 sha256:/);
    } finally {
      await asPlain.dispose!();
      await asName.dispose!();
    }
  });

  it('windowed detection equals a single pass fed shape + |shapes| x class, for several window sizes', async () => {
    const data = await dictionaryData();
    const lexicon = wordLexicon(data, plainWordTest(data));
    const note = 'Pt seen by Dr. John SMITH at springfield General Hospital on 3/4/2020 for chest pain, reveiw of sytems neg. ' +
      'MRS MARY JONES (daughter) called from Boston, tel 555-0100. I saw pt with Dr. J. Okafor at the clinic.';
    const { model, release } = await acquireModel(TINY_LEXICON, { threads: 1, spinning: false });
    try {
      expect(model.lexicon).toEqual([...WORD_CLASSES]);
      const feature = (w: string): number => wordShape(w) + WORD_SHAPES.length * lexicon.classOf(w);
      const reference = key(await singlePassSpans(model, note, 0.5, feature));
      expect(reference).not.toBe(key(await singlePassSpans(model, note, 0.5)));
      for (const [windowTokens, strideTokens] of [[12, 3], [40, 8], [512, 32]] as const) {
        const d = createNerDetector({ modelDir: TINY_LEXICON, threshold: 0.5, threads: 1, windowTokens, strideTokens, batchSize: 3, lexicon });
        expect(key(await d.detect(note)), `window ${windowTokens}`).toBe(reference);
        await d.dispose!();
      }
    } finally {
      await release();
    }
  });

  it('loadPipeline gives a phi-ner/3 model the word lists even with the dictionaries detector and the plain-word check off', async () => {
    const config = parseConfig({ detectors: ['ner'], ner: { modelDir: TINY_LEXICON, plainWordThreshold: 0, threads: 1 } });
    const pipeline = await loadPipeline({ config, baseDir: process.cwd() });
    try {
      const [analysis] = await pipeline.analyzeBatch(['Pt seen by Dr. John Smith at Springfield General Hospital.']);
      expect(analysis!.raw.length).toBeGreaterThan(0);
      expect(analysis!.raw.every((s) => s.source === 'ner/phi-ner')).toBe(true);
    } finally {
      await pipeline.dispose();
    }
  });
});

describe('phi-ner/3 config checks fail closed', () => {
  const root = suiteTempDir('phi-ner3-');

  it('phi-ner/3 without "lexicon", or another format with it: E032', async () => {
    const missing = await copyModelFolder(TINY_LEXICON, join(root(), 'missing'));
    await editConfig(missing, (c) => delete c.lexicon);
    expect(await loadError(missing)).toMatch(/^E032 .*"lexicon" \(word classes\) is required by phi-ner\/3 and only by it/);
    const extra = await copyModelFolder(TINY_LEXICON, join(root(), 'extra'));
    await editConfig(extra, (c) => (c.format = 'phi-ner/2'));
    expect(await loadError(extra)).toMatch(/^E032 .*"lexicon"/);
  });
});
