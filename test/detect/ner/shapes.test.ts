import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import { createNerDetector, type NerDetector } from '../../../src/detect/ner/index.js';
import { acquireModel } from '../../../src/detect/ner/session.js';
import { splitWords, wordShape, WORD_SHAPES } from '../../../src/detect/ner/words.js';
import { copyModelFolder, editConfig, loadError, suiteTempDir } from './modelFolders.js';
import { singlePassSpans } from './singlePass.js';

/** phi-ner/2 twin of the tiny fixture: same context-free network plus a case-shape embedding (make.py). */
const TINY_SHAPES = fileURLToPath(new URL('../../fixtures/tiny-ner-shapes', import.meta.url));
const TINY = fileURLToPath(new URL('../../fixtures/tiny-ner', import.meta.url));
const PHI_TEXT_DIR = fileURLToPath(new URL('../../../models/train', import.meta.url));
const PYTHON = '/usr/bin/python3';

const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'ÀÉÎÕÜàéîõüçÇñÑßøØæÆœŒłŁşŞğĞ',
  ...'ΑΒΓΔαβγδΣσςАБВГабвгЁё東京病院',
  ...'½²³٣\u0301\u0327',
  ...' \n\t.,;:/-#()\'"@&+*%',
];

const key = (spans: readonly Span[]): string => JSON.stringify(spans.map((s) => [s.start, s.end, s.label, s.score.toFixed(9)]));

describe('wordShape: the case-shape classes phi-ner/2 models read', () => {
  it.each<[string, (typeof WORD_SHAPES)[number]]>([
    ['smith', 'lower'],
    ['Smith', 'capitalized'],
    ['McDonald', 'capitalized'],
    ['SPringfield', 'capitalized'],
    ['SMITH', 'upper'],
    ['ICU', 'upper'],
    ['I', 'single-upper'],
    ['J', 'single-upper'],
    ['a', 'lower'],
    ['iPhone', 'lower'],
    ['Émile', 'capitalized'],
    ['ÉMILE', 'upper'],
    ['東京', 'lower'],
    ['ß', 'lower'],
    ['2091', 'number'],
    ['½', 'number'],
    ['3x', 'mixed'],
    ['MRN445566', 'mixed'],
    ['/', 'symbol'],
    ['#', 'symbol'],
  ])('%s is %s', (word, shape) => {
    expect(splitWords(word).map((w) => word.slice(w.start, w.end))).toEqual([word]);
    expect(WORD_SHAPES[wordShape(word)]).toBe(shape);
  });

  it('every pre-split word of any text gets a class other than "special"', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        for (const w of splitWords(text)) {
          const s = wordShape(text.slice(w.start, w.end));
          expect(s).toBeGreaterThanOrEqual(1);
          expect(s).toBeLessThan(WORD_SHAPES.length);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  // Training computes shapes in Python (models/train/phi_text.py); a disagreement would feed the
  // model shapes it never saw in training. Random text, split by the runtime, classed by both.
  // The alphabet covers the scripts of clinical text (Latin with accents, Greek, Cyrillic, CJK,
  // digits, fractions, punctuation); letters from scripts that entered Unicode recently can be
  // classed differently by the two Unicode databases (Python's vs Node's ICU) and are left out.
  it.skipIf(!existsSync(PYTHON))('gives the same class as the training code (phi_text.word_shape) on random words', () => {
    const texts = [
      'Pt seen by Dr. McDonald, SMITH, I. Émile ÉMILE 東京 ß ½ 3x MRN445566 / iPhone',
      ...fc.sample(fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 60 }), { numRuns: 300, seed: 5 }),
      ...fc.sample(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }), { numRuns: 200, seed: 6 }),
    ];
    const words = texts.flatMap((t) => splitWords(t).map((w) => t.slice(w.start, w.end)));
    expect(words.length).toBeGreaterThan(500);
    const script = 'import json,sys; sys.path.insert(0, sys.argv[1]); from phi_text import word_shape; ' +
      'print(json.dumps([word_shape(w) for w in json.load(sys.stdin)]))';
    const py = spawnSync(PYTHON, ['-c', script, PHI_TEXT_DIR], { input: JSON.stringify(words), encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const pythonShapes = JSON.parse(py.stdout) as number[];
    const mismatches = words.filter((w, i) => wordShape(w) !== pythonShapes[i]);
    expect(mismatches).toEqual([]);
  });
});

describe('a phi-ner/2 model (case shapes as a third input)', () => {
  let ner: NerDetector;
  beforeAll(async () => {
    ner = createNerDetector({ modelDir: TINY_SHAPES, threshold: 0.5, threads: 1 });
    await ner.load!();
  });
  afterAll(async () => ner.dispose!());

  it('loads as phi-ner/2 and reads shapes: the same ids in another case give other logits', async () => {
    expect(ner.fingerprint!()).toMatch(/^phi-ner\/2 sha256:/);
    const { model, release } = await acquireModel(TINY_SHAPES, { threads: 1, spinning: false });
    try {
      expect(model.usesShapes).toBe(true);
      const ids = model.tokenizer.encodeWord('smith');
      const row = [model.tokenizer.cls, ...ids, model.tokenizer.sep];
      const lower = (await model.run([row], [[0, 1, 0]])).logits;
      const capital = (await model.run([row], [[0, 2, 0]])).logits;
      expect(Array.from(lower)).not.toEqual(Array.from(capital));
      await expect(model.run([row])).rejects.toThrow(/^E037 .*case shapes missing/);
      await expect(model.run([row], [[0, 1]])).rejects.toThrow(/^E037 /);
    } finally {
      await release();
    }
  });

  it('the detector feeds each word its own shape: a note and its upper-cased copy get different spans', async () => {
    const note = 'Pt seen by Dr. John Smith at Springfield General Hospital on 3/4/2020; Mary Jones called from Boston.';
    const lower = await ner.detect(note.toLowerCase());
    const upper = await ner.detect(note.toUpperCase());
    // identical piece ids (the vocabulary is lowercased), so only the shapes can differ
    expect(key(lower)).not.toBe(key(upper));
    const v1 = createNerDetector({ modelDir: TINY, threshold: 0.5, threads: 1 });
    expect(key(await v1.detect(note.toLowerCase()))).toBe(key(await v1.detect(note.toUpperCase())));
    await v1.dispose!();
  });

  it('windowed detection equals a single pass with shapes, for several window sizes', async () => {
    const note = 'Pt seen by Dr. John SMITH at springfield General Hospital on 3/4/2020 for chest pain. ' +
      'MRS MARY JONES (daughter) called from Boston, tel 555-0100. I saw pt with Dr. J. Jones at the clinic.';
    const { model, release } = await acquireModel(TINY_SHAPES, { threads: 1, spinning: false });
    try {
      const reference = key(await singlePassSpans(model, note, 0.5));
      for (const [windowTokens, strideTokens] of [[12, 3], [40, 8], [512, 32]] as const) {
        const d = createNerDetector({ modelDir: TINY_SHAPES, threshold: 0.5, threads: 1, windowTokens, strideTokens, batchSize: 3 });
        expect(key(await d.detect(note)), `window ${windowTokens}`).toBe(reference);
        await d.dispose!();
      }
    } finally {
      await release();
    }
  });
});

describe('phi-ner/2 contract checks fail closed', () => {
  const root = suiteTempDir('phi-ner2-');

  async function copyWithConfig(name: string, from: string, edit: (c: Record<string, unknown>) => void): Promise<string> {
    const dir = await copyModelFolder(from, join(root(), name));
    await editConfig(dir, edit);
    return dir;
  }

  it('shape classes listed in another order: E032', async () => {
    const dir = await copyWithConfig('reordered', TINY_SHAPES, (c) => (c.shapes = [...WORD_SHAPES].reverse()));
    expect(await loadError(dir)).toMatch(/^E032 .*"shapes" must be \[special, lower, /);
  });

  it('a phi-ner/2 config over a model without shape_ids: E036', async () => {
    const dir = await copyWithConfig('no-input', TINY, (c) => {
      c.format = 'phi-ner/2';
      c.shapes = [...WORD_SHAPES];
    });
    expect(await loadError(dir)).toMatch(/^E036 .*lacks the input "shape_ids"/);
  });

  it('a phi-ner/1 config over a model that needs shape_ids: E036', async () => {
    const dir = await copyWithConfig('v1-label', TINY_SHAPES, (c) => {
      c.format = 'phi-ner/1';
      delete c.shapes;
    });
    expect(await loadError(dir)).toMatch(/^E036 .*has an input "shape_ids"/);
  });
});
