import { resolve } from 'node:path';
import type { Stratify } from '../../review/stratify.js';
import { writeFileAtomic } from '../../node/files/atomicWrite.js';
import { exportGold } from '../../review/exportGold.js';
import { buildReport, formatReportHtml, formatReportText } from '../../review/reviewReport.js';
import { isLoopbackHost } from '../../review/access.js';
import { startReviewServer } from '../../review/server.js';
import { loadReviewSet,  writeReviewSet } from '../../review/store.js';
import { combineReviews, reduceVerdicts } from '../../review/verdicts.js';
import { CliError, EXIT, type CliIO } from '../io.js';
import { untilStopped } from '../../node/runs/signals.js';

export interface SampleOptions {
  out: string;
  n: string;
  seed: string;
  stratify: Stratify;
}

export interface ServeOptions {
  reviewer: string;
  port?: string;
  host: string;
  allowRemote?: boolean;
  allowHost?: string[];
  adjudicate?: boolean;
}

/** What `phi-redact review` does: src/cli/commands/review.ts declares it and loads this when it runs (issue 19: other commands stay off a command's start). */

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${name} must be a positive integer`);
  return n;
}

export async function reviewSample(run: string, options: SampleOptions, io: CliIO): Promise<number> {
  const n = positiveInt('--n', options.n);
  const seed = Number(options.seed);
  if (!Number.isInteger(seed)) throw new CliError('--seed must be an integer');
  const info = await writeReviewSet({
    run: resolve(io.cwd, run),
    out: resolve(io.cwd, options.out),
    n,
    seed,
    stratify: options.stratify,
    onSkip: (_, reason) => void io.stderr.write(`phi-redact: skipped: ${reason}\n`),
  });
  const drawn = info.strata.reduce((a, s) => a + s.sampled, 0);
  const files = info.recordFiles !== undefined ? `, ${info.recordFiles} JSONL/CSV/FHIR files not sampled` : '';
  io.stdout.write(`Sampled ${drawn} of ${info.population} notes (${info.failed} failed notes not sampled${files}) into ${options.out}\n`);
  if (info.skipped) io.stdout.write(`Skipped ${info.skipped.length} drawn notes that could not be read (listed in set.json); each was replaced from its stratum where it had another\n`);
  for (const s of info.strata) io.stdout.write(`  ${s.key}: ${s.sampled} of ${s.population} (weight ${s.weight.toFixed(2)})\n`);
  return EXIT.OK;
}

export async function reviewServe(set: string, options: ServeOptions, io: CliIO): Promise<number> {
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('--port must be a whole number from 0 to 65535');
  const server = await startReviewServer({
    setDir: resolve(io.cwd, set),
    reviewer: options.reviewer,
    port,
    host: options.host,
    allowRemote: options.allowRemote === true,
    allowHosts: options.allowHost ?? [],
    adjudicate: options.adjudicate === true,
  });
  io.stdout.write(`${server.url}\n`);
  const where = isLoopbackHost(options.host) ? `${options.host} only` : `${options.host}, reachable from other machines (plain HTTP; token required)`;
  io.stderr.write(`phi-redact: review server running on ${where}${options.adjudicate ? ', adjudicating' : ''}; press Ctrl-C to stop\n`);
  await untilStopped();
  await server.close();
  return EXIT.OK;
}

export async function reviewReport(set: string, options: { json?: boolean; html?: string }, io: CliIO): Promise<number> {
  const loaded = await loadReviewSet(resolve(io.cwd, set));
  const report = buildReport(loaded.info, loaded.items, reduceVerdicts(loaded.events));
  io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportText(report));
  if (options.html !== undefined) await writeFileAtomic(resolve(io.cwd, options.html), formatReportHtml(report));
  return EXIT.OK;
}

export async function reviewExportGold(set: string, options: { requireAdjudication?: boolean }, io: CliIO): Promise<number> {
  const loaded = await loadReviewSet(resolve(io.cwd, set));
  const state = reduceVerdicts(loaded.events);
  const gold = exportGold(loaded.items, state, { requireAdjudication: options.requireAdjudication === true });
  for (const line of gold) io.stdout.write(`${JSON.stringify(line)}\n`);
  const open = combineReviews(loaded.items, state).flatMap((n) => n.disagreements).filter((d) => !d.resolved).length;
  if (open > 0) io.stderr.write(`phi-redact: ${open} disagreement(s) not adjudicated were decided by the rule (PHI wins; see review report)\n`);
  return EXIT.OK;
}
