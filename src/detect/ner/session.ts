import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { ConfigError } from '../../core/config.js';
import { parseLabelScheme, type LabelScheme } from './bio.js';
import { WORD_SHAPES } from './words.js';

/**
 * The runtime seam: the only module in the project that imports onnxruntime-node
 * (the tokenizer, @huggingface/tokenizers, is pure JS). It reads the model folder,
 * checks it before trusting it, and holds one InferenceSession per model per process.
 *
 * Errors (ConfigError, which the CLI maps to exit code 2) name the file, never note text:
 *   E031 model folder or its config.json is missing or unreadable
 *   E032 config.json is not valid JSON, has the wrong `format` version, or bad labels
 *   E033 model file missing, or its sha256 differs from config.json (truncated or corrupt)
 *   E034 onnxruntime could not create a session from the model file
 *   E035 the tokenizer files could not be loaded
 *   E036 the model's inputs/outputs do not match the phi-ner/1, /2 or /3 contract
 *   E037 inference failed while running (reported with batch size, not text)
 *   E038 a phi-ner/3 model without the word lists it reads, or with other word classes
 *
 * phi-ner/2 adds one input, `shape_ids` (a case-shape class per token, words.ts WORD_SHAPES),
 * and lists those classes in config.json `shapes` so a reordering fails closed. phi-ner/3
 * feeds the same input shape + |shapes| x the word's class in the word lists (the detector's
 * `WordLexicon`), and lists those classes in config.json `lexicon`.
 */
export const MODEL_FORMAT = 'phi-ner/3';
const READABLE_FORMATS = ['phi-ner/1', 'phi-ner/2', 'phi-ner/3'];

const ModelConfigSchema = z
  .object({
    format: z.string(),
    labels: z.array(z.string()).min(2),
    max_length: z.number().int().min(8),
    model_file: z.string().min(1).default('model.onnx'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
    vocab_size: z.number().int().positive(),
    lowercase: z.boolean().optional(),
    shapes: z.array(z.string()).optional(),
    lexicon: z.array(z.string()).min(2).optional(),
  })
  .passthrough();

export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/**
 * The public @huggingface/tokenizers (0.2) `Tokenizer` members we use. Its bundled .d.ts files
 * import each other without file extensions, which NodeNext resolution cannot follow, so the
 * class is typed `any` here; this interface keeps our calls checked.
 */
interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  token_to_id(token: string): number | undefined;
}

/**
 * Word → piece ids, with a cache: notes repeat their words a lot. The cache is two-generation
 * (a cheap LRU approximation): hits in the older generation move to the newer one, and when
 * the newer one is full the older one is dropped. A hit costs one Map lookup.
 */
export class WordTokenizer {
  private recent = new Map<string, readonly number[]>();
  private older = new Map<string, readonly number[]>();

  constructor(
    private readonly hf: HfTokenizer,
    readonly cls: number,
    readonly sep: number,
    readonly pad: number,
    readonly unk: number,
    private readonly generationSize = 50_000,
  ) {}

  /**
   * Piece ids of one pre-split word, without special tokens: the tokenizer's public
   * `encode(word, { add_special_tokens: false })` (normalizer, pre-tokenizer, WordPiece model),
   * cached. A test checks the cached ids equal `encodeWordReference`.
   */
  encodeWord(word: string): readonly number[] {
    let ids = this.recent.get(word);
    if (ids !== undefined) return ids;
    ids = this.older.get(word) ?? this.hf.encode(word, { add_special_tokens: false }).ids;
    if (this.recent.size >= this.generationSize) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(word, ids);
    return ids;
  }

  /** The reference path through the tokenizer's public API, without the cache (for tests and audits). */
  encodeWordReference(word: string): number[] {
    return this.hf.encode(word, { add_special_tokens: false }).ids;
  }
}

export interface NerModel {
  readonly dir: string;
  readonly config: ModelConfig;
  readonly scheme: LabelScheme;
  readonly sha256: string;
  readonly modelBytes: number;
  readonly tokenizer: WordTokenizer;
  /** Whether the model reads case shapes (phi-ner/2, /3): then `run` needs `shapes` for every row. */
  readonly usesShapes: boolean;
  /** The word classes a phi-ner/3 model reads (config.json `lexicon`), added to each shape id as shape + |shapes| x class. */
  readonly lexicon?: readonly string[];
  /** Runs one padded batch; returns logits [rows, seq, labels] flattened. */
  run(rows: readonly (readonly number[])[], shapes?: readonly (readonly number[])[]): Promise<{ logits: Float32Array; seq: number }>;
  /** Frees the native session (called when the last user releases it). */
  close(): Promise<void>;
}

async function readConfig(dir: string): Promise<ModelConfig> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError('E031', `NER model config ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError('E032', `NER model config ${file} is not valid JSON`);
  }
  const parsed = ModelConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError('E032', `NER model config ${file}: invalid value at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  if (!READABLE_FORMATS.includes(parsed.data.format)) {
    throw new ConfigError('E032', `NER model config ${file}: format "${parsed.data.format}" is not supported (this runtime reads ${READABLE_FORMATS.join(', ')})`);
  }
  const shapes = parsed.data.shapes;
  const shaped = parsed.data.format === 'phi-ner/2' || parsed.data.format === 'phi-ner/3';
  if (shaped && (shapes?.length !== WORD_SHAPES.length || shapes.some((s, i) => s !== WORD_SHAPES[i]))) {
    throw new ConfigError('E032', `NER model config ${file}: "shapes" must be [${WORD_SHAPES.join(', ')}] for ${parsed.data.format}`);
  }
  if ((parsed.data.format === 'phi-ner/3') !== (parsed.data.lexicon !== undefined)) {
    throw new ConfigError('E032', `NER model config ${file}: "lexicon" (word classes) is required by phi-ner/3 and only by it`);
  }
  return parsed.data;
}

function modelPath(dir: string, config: ModelConfig): string {
  const file = join(dir, config.model_file);
  const rel = relative(dir, file);
  if (isAbsolute(config.model_file) || rel.startsWith('..') || rel.includes(`..${sep}`)) {
    throw new ConfigError('E032', `NER model config ${join(dir, 'config.json')}: model_file must name a file inside the model folder`);
  }
  return file;
}

/**
 * The normalizer the model was trained with. Training (models/train/phi_text.py) copies the
 * BertNormalizer of @xenova/transformers 2.17, which strips accents as NFD and then removes
 * U+0300–U+036F only; @huggingface/tokenizers removes every nonspacing mark (\p{Mn}: also
 * kana voicing marks, Indic, Hebrew and Arabic vowel signs…), which gives other ids for words in
 * those scripts. So a BertNormalizer that strips accents is given to the tokenizer as the same
 * steps spelled out with its standard components: BertNormalizer without accent stripping
 * (control-character cleanup, CJK spacing, lowercasing), NFD, then a Replace that removes
 * U+0300–U+036F. Other normalizers are used as they are.
 */
export function trainingNormalizer(normalizer: unknown): unknown {
  if (typeof normalizer !== 'object' || normalizer === null) return normalizer;
  const n = normalizer as { type?: unknown; lowercase?: unknown; strip_accents?: unknown };
  if (n.type !== 'BertNormalizer') return normalizer;
  const strips = n.lowercase ? n.strip_accents !== false : Boolean(n.strip_accents);
  if (!strips) return normalizer;
  return {
    type: 'Sequence',
    normalizers: [
      { ...n, strip_accents: false },
      { type: 'NFD' },
      { type: 'Replace', pattern: { Regex: '[\\x{0300}-\\x{036F}]' }, content: '' },
    ],
  };
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  const value: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${basename(file)} is not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Loads tokenizer.json + tokenizer_config.json from the model folder (local files only, nothing
 * fetched). Exported for models/train/check_tokenizer.ts (Python and the runtime must agree).
 */
export async function loadTokenizer(dir: string): Promise<WordTokenizer> {
  const unloadable = (err: unknown): ConfigError =>
    new ConfigError('E035', `NER tokenizer in ${dir} cannot be loaded (tokenizer.json, tokenizer_config.json): ${errorName(err)}`);
  let hf: HfTokenizer;
  let unkToken: unknown;
  try {
    const [json, config] = await Promise.all([readJson(join(dir, 'tokenizer.json')), readJson(join(dir, 'tokenizer_config.json'))]);
    unkToken = (json.model as { unk_token?: unknown } | undefined)?.unk_token;
    hf = new Tokenizer({ ...json, normalizer: trainingNormalizer(json.normalizer) }, config) as HfTokenizer;
  } catch (err) {
    throw unloadable(err);
  }
  // The post-processor turns an empty text into exactly [CLS] [SEP]: that is how we learn the ids.
  let specials: number[];
  try {
    specials = hf.encode('').ids;
  } catch (err) {
    throw unloadable(err);
  }
  const pad = hf.token_to_id('[PAD]') ?? 0;
  const unk = typeof unkToken === 'string' ? hf.token_to_id(unkToken) : undefined;
  if (specials.length !== 2) throw new ConfigError('E035', `NER tokenizer in ${dir} does not add [CLS] … [SEP] around a text`);
  if (unk === undefined) throw new ConfigError('E035', `NER tokenizer in ${dir} has no unknown-word token`);
  return new WordTokenizer(hf, specials[0]!, specials[1]!, pad, unk);
}

function errorName(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0]!.slice(0, 200)}`;
  return 'unknown error';
}

export interface SessionTuning {
  /** onnxruntime intra-op threads. */
  readonly threads: number;
  /**
   * Whether idle intra-op threads spin-wait for work. Spinning shaves latency on dedicated
   * cores but burns CPU the rules, the tokenizer and other processes could use.
   */
  readonly spinning: boolean;
}

async function createSession(file: string, bytes: Uint8Array, tuning: SessionTuning): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: tuning.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: tuning.spinning ? '1' : '0' } } },
    });
  } catch (err) {
    throw new ConfigError('E034', `NER model ${file} cannot be loaded by onnxruntime (${errorName(err)})`);
  }
}

function toInt64(rows: readonly (readonly number[])[], seq: number, fill: (row: readonly number[], k: number) => number): ort.Tensor {
  const data = new BigInt64Array(rows.length * seq);
  rows.forEach((row, r) => {
    for (let k = 0; k < seq; k++) data[r * seq + k] = BigInt(fill(row, k));
  });
  return new ort.Tensor('int64', data, [rows.length, seq]);
}

/** Reads, verifies and opens a model folder. Nothing is trusted before its sha256 matches. */
async function openModel(dir: string, tuning: SessionTuning): Promise<NerModel> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new ConfigError('E031', `NER model folder ${dir} does not exist or is not a folder`);
  }
  const config = await readConfig(dir);
  const scheme = parseLabelScheme(config.labels, join(dir, 'config.json'));
  const file = modelPath(dir, config);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new ConfigError('E033', `NER model file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== config.sha256) {
    throw new ConfigError('E033', `NER model file ${file} does not match the sha256 in config.json (${bytes.length} bytes; truncated or corrupt)`);
  }
  const tokenizer = await loadTokenizer(dir);
  const session = await createSession(file, bytes, tuning);
  const inputs = new Set(session.inputNames);
  for (const name of ['input_ids', 'attention_mask']) {
    if (!inputs.has(name)) throw new ConfigError('E036', `NER model ${file} lacks the input "${name}"`);
  }
  if (!session.outputNames.includes('logits')) throw new ConfigError('E036', `NER model ${file} lacks the output "logits"`);
  const withTypes = inputs.has('token_type_ids');
  const usesShapes = config.format === 'phi-ner/2' || config.format === 'phi-ner/3';
  if (usesShapes !== inputs.has('shape_ids')) {
    throw new ConfigError('E036', `NER model ${file} ${usesShapes ? 'lacks the input "shape_ids" that' : 'has an input "shape_ids" that no'} ${config.format} model ${usesShapes ? 'needs' : 'has'}`);
  }
  const numLabels = config.labels.length;

  const run = async (rows: readonly (readonly number[])[], shapes?: readonly (readonly number[])[]): Promise<{ logits: Float32Array; seq: number }> => {
    const seq = Math.max(...rows.map((r) => r.length));
    const feeds: Record<string, ort.Tensor> = {
      input_ids: toInt64(rows, seq, (row, k) => (k < row.length ? row[k]! : tokenizer.pad)),
      attention_mask: toInt64(rows, seq, (row, k) => (k < row.length ? 1 : 0)),
    };
    if (withTypes) feeds.token_type_ids = toInt64(rows, seq, () => 0);
    if (usesShapes) {
      if (!shapes || shapes.length !== rows.length || shapes.some((s, r) => s.length !== rows[r]!.length)) {
        throw new ConfigError('E037', `NER inference on a batch of ${rows.length} windows: case shapes missing or not aligned with the token ids`);
      }
      feeds.shape_ids = toInt64(shapes, seq, (row, k) => (k < row.length ? row[k]! : 0));
    }
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await session.run(feeds);
    } catch (err) {
      throw new ConfigError('E037', `NER inference failed on a batch of ${rows.length} windows of ${seq} tokens (${errorName(err)})`);
    }
    const logits = out.logits as ort.Tensor | undefined;
    const dims = logits?.dims ?? [];
    if (logits?.type !== 'float32' || dims.length !== 3 || dims[0] !== rows.length || dims[1] !== seq || dims[2] !== numLabels) {
      throw new ConfigError('E036', `NER model ${file} returned logits of shape [${dims.join(', ')}], expected [${rows.length}, ${seq}, ${numLabels}] float32`);
    }
    return { logits: logits.data as Float32Array, seq };
  };
  // One tiny run now, so a model that loads but cannot run fails here, before any note is read.
  await run([[tokenizer.cls, tokenizer.sep]], [[0, 0]]);
  const close = (): Promise<void> => session.release();
  return { dir, config, scheme, sha256, modelBytes: bytes.length, tokenizer, usesShapes, ...(config.lexicon ? { lexicon: config.lexicon } : {}), run, close };
}

interface Shared {
  readonly model: Promise<NerModel>;
  refs: number;
}

/** One session per model folder and tuning per process, shared by every detector that asks. */
const open = new Map<string, Shared>();

export async function acquireModel(
  dir: string,
  tuning: SessionTuning = { threads: 2, spinning: false },
): Promise<{ model: NerModel; release: () => Promise<void> }> {
  let canonical = dir;
  try {
    canonical = await realpath(dir);
  } catch {
    // openModel reports the missing folder.
  }
  const key = `${canonical}\u0000${tuning.threads}\u0000${tuning.spinning}`;
  let shared = open.get(key);
  if (!shared) {
    shared = { model: openModel(canonical, tuning), refs: 0 };
    open.set(key, shared);
    // A failed load is not cached: the next attempt reads the folder again.
    shared.model.catch(() => open.delete(key));
  }
  shared.refs++;
  const entry = shared;
  let model: NerModel;
  try {
    model = await entry.model;
  } catch (err) {
    entry.refs--;
    throw err;
  }
  let released = false;
  return {
    model,
    release: async () => {
      if (released) return;
      released = true;
      entry.refs--;
      if (entry.refs === 0 && open.get(key) === entry) {
        open.delete(key);
        await model.close();
      }
    },
  };
}
