import { ConfigError } from '../../core/config.js';
import type { Span } from '../../core/span.js';
import type { DetectContext, Detector, SpanTails, WordLexicon, WordTest } from '../types.js';
import { groupEntities, softmaxInPlace } from './bio.js';
import { acquireModel, type NerModel } from './session.js';
import { assignOwners, cappedPieceCounts, encodeWindow, planWindows, type EncodedWindow } from './windows.js';
import { splitWords, WORD_SHAPES, wordShape, type Word } from './words.js';

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

const LETTER = /\p{L}/u;
const ALNUM = /[\p{L}\p{N}]/u;
const LETTER_RUN = /\p{L}+/gu;
/** What any written date has: a month, weekday, season or holiday word (Labor Day), an ordinal, a year or decade, digits joined by / - or . */
const DATE_FORM =
  /\d\s*[/.-]\s*\d|(?<!\d)(?:1[89]|20)\d\d(?!\d)|'\d\d(?!\d)|\d0'?s\b|\d(?:st|nd|rd|th)\b|\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\.?(?![a-z])|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|[a-z]+teenth|twentieth|thirtieth|spring|summer|fall|autumn|winter|christmas|xmas|thanksgiving|easter|passover|hanukkah|chanukah|ramadan|diwali|kwanzaa|halloween|holiday|weekend|new\s+year|eve|juneteenth|(?:labou?r|memorial|independence|veterans|presidents|columbus|mother|father|valentine|patrick|boxing|mlk|king)(?:'?s)?\s+day)\b/i;
const DIGITS = /\d+/;
/** One 3-4 digit number that cannot be a year (0415, 1845, 2200): a clock time, which no date rule reads either. */
const CLOCK_TIME = /^\W*(?!(?:19|20)\d\d\b)(?:[01]?\d|2[0-3])[0-5]\d\W*$/;
const WORD_ENTITIES: ReadonlySet<string> = new Set(['NAME', 'LOCATION', 'ORGANIZATION', 'PROFESSION']);

export interface KeepRules {
  readonly numericThreshold: number;
  readonly agesUnder90?: boolean;
  readonly plainWords?: WordTest | undefined;
  readonly plainWordThreshold?: number;
}

/**
 * Second looks at the model's spans, each backed by a measurement (models/MODEL_CARD.md):
 * a span of punctuation alone is never PHI; a span without letters (a bare number) is kept
 * only at `numericThreshold`, because the rules, with their formats and checksums, are the
 * primary reader of numbers and a small model's guesses on times, doses and vitals are its
 * most common false alarms; a date span with letters but no form of a date (a month, weekday,
 * season or holiday word, an ordinal, a year, digits joined by / - or .) is held to the same
 * `numericThreshold` ("propofol 40", "sats of 93"); an age span under 90 is dropped unless
 * `agesUnder90` asks for them (config surrogate.agesUnder90: tag), because Safe Harbor keeps
 * those ages and the rules report them only from the opt-in `ages-under-90` pack; a name/place
 * span whose every word is a plain word ("elbow", "Fentanyl", "period") is kept only at
 * `plainWordThreshold`; a date span that is one clock time (0415, 2200) is dropped.
 */
export function keepSpans(spans: Span[], text: string, rules: KeepRules): Span[] {
  const { numericThreshold, plainWords, plainWordThreshold = 0, agesUnder90 = false } = rules;
  return spans.filter((s) => {
    const t = text.slice(s.start, s.end);
    if (!ALNUM.test(t)) return false;
    if (s.label === 'AGE' && !agesUnder90 && Number(t.match(DIGITS)?.[0] ?? 90) < 90) return false;
    if (s.label === 'DATE' && CLOCK_TIME.test(t)) return false;
    if (!LETTER.test(t)) return s.score >= numericThreshold;
    if (s.label === 'DATE' && !DATE_FORM.test(t)) return s.score >= numericThreshold;
    if (plainWords && WORD_ENTITIES.has(s.label) && s.score < plainWordThreshold) {
      const words = t.toLowerCase().match(LETTER_RUN) ?? [];
      if (words.every((w) => plainWords.has(w))) return false;
    }
    return true;
  });
}

const SPAN_WORD = /\S+/g;
const EDGE_PUNCT = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

/** How many of the last words of `keys` are one of `heads` (the longest that leaves a word before it), or 0. */
function endsWithHead(keys: readonly string[], heads: SpanTails['facilityHeads']): number {
  let best = 0;
  for (const h of heads) {
    if (h.length > best && h.length < keys.length && h.every((w, k) => keys[keys.length - h.length + k] === w)) best = h.length;
  }
  return best;
}

/**
 * The model's spans cut back to what the annotation convention tags (models/MODEL_CARD.md): a
 * place loses a trailing generic facility word ("Pinecrest Hospital" → Pinecrest, as the
 * dictionaries and the PhysioNet annotators do) unless only generic naming words would be left
 * ("General Hospital" stays whole), a name a trailing credential ("Smith RN") or a
 * trailing lower-case plain word ("smith returned"), a date a trailing clinical abbreviation
 * ("11/02 MICU"). A span never loses its last word, so no PHI word the model found is lost.
 */
export function trimSpans(spans: Span[], text: string, tails: SpanTails, plainWords?: WordTest): Span[] {
  return spans.map((s) => {
    if (s.label !== 'LOCATION' && s.label !== 'NAME' && s.label !== 'DATE') return s;
    const words = [...text.slice(s.start, s.end).matchAll(SPAN_WORD)].map((m) => {
      const raw = m[0].replace(EDGE_PUNCT, '');
      return { end: s.start + m.index + m[0].length, raw, key: raw.toLowerCase() };
    }).filter((w) => w.raw !== '');
    let n = words.length;
    if (s.label === 'LOCATION') {
      const head = endsWithHead(words.map((w) => w.key), tails.facilityHeads);
      // "the General Hospital", "Memorial Hospital": without the head no naming word is left, so it stays.
      if (words.slice(0, n - head).some((w) => !tails.namingWords.has(w.key))) n -= head;
    }
    const cut = (w: (typeof words)[number]): boolean =>
      s.label === 'NAME'
        ? tails.credentials.has(w.key) || (w.raw === w.key && plainWords !== undefined && plainWords.has(w.key))
        : s.label === 'DATE' && w.key.length >= 3 && tails.abbreviations.has(w.key);
    while (n > 1 && cut(words[n - 1]!)) n--;
    if (n === words.length) return s;
    // Up to the kept word's last letter or digit: "Pinecrest," keeps no comma.
    const kept = text.slice(s.start, words[n - 1]!.end).replace(/[^\p{L}\p{N}]+$/u, '');
    return { ...s, end: s.start + kept.length };
  });
}

export function createNerDetector(options: NerOptions): NerDetector {
  const modelDir = options.modelDir;
  const threads = options.threads ?? 2;
  const threshold = options.threshold ?? 0.3;
  const batchSize = Math.max(1, options.batchSize ?? 1);
  if (!(threshold >= 0 && threshold <= 1)) throw new ConfigError('E010', `ner.threshold must be in [0, 1] (got ${threshold})`);
  const numericThreshold = options.numericThreshold ?? threshold;
  if (!(numericThreshold >= 0 && numericThreshold <= 1)) throw new ConfigError('E010', `ner.numericThreshold must be in [0, 1] (got ${numericThreshold})`);
  const plainWordThreshold = options.plainWords ? (options.plainWordThreshold ?? threshold) : threshold;
  if (!(plainWordThreshold >= 0 && plainWordThreshold <= 1)) throw new ConfigError('E010', `ner.plainWordThreshold must be in [0, 1] (got ${plainWordThreshold})`);
  const keep: KeepRules = { numericThreshold, plainWords: options.plainWords, plainWordThreshold, agesUnder90: options.agesUnder90 ?? false };
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
    const overlap = Math.max(0, Math.min(options.strideTokens ?? 32, capacity - 1));
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
        ? `${model.config.format} sha256:${model.sha256} threshold=${threshold}${numericThreshold !== threshold ? ` numeric=${numericThreshold}` : ''}${plainWordThreshold !== threshold ? ` plain=${plainWordThreshold}` : ''}`
        : 'not loaded',
    modelInfo: () =>
      model
        ? { dir: model.dir, sha256: model.sha256, bytes: model.modelBytes, labels: model.config.labels, maxLength: model.config.max_length }
        : undefined,
  };
}
