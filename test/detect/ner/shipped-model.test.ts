import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../../src/core/config.js';
import type { Span } from '../../../src/core/span.js';
import { createNerDetector, type NerDetector } from '../../../src/detect/ner/index.js';
import { BUNDLED_MODEL_DIR as DEFAULT_NER_MODEL_DIR } from '../../../src/node/paths.js';
import { acquireModel, type NerModel } from '../../../src/detect/ner/session.js';
import { plainWordTest, wordLexicon } from '../../../src/lexicon/index.js';
import { splitWords, WORD_SHAPES, wordShape } from '../../../src/detect/ner/words.js';
import type { WordLexicon } from '../../../src/lexicon/types.js';
import { dictionaryData } from '../dictionaries/helpers.js';
import { singlePassSpans } from './singlePass.js';

/**
 * The model we ship in models/phi-ner, on notes written for this test (invented people and
 * places, never taken from the dev gold).
 */
const present = existsSync(join(DEFAULT_NER_MODEL_DIR, 'config.json'));
if (!present) console.warn(`shipped-model tests skipped: no model in ${DEFAULT_NER_MODEL_DIR} (config.json absent)`);

const NOTE =
  'Pt is a 67 yo man admitted 3/14 from the ED. Wife Linda Hartman visited this afternoon and was ' +
  'updated by Dr. Samuel Okafor re: plan of care. Pt\'s son Kevin called at 4pm, phone 617-555-0143. ' +
  'Plan to transfer to rehab when a bed is available. PCP Dr. Ellen Whitaker notified of admission. ' +
  'Resp: lungs clear, sats 96% on 2L NC. Cardiac: HR 80s SR, BP stable. Will continue to monitor.';
const NAMES = ['Linda Hartman', 'Samuel Okafor', 'Kevin', 'Ellen Whitaker'];
const NOT_PHI = ['admitted', 'visited', 'afternoon', 'updated', 'plan', 'transfer', 'rehab', 'notified', 'lungs', 'clear', 'Cardiac', 'monitor'];

function charsOf(text: string, needle: string): number[] {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`test note lacks ${needle}`);
  return [...needle].map((_, k) => at + k).filter((i) => /\S/.test(text[i]!));
}

const labelAt = (spans: readonly Span[], i: number): string | undefined => spans.find((s) => s.start <= i && i < s.end)?.label;

describe.skipIf(!present)('shipped model (models/phi-ner)', () => {
  let ner: NerDetector;
  let model: NerModel;
  let release: () => Promise<void>;
  // a phi-ner/3 model reads each word's class in the word lists, as loadPipeline gives it
  let lexicon: WordLexicon | undefined;
  let feature: (word: string) => number = wordShape;
  beforeAll(async () => {
    if ((JSON.parse(readFileSync(join(DEFAULT_NER_MODEL_DIR, 'config.json'), 'utf8')) as { lexicon?: unknown }).lexicon) {
      const data = await dictionaryData();
      const lex = wordLexicon(data, plainWordTest(data));
      lexicon = lex;
      feature = (w) => wordShape(w) + WORD_SHAPES.length * lex.classOf(w);
    }
    ner = createNerDetector({ modelDir: DEFAULT_NER_MODEL_DIR, lexicon });
    await ner.load!();
    ({ model, release } = await acquireModel(DEFAULT_NER_MODEL_DIR, { threads: 2, spinning: false }));
  });
  afterAll(async () => {
    await ner.dispose!();
    await release();
  });

  it.each(NAMES)('finds the name %s (every character under a NAME span)', async (name) => {
    const spans = await ner.detect(NOTE);
    for (const i of charsOf(NOTE, name)) expect(labelAt(spans, i), `offset ${i}`).toBe('NAME');
  });

  it.each([
    ['ALL CAPS', (t: string) => t.toUpperCase()],
    ['lower case', (t: string) => t.toLowerCase()],
  ] as const)('finds every name in a %s copy of the note too (case shapes help, they are not required)', async (_, recase) => {
    const text = recase(NOTE);
    const spans = await ner.detect(text);
    for (const name of NAMES) for (const i of charsOf(text, recase(name))) expect(labelAt(spans, i), `${name} offset ${i}`).toBe('NAME');
  });

  it('leaves most clinical words alone (precision is measured in bench/bench-ner.ts; this catches a model that flags everything)', async () => {
    const spans = await ner.detect(NOTE);
    const flagged = NOT_PHI.filter((word) => charsOf(NOTE, word).some((i) => labelAt(spans, i) !== undefined));
    expect(flagged.length, `flagged: ${flagged.join(', ')}`).toBeLessThanOrEqual(1);
  });

  it('a name is one span, not one per word', async () => {
    const spans = await ner.detect(NOTE);
    for (const name of ['Linda Hartman', 'Samuel Okafor', 'Ellen Whitaker']) {
      const [first] = charsOf(NOTE, name);
      const span = spans.find((s) => s.start <= first! && first! < s.end);
      expect(span && span.end >= first! + name.length, name).toBe(true);
    }
  });

  it('on a note that fits in one window, windowed detection equals a plain single pass', async () => {
    expect(splitWords(NOTE).length).toBeLessThan(model.config.max_length / 2);
    const windowed = await ner.detect(NOTE);
    // The detector's default threshold is the config's (0.3), so the reference uses the same.
    expect(windowed).toEqual(await singlePassSpans(model, NOTE, CONFIG_DEFAULTS.ner.threshold, feature));
  });

  const notes = [NOTE, 'Seen by Dr. Hartman.', `${NOTE} ${NOTE}`.slice(0, 600), 'Lives in Springfield with her sister Anne.'];

  it('with the default settings, a batch of notes gets exactly the spans each note gets alone', async () => {
    const together = await ner.detectBatch!(notes);
    const alone = await Promise.all(notes.map((n) => ner.detect(n)));
    expect(together).toEqual(alone);
  });

  // An int8 model quantizes activations per batch (DynamicQuantizeLinear), so padded batch-mates
  // legitimately move its scores; the attention-mask check needs float weights.
  const int8 = present && readFileSync(join(DEFAULT_NER_MODEL_DIR, 'model.onnx')).includes('DynamicQuantizeLinear');
  it.skipIf(int8)('padding in a batch of 4 does not change a note\'s spans (the attention mask is honoured)', async () => {
    const padded = createNerDetector({ modelDir: DEFAULT_NER_MODEL_DIR, batchSize: 4, lexicon });
    try {
      const together = await padded.detectBatch!(notes);
      const alone = await Promise.all(notes.map((n) => ner.detect(n)));
      const shape = (spans: readonly Span[]) => spans.map((s) => [s.start, s.end, s.label]);
      expect(together.map(shape)).toEqual(alone.map(shape));
      for (const [k, spans] of together.entries()) for (const [j, s] of spans.entries()) expect(s.score).toBeCloseTo(alone[k]![j]!.score, 4);
    } finally {
      await padded.dispose!();
    }
  });

  it('the fast word path gives the ids of the public tokenizer API on the shipped vocabulary', () => {
    const text = `${NOTE} ÉCOLE naïve Ｆｕｌｌ ﬁx Straße İstanbul 東京 x\u0301 37°C 1,234.5mg`;
    for (const w of splitWords(text).map((x) => text.slice(x.start, x.end))) {
      expect([...model.tokenizer.encodeWord(w)]).toEqual(model.tokenizer.encodeWordReference(w));
    }
  });
});
