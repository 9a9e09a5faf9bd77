import { CONFIG_DEFAULTS, ConfigError } from '../../core/config.js';
import type { Span } from '../../core/span.js';
import type { SpanTails, WordLexicon, WordTest } from '../../lexicon/types.js';
import type { DetectContext, Detector } from '../types.js';
import { groupEntities, softmaxInPlace } from './bio.js';
import { acquireModel, type NerModel } from './session.js';
import { assignOwners, cappedPieceCounts, encodeWindow, planWindows, type EncodedWindow } from './windows.js';
import { splitWords, WORD_SHAPES, wordShape, type Word } from './words.js';
import { keepSpans, trimSpans, type KeepRules } from './filters.js';

export { keepSpans, noteCase, slipOfPlain, trimSpans, type KeepRules } from './filters.js';

/**
 * The NER detector: four small steps (STYLE point 10) —
 *   words.ts   pre-split words with their offsets (the tokenizer gives none),
 *   session.ts tokenizer + one onnxruntime session per process,
 *   windows.ts overlapping windows of whole words, mapped back to words,
 *   bio.ts     per-word probabilities → character spans.
 * Windows from every note of a batch are sorted by length and run together, so padding is
 * small and the session sees full batches.
 */
export const NER_DETECTOR_ID = 'ner/phi-ner';


export interface NerOptions {
  modelDir: string;
  /** onnxruntime intra-op threads (config.ner.threads). */
  threads?: number;
  /** A word is PHI when 1 − P(O) ≥ threshold. Low by default: recall first. */
  threshold?: number;
  /** Score a span without letters needs (config ner.numericThreshold); default: `threshold`. */
  numericThreshold?: number;
  /** Keep the model's age spans under 90 (config surrogate.agesUnder90: tag); default: drop them, as Safe Harbor keeps those ages. */
  agesUnder90?: boolean;
  /** Lower-case words that are never a name or place alone (dictionaries plainWordTest). */
  plainWords?: WordTest;
  /** The word lists' class of each word (dictionaries wordLexicon): what phi-ner/3 models read beside the pieces. */
  lexicon?: WordLexicon;
  /** Score a word-entity span made only of `plainWords` needs (config ner.plainWordThreshold); default: `threshold`. */
  plainWordThreshold?: number;
  /** config ner.uncapitalisedThreshold (keepSpans). */
  uncapitalisedThreshold?: number;
  /** The wider English vocabulary, lower case (keepSpans' lower-case check). */
  english?: WordTest;
  /** The plain words themselves, without their typing slips (keepSpans' slip check). */
  listedPlain?: WordTest;
  /** English-locale name lists, lower case (keepSpans' slip check). */
  knownNames?: WordTest;
  /** config ner.oneWordThreshold (keepSpans). */
  oneWordThreshold?: number;
  /** config ner.slipThreshold (keepSpans). */
  slipThreshold?: number;
  /** config ner.standAloneThreshold (keepSpans): one-word names/places under it come out tentative. */
  standAloneThreshold?: number;
  /** Cue phrases that introduce a name (keepSpans' stand-alone check). */
  nameCuePhrases?: readonly (readonly string[])[];
  /** Prepositions of place or movement, lower case (keepSpans' ALL-CAPS place check; places cue file). */
  placePrepositions?: WordTest;
  /**
   * Fingerprint of the word lists and cue files the options above come from (dictionaries'
   * fingerprint): part of this detector's, so that a changed cue file (placePrepositions, span
   * tails) changes a run's fingerprint even when the dictionaries detector is off.
   */
  listsFingerprint?: string;
  /** Words that end a model span without being PHI (trimSpans); from the dictionaries' cue files. */
  tails?: SpanTails;
  /** Tokens per window including [CLS] and [SEP]; capped at the model's max_length. */
  windowTokens?: number;
  /** Tokens shared by consecutive windows of a long note. */
  strideTokens?: number;
  /**
   * Windows per onnxruntime call (default 1). Larger batches are exact for float models, but an
   * int8 model quantizes activations per batch, so its output would depend on batch-mates.
   */
  batchSize?: number;
  /** Let idle onnxruntime threads spin-wait (default off: see SessionTuning). */
  spinning?: boolean;
}

export interface NerDetector extends Detector {
  /** The loaded model's facts (after `load()`), for benchmarks and reports. */
  modelInfo(): { dir: string; sha256: string; bytes: number; labels: readonly string[]; maxLength: number } | undefined;
}

interface PreparedNote {
  readonly words: Word[];
  /** words × labels class probabilities, filled window by window. */
  readonly probs: Float32Array;
  readonly predicted: Uint8Array;
}

interface Job {
  readonly note: number;
  readonly first: number;
  readonly window: number;
  readonly encoded: EncodedWindow;
  readonly owner: Int32Array;
}

export function createNerDetector(options: NerOptions): NerDetector {
  const modelDir = options.modelDir;
  const defaults = CONFIG_DEFAULTS.ner;
  const threads = options.threads ?? 2;
  const threshold = options.threshold ?? defaults.threshold;
  const batchSize = Math.max(1, options.batchSize ?? defaults.batchSize);
  if (!(threshold >= 0 && threshold <= 1)) throw new ConfigError('E010', `ner.threshold must be in [0, 1] (got ${threshold})`);
  const numericThreshold = options.numericThreshold ?? threshold;
  if (!(numericThreshold >= 0 && numericThreshold <= 1)) throw new ConfigError('E010', `ner.numericThreshold must be in [0, 1] (got ${numericThreshold})`);
  const plainWordThreshold = options.plainWords ? (options.plainWordThreshold ?? threshold) : threshold;
  if (!(plainWordThreshold >= 0 && plainWordThreshold <= 1)) throw new ConfigError('E010', `ner.plainWordThreshold must be in [0, 1] (got ${plainWordThreshold})`);
  const uncapitalisedThreshold = options.uncapitalisedThreshold ?? threshold;
  const slipThreshold = options.slipThreshold ?? threshold;
  const oneWordThreshold = options.oneWordThreshold ?? threshold;
  const standAloneThreshold = options.standAloneThreshold ?? threshold;
  for (const [name, value] of [['uncapitalisedThreshold', uncapitalisedThreshold], ['slipThreshold', slipThreshold], ['oneWordThreshold', oneWordThreshold], ['standAloneThreshold', standAloneThreshold]] as const) {
    if (!(value >= 0 && value <= 1)) throw new ConfigError('E010', `ner.${name} must be in [0, 1] (got ${value})`);
  }
  const keep: KeepRules = {
    numericThreshold,
    plainWords: options.plainWords,
    plainWordThreshold,
    agesUnder90: options.agesUnder90 ?? false,
    uncapitalisedThreshold,
    slipThreshold,
    oneWordThreshold,
    standAloneThreshold,
    nameCuePhrases: options.nameCuePhrases,
    english: options.english,
    knownNames: options.knownNames,
    listedPlain: options.listedPlain,
    placePrepositions: options.placePrepositions,
  };
  let model: NerModel | undefined;
  let release: (() => Promise<void>) | undefined;
  let loading: Promise<void> | undefined;

  const load = async (): Promise<void> => {
    if (model) return;
    loading ??= acquireModel(modelDir, { threads, spinning: options.spinning ?? false }).then(
      async (acquired) => {
        const wanted = acquired.model.lexicon;
        const given = options.lexicon?.classes;
        if (wanted && (!given || given.length !== wanted.length || given.some((c, i) => c !== wanted[i]))) {
          await acquired.release();
          throw new ConfigError(
            'E038',
            given
              ? `NER model ${modelDir} reads the word classes [${wanted.join(', ')}], the word lists give [${given.join(', ')}]`
              : `NER model ${modelDir} (phi-ner/3) reads word-list classes, but no word lists were loaded`,
          );
        }
        model = acquired.model;
        release = acquired.release;
      },
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    );
    await loading;
  };

  const geometry = (m: NerModel): { capacity: number; overlap: number } => {
    const windowTokens = Math.min(options.windowTokens ?? m.config.max_length, m.config.max_length);
    const capacity = Math.max(1, windowTokens - 2);
    const overlap = Math.max(0, Math.min(options.strideTokens ?? defaults.strideTokens, capacity - 1));
    return { capacity, overlap };
  };

  const detectBatch = async (texts: readonly string[]): Promise<Span[][]> => {
    await load();
    const m = model!;
    const { capacity, overlap } = geometry(m);
    const tok = m.tokenizer;
    const unkOnly = [tok.unk];
    const numLabels = m.config.labels.length;
    const lexicon = m.lexicon ? options.lexicon! : undefined;
    const wordFeature = lexicon ? (w: string): number => wordShape(w) + WORD_SHAPES.length * lexicon.classOf(w) : wordShape;
    const notes: PreparedNote[] = [];
    const jobs: Job[] = [];
    texts.forEach((text, note) => {
      const words = splitWords(text);
      // A word that normalises to nothing (U+200B, a lone control character) is read as [UNK],
      // as in training (models/phi-ner/README-contract.md), so it still gets a prediction.
      const wordIds = words.map((w) => {
        const ids = tok.encodeWord(text.slice(w.start, w.end));
        return ids.length > 0 ? ids : unkOnly;
      });
      const shapes = m.usesShapes ? Uint8Array.from(words, (w) => wordFeature(text.slice(w.start, w.end))) : undefined;
      const pieces = cappedPieceCounts(wordIds, capacity);
      const plans = planWindows(pieces, capacity, overlap);
      const owner = assignOwners(pieces, plans);
      notes.push({ words, probs: new Float32Array(words.length * numLabels), predicted: new Uint8Array(words.length) });
      for (const [window, plan] of plans.entries()) {
        jobs.push({ note, first: plan.first, window, owner, encoded: encodeWindow(wordIds, plan, capacity, tok.cls, tok.sep, shapes) });
      }
    });
    // Longest first, so each batch pads to nearly its own length.
    jobs.sort((a, b) => b.encoded.ids.length - a.encoded.ids.length);
    for (let b = 0; b < jobs.length; b += batchSize) {
      const batch = jobs.slice(b, b + batchSize);
      const { logits, seq } = await m.run(
        batch.map((j) => j.encoded.ids),
        m.usesShapes ? batch.map((j) => j.encoded.shapes!) : undefined,
      );
      batch.forEach((job, row) => {
        const { probs, predicted } = notes[job.note]!;
        const { firstPiece } = job.encoded;
        for (let k = 0; k < firstPiece.length; k++) {
          const pos = firstPiece[k]!;
          const word = job.first + k;
          if (pos < 0 || job.owner[word] !== job.window) continue;
          probs.set(logits.subarray((row * seq + pos) * numLabels, (row * seq + pos + 1) * numLabels), word * numLabels);
          softmaxInPlace(probs, word * numLabels, numLabels);
          predicted[word] = 1;
        }
      });
    }
    return notes.map((note, i) => {
      const kept = keepSpans(groupEntities(note, m.scheme, threshold, NER_DETECTOR_ID), texts[i]!, keep);
      return options.tails ? trimSpans(kept, texts[i]!, options.tails, options.plainWords) : kept;
    });
  };

  return {
    id: NER_DETECTOR_ID,
    kind: 'phi',
    labels: ['NAME', 'LOCATION', 'ORGANIZATION', 'PROFESSION', 'DATE', 'AGE', 'ID', 'CONTACT'],
    load,
    detectBatch: (texts: readonly string[], _ctxs?: readonly DetectContext[]) => detectBatch(texts),
    detect: async (text: string) => (await detectBatch([text]))[0]!,
    dispose: async () => {
      const r = release;
      model = undefined;
      release = undefined;
      loading = undefined;
      await r?.();
    },
    fingerprint: () =>
      model
        ? `${model.config.format} sha256:${model.sha256}${options.listsFingerprint !== undefined ? ` lists=${options.listsFingerprint}` : ''} threshold=${threshold}${numericThreshold !== threshold ? ` numeric=${numericThreshold}` : ''}${plainWordThreshold !== threshold ? ` plain=${plainWordThreshold}` : ''}${uncapitalisedThreshold > threshold ? ` uncapitalised=${uncapitalisedThreshold}` : ''}${slipThreshold > threshold ? ` slip=${slipThreshold}` : ''}${oneWordThreshold > threshold ? ` oneWord=${oneWordThreshold}` : ''}${standAloneThreshold > threshold ? ` standAlone=${standAloneThreshold}` : ''}`
        : 'not loaded',
    modelInfo: () =>
      model
        ? { dir: model.dir, sha256: model.sha256, bytes: model.modelBytes, labels: model.config.labels, maxLength: model.config.max_length }
        : undefined,
  };
}
