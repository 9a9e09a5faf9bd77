import { resolve } from 'node:path';
import type { OffsetUnit } from '../../eval/goldReaders.js';
import { evaluate, formatReport, formatText, joinPredictions, toJson, type EvalDoc, type GoldDoc } from '../../eval/index.js';
import { writeFileAtomic } from '../../node/files/atomicWrite.js';
import { readGold, readPredJsonl } from '../../node/goldFiles.js';
import { loadPipeline, type DetectorKind } from '../../node/createPipeline.js';
import type { Pipeline } from '../../pipeline.js';
import { parseDetectorsOption } from '../options.js';
import { CliError, EXIT, type CliIO } from '../io.js';

export interface EvalOptions {
  gold: string;
  pred?: string;
  json?: boolean;
  report?: string;
  detectors?: string;
  config?: string;
  offsets: OffsetUnit;
}

/** What `phi-redact eval` does (src/cli/commands/eval.ts declares it; loaded when it runs). */

/** Notes per analyzeBatch call: enough to fill NER batches, small enough to keep memory flat. */
const BATCH = 32;

export async function evalCommand(options: EvalOptions, io: CliIO): Promise<number> {
  if (options.pred !== undefined && (options.detectors !== undefined || options.config !== undefined)) {
    throw new CliError('--detectors and --config choose the pipeline to run; they cannot be used with --pred');
  }
  const detectors = options.detectors === undefined ? undefined : parseDetectorsOption(options.detectors);
  const gold = await readGold(resolve(io.cwd, options.gold), { offsets: options.offsets, displayPath: options.gold });
  const { docs, predictions } =
    options.pred !== undefined
      ? {
          docs: await joinPredictions(gold, await readPredJsonl(resolve(io.cwd, options.pred!), options.pred!), options.pred!),
          predictions: { file: options.pred } as Predictions,
        }
      : await runPipeline(gold, options, detectors, io);

  const result = evaluate(docs);
  const preamble = [
    `Gold: ${options.gold}. Predictions: ${
      predictions.file ?? `pipeline run now (${Object.keys(predictions.detectors ?? {}).length} detectors: ${[...new Set(Object.keys(predictions.detectors ?? {}).map((d) => d.split('/')[0]))].join(', ')})`
    }.`,
  ];
  io.stdout.write(
    options.json ? `${JSON.stringify({ gold: options.gold, predictions, ...(toJson(result) as object) }, null, 2)}\n` : formatText(result, preamble),
  );
  if (options.report !== undefined) {
    const texts = new Map(gold.map((g) => [g.id, g.text]));
    await writeFileAtomic(resolve(io.cwd, options.report!), formatReport(result, texts));
    io.stderr.write(`phi-redact: ${result.errors.length} errors listed in ${options.report}\n`);
  }
  return EXIT.OK;
}

/** Where the predictions came from: a file, or the detectors run (id → PHI-free fingerprint). */
interface Predictions {
  readonly file?: string;
  readonly detectors?: Record<string, string>;
}

async function runPipeline(
  gold: readonly GoldDoc[],
  options: EvalOptions,
  detectors: DetectorKind[] | undefined,
  io: CliIO,
): Promise<{ docs: EvalDoc[]; predictions: Predictions }> {
  const configPath = options.config === undefined ? undefined : resolve(io.cwd, options.config);
  const pipeline: Pipeline = await loadPipeline({ ...(configPath !== undefined ? { configPath } : { baseDir: io.cwd }), ...(detectors ? { detectors } : {}) });
  try {
    const docs: EvalDoc[] = [];
    for (let i = 0; i < gold.length; i += BATCH) {
      const chunk = gold.slice(i, i + BATCH);
      // A detector failure stops the evaluation (fail closed): partial scores would mislead.
      const analyses = await pipeline.analyzeBatch(chunk.map((g) => g.text), chunk.map((g) => ({ noteId: g.id })));
      for (const [k, g] of chunk.entries()) docs.push({ ...g, pred: analyses[k]!.spans, raw: analyses[k]!.raw });
    }
    return { docs, predictions: { detectors: pipeline.fingerprints() } };
  } finally {
    await pipeline.dispose();
  }
}

