import { truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertValidSpan, type Span } from '../../../src/core/span.js';
import { createNerDetector, NER_DETECTOR_ID, type NerDetector } from '../../../src/detect/ner/index.js';
import { BUNDLED_MODEL_DIR } from '../../../src/node/paths.js';
import { acquireModel } from '../../../src/detect/ner/session.js';
import { splitWords } from '../../../src/detect/ner/words.js';
import { copyModelFolder, editConfig, loadError, suiteTempDir } from './modelFolders.js';
import { singlePassSpans } from './singlePass.js';

/** The tiny random-weight, context-free model built by test/fixtures/tiny-ner/make.py. */
const TINY = fileURLToPath(new URL('../../fixtures/tiny-ner', import.meta.url));

const NOTE =
  'Pt seen by Dr. John Smith at Springfield General Hospital on 3/4/2020 for chest pain. ' +
  'Mrs Mary Jones (daughter) called from Boston, tel 555-0100, fax 555-0199. BP 120/80, HR 72. ' +
  'Nurse notes: pt is a 67 year old, MRN 445566; follow up at the clinic in May with Dr. Jones.';

const key = (spans: readonly Span[]): string => JSON.stringify(spans.map((s) => [s.start, s.end, s.label, s.score.toFixed(9)]));

function coveredChars(spans: readonly Span[]): Set<number> {
  const set = new Set<number>();
  for (const s of spans) for (let i = s.start; i < s.end; i++) set.add(i);
  return set;
}

describe('NER detector on the tiny fixture model', () => {
  let ner: NerDetector;
  beforeAll(async () => {
    ner = createNerDetector({ modelDir: TINY, threshold: 0.5, threads: 1 });
    await ner.load!();
  });
  afterAll(async () => ner.dispose!());

  it('loads, reports its model, and finds some PHI and some non-PHI in a note', async () => {
    expect(ner.id).toBe(NER_DETECTOR_ID);
    expect(ner.fingerprint!()).toMatch(/^phi-ner\/1 sha256:[0-9a-f]{64} threshold=0\.5$/);
    expect(ner.modelInfo()?.labels[0]).toBe('O');
    const spans = await ner.detect(NOTE);
    expect(spans.length).toBeGreaterThan(0);
    expect(coveredChars(spans).size).toBeLessThan(NOTE.replace(/\s/g, '').length);
    for (const s of spans) {
      assertValidSpan(s, NOTE.length);
      expect(s.source).toBe(NER_DETECTOR_ID);
      expect(NOTE[s.start]).toMatch(/\S/);
      expect(NOTE[s.end - 1]).toMatch(/\S/);
    }
  });

  it('many small overlapping windows give the same spans as one pass over a note that fits in one window', async () => {
    const single = await ner.detect(NOTE);
    // The note has ~100 words: at 12 tokens per window it needs many windows.
    expect(splitWords(NOTE).length).toBeGreaterThan(50);
    for (const [windowTokens, strideTokens] of [
      [12, 3],
      [16, 0],
      [40, 8],
      [3, 0],
    ] as const) {
      const windowed = createNerDetector({ modelDir: TINY, threshold: 0.5, threads: 1, windowTokens, strideTokens });
      expect(key(await windowed.detect(NOTE)), `window ${windowTokens} stride ${strideTokens}`).toBe(key(single));
      await windowed.dispose!();
    }
  });

  it('windowed detection equals a plain single pass over the whole note (reference built without the window code)', async () => {
    const { model, release } = await acquireModel(TINY, { threads: 1, spinning: false });
    try {
      expect(key(await ner.detect(NOTE))).toBe(key(await singlePassSpans(model, NOTE, 0.5)));
    } finally {
      await release();
    }
  });

  it('a word that normalises to nothing (zero-width space) is read as [UNK], as in the single-pass reference', async () => {
    const text = 'ab \u200b cd \u200b 3/4 \u0007 Smith';
    const { model, release } = await acquireModel(TINY, { threads: 1, spinning: false });
    try {
      expect(model.tokenizer.encodeWord('\u200b')).toEqual([]);
      const all = createNerDetector({ modelDir: TINY, threshold: 0, threads: 1 });
      expect(key(await all.detect(text))).toBe(key(await singlePassSpans(model, text, 0)));
      await all.dispose!();
    } finally {
      await release();
    }
  });

  it('a batch across notes (padded, sorted by length) gives each note the spans it gets alone', async () => {
    const notes = [NOTE, 'Seen by Dr Smith.', '', '   ', NOTE.slice(0, 120), `${NOTE} ${NOTE}`];
    const batched = createNerDetector({ modelDir: TINY, threshold: 0.5, threads: 1, batchSize: 2, windowTokens: 64, strideTokens: 8 });
    const together = await batched.detectBatch!(notes);
    const alone = await Promise.all(notes.map((n) => batched.detect(n)));
    expect(together.map(key)).toEqual(alone.map(key));
    expect(together[2]).toEqual([]);
    expect(together[3]).toEqual([]);
    await batched.dispose!();
  });

  it('spans always fit the note, sorted and disjoint, for any text', async () => {
    const texts = [
      ...fc.sample(fc.string({ unit: 'grapheme', maxLength: 300 }), { numRuns: 40, seed: 7 }),
      ...fc.sample(fc.string({ unit: 'binary', maxLength: 300 }), { numRuns: 40, seed: 8 }), // lone surrogates, controls
    ];
    const results = await ner.detectBatch!(texts);
    results.forEach((spans, i) => {
      spans.forEach((s, k) => {
        assertValidSpan(s, texts[i]!.length);
        if (k > 0) expect(s.start).toBeGreaterThanOrEqual(spans[k - 1]!.end);
      });
    });
  });

  it('a lower threshold marks a superset of characters', async () => {
    let previous: Set<number> | undefined;
    for (const threshold of [0.95, 0.8, 0.6, 0.5, 0.3, 0.1, 0]) {
      const d = createNerDetector({ modelDir: TINY, threshold, threads: 1 });
      const now = coveredChars(await d.detect(NOTE));
      if (previous) for (const i of previous) expect(now.has(i), `threshold ${threshold}`).toBe(true);
      previous = now;
      await d.dispose!();
    }
    // At threshold 0 every word is PHI (punctuation alone is never kept: keepSpans).
    for (let i = 0; i < NOTE.length; i++) if (/[\p{L}\p{N}]/u.test(NOTE[i]!)) expect(previous!.has(i)).toBe(true);
  });

  it('the fast word path gives the same ids as the tokenizer\'s public encode', async () => {
    const { model, release } = await acquireModel(TINY, { threads: 1, spinning: false });
    try {
      const extra = fc.sample(fc.string({ unit: 'grapheme', maxLength: 40 }), { numRuns: 200, seed: 11 }).join(' ');
      const text = `${NOTE} ÉCOLE naïve Ｆｕｌｌ ﬁx Straße İstanbul \u200b x\u0301 ${extra}`;
      const words = splitWords(text).map((w) => text.slice(w.start, w.end));
      expect(words.length).toBeGreaterThan(100);
      for (const w of words) {
        const fast = [...model.tokenizer.encodeWord(w)];
        expect(fast, `word #${words.indexOf(w)}`).toEqual(model.tokenizer.encodeWordReference(w));
        // A cache hit returns the same ids.
        expect([...model.tokenizer.encodeWord(w)]).toEqual(fast);
      }
    } finally {
      await release();
    }
  });

  it('accent stripping removes U+0300–U+036F only, as training did (phi_text.py), not every nonspacing mark', async () => {
    const { model, release } = await acquireModel(TINY, { threads: 1, spinning: false });
    try {
      const tok = model.tokenizer;
      expect(tok.encodeWord('E\u0301')).toEqual(tok.encodeWord('e'));
      expect(tok.encodeWordReference('caf\u00e9')).toEqual(tok.encodeWordReference('cafe'));
      // U+20D7 (combining right arrow above) and U+3099 (kana voicing mark) are nonspacing marks
      // outside that block: they stay, so the word is unknown, as in training.
      expect(tok.encodeWord('e\u20d7')).toEqual([tok.unk]);
      expect(tok.encodeWord('a\u3099')).toEqual([tok.unk]);
    } finally {
      await release();
    }
  });

  it('shares one session between detectors of the same model and thread count', async () => {
    const a = await acquireModel(TINY, { threads: 1, spinning: false });
    const b = await acquireModel(TINY, { threads: 1, spinning: false });
    expect(a.model).toBe(b.model);
    await a.release();
    await b.release();
  });
});

describe('NER model loading fails closed', () => {
  const root = suiteTempDir('phi-ner-');

  const copyModel = (name: string): Promise<string> => copyModelFolder(TINY, join(root(), name));

  it('an intact copy loads (the failures below are caused by the damage alone)', async () => {
    expect(await loadError(await copyModel('intact'))).toBe('loaded');
  });

  it('a missing folder: E031 naming the folder', async () => {
    const dir = join(root(), 'absent');
    expect(await loadError(dir)).toBe(`E031 NER model folder ${dir} does not exist or is not a folder`);
  });

  it('a missing config.json: E031', async () => {
    const dir = await copyModel('noconfig');
    await unlink(join(dir, 'config.json'));
    expect(await loadError(dir)).toMatch(/^E031 NER model config .*config\.json cannot be read \(ENOENT\)$/);
  });

  it('a truncated model file: E033 naming the file, before onnxruntime sees it', async () => {
    const dir = await copyModel('truncated');
    const file = join(dir, 'model.onnx');
    await truncate(file, 5000);
    expect(await loadError(dir)).toBe(`E033 NER model file ${file} does not match the sha256 in config.json (5000 bytes; truncated or corrupt)`);
  });

  it('a missing model file: E033', async () => {
    const dir = await copyModel('nomodel');
    await unlink(join(dir, 'model.onnx'));
    expect(await loadError(dir)).toMatch(/^E033 NER model file .*model\.onnx cannot be read \(ENOENT\)$/);
  });

  it('a wrong format version: E032', async () => {
    const dir = await copyModel('format9');
    await editConfig(dir, (c) => (c.format = 'phi-ner/9'));
    expect(await loadError(dir)).toMatch(/^E032 NER model config .*: format "phi-ner\/9" is not supported \(this runtime reads phi-ner\/1, phi-ner\/2, phi-ner\/3\)$/);
  });

  it.each<[string, (c: Record<string, unknown>) => void, RegExp]>([
    ['no sha256', (c) => delete c.sha256, /^E032 .*invalid value at sha256/],
    ['labels of another scheme', (c) => (c.labels = ['O', 'B-PER', 'I-PER']), /^E032 .*label #1 "B-PER"/],
    ['a model_file outside the folder', (c) => (c.model_file = '../tiny-ner/model.onnx'), /^E032 .*model_file must name a file inside/],
  ])('a config with %s: E032', async (name, edit, pattern) => {
    const dir = await copyModel(`cfg-${name.replace(/\W+/g, '-')}`);
    await editConfig(dir, edit);
    expect(await loadError(dir)).toMatch(pattern);
  });

  it('config.json that is not JSON: E032', async () => {
    const dir = await copyModel('badjson');
    await writeFile(join(dir, 'config.json'), '{"format": ');
    expect(await loadError(dir)).toMatch(/^E032 NER model config .*config\.json is not valid JSON$/);
  });

  it('bytes that match their sha256 but are not an ONNX model: E034 from onnxruntime, caught', async () => {
    const dir = await copyModel('garbage');
    const bytes = Buffer.from('this is not a protobuf model '.repeat(40));
    await writeFile(join(dir, 'model.onnx'), bytes);
    const { createHash } = await import('node:crypto');
    await editConfig(dir, (c) => (c.sha256 = createHash('sha256').update(bytes).digest('hex')));
    expect(await loadError(dir)).toMatch(/^E034 NER model .*model\.onnx cannot be loaded by onnxruntime/);
  });

  it('a label list that does not match the model output: E036', async () => {
    const dir = await copyModel('labels');
    await editConfig(dir, (c) => (c.labels = ['O', 'B-NAME', 'I-NAME']));
    expect(await loadError(dir)).toMatch(/^E036 NER model .* returned logits of shape \[1, 2, 17\], expected \[1, 2, 3\] float32$/);
  });

  it('missing tokenizer files: E035', async () => {
    const dir = await copyModel('notok');
    await unlink(join(dir, 'tokenizer.json'));
    expect(await loadError(dir)).toMatch(/^E035 NER tokenizer in .* cannot be loaded/);
  });

  it('the bundled model folder is models/phi-ner under the package root', () => {
    expect(BUNDLED_MODEL_DIR).toBe(fileURLToPath(new URL('../../../models/phi-ner', import.meta.url)));
  });
});
