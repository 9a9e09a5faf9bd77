import type { Span } from '../../../src/core/span.js';
import { groupEntities, softmaxInPlace } from '../../../src/detect/ner/bio.js';
import { keepSpans, NER_DETECTOR_ID } from '../../../src/detect/ner/index.js';
import type { NerModel } from '../../../src/detect/ner/session.js';
import { splitWords, wordShape } from '../../../src/detect/ner/words.js';

/**
 * A reference for the windowing code: the whole note as ONE model input, built the plain way
 * (public tokenizer API per word, first-piece positions by running sum), no window planning,
 * ownership or batching. Throws when the note does not fit in one window.
 */
export async function singlePassSpans(
  model: NerModel,
  text: string,
  threshold: number,
  /** The per-word input id (phi-ner/3: shape + |shapes| x word class); default the case shape. */
  feature: (word: string) => number = wordShape,
): Promise<Span[]> {
  const tok = model.tokenizer;
  const words = splitWords(text);
  const wordIds = words.map((w) => {
    const ids = tok.encodeWordReference(text.slice(w.start, w.end));
    return ids.length > 0 ? ids : [tok.unk];
  });
  const ids = [tok.cls, ...wordIds.flat(), tok.sep];
  if (ids.length > model.config.max_length) throw new Error(`note needs ${ids.length} tokens, more than one window`);
  const shapes = [0, ...wordIds.flatMap((pieces, i) => pieces.map(() => feature(text.slice(words[i]!.start, words[i]!.end)))), 0];
  const { logits } = await model.run([ids], model.usesShapes ? [shapes] : undefined);
  const n = model.config.labels.length;
  const probs = new Float32Array(words.length * n);
  let pos = 1;
  wordIds.forEach((pieces, i) => {
    probs.set(logits.subarray(pos * n, (pos + 1) * n), i * n);
    softmaxInPlace(probs, i * n, n);
    pos += pieces.length;
  });
  // the detector's own second look (keepSpans) at its default numeric threshold, the main one
  return keepSpans(groupEntities({ words, probs, predicted: new Uint8Array(words.length).fill(1) }, model.scheme, threshold, NER_DETECTOR_ID), text, { numericThreshold: threshold });
}
