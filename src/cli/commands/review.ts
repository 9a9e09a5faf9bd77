import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { writeFileAtomic } from '../../node/files/atomicWrite.js';
import { exportGold } from '../../review/exportGold.js';
import { buildReport, formatReportHtml, formatReportText } from '../../review/reviewReport.js';
import { startReviewServer } from '../../review/server.js';
import { loadReviewSet,  writeReviewSet } from '../../review/store.js';
import { STRATIFY_MODES, type Stratify } from '../../review/types.js';
import { reduceVerdicts } from '../../review/verdicts.js';
import { CliError, EXIT, type CliIO, type RegisterCommand } from '../io.js';

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${name} must be a positive integer`);
  return n;
}


/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM). */
function untilStopped(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export const registerReview: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  const review = program.command('review').description('Human review of a finished run: sample notes, review them in a browser, report, export gold.');

  review
    .command('sample')
    .description('Draw a seeded, reproducible review set from a run output folder (the set holds PHI; files are mode 0600).')
    .argument('<run-output>', 'the --out folder of a finished folder run (with .phi-redact/manifest.jsonl)')
    .requiredOption('--out <set-dir>', 'new or empty folder for the review set')
    .option('--n <count>', 'notes to sample', '200')
    .option('--seed <int>', 'random seed', '7')
    .addOption(new Option('--stratify <by>', "strata: a note's most frequent detected label, its most frequent detector, or its size quartile (notes without spans form their own stratum)").choices([...STRATIFY_MODES]).default('none'))
    .action(async (run: string, options: { out: string; n: string; seed: string; stratify: Stratify }) => {
      const n = positiveInt('--n', options.n);
      const seed = Number(options.seed);
      if (!Number.isInteger(seed)) throw new CliError('--seed must be an integer');
      const info = await writeReviewSet({ run: resolve(io.cwd, run), out: resolve(io.cwd, options.out), n, seed, stratify: options.stratify });
      const drawn = info.strata.reduce((a, s) => a + s.sampled, 0);
      io.stdout.write(`Sampled ${drawn} of ${info.population} notes (${info.failed} failed notes not sampled) into ${options.out}\n`);
      for (const s of info.strata) io.stdout.write(`  ${s.key}: ${s.sampled} of ${s.population} (weight ${s.weight.toFixed(2)})\n`);
      setExit(EXIT.OK);
    });

  review
    .command('serve')
    .description('Serve the review page on 127.0.0.1 (random port, token in the printed URL) until Ctrl-C.')
    .argument('<set>', 'review set folder')
    .option('--reviewer <name>', 'your name, recorded with each verdict', io.env.USER ?? 'reviewer')
    .action(async (set: string, options: { reviewer: string }) => {
      const server = await startReviewServer({ setDir: resolve(io.cwd, set), reviewer: options.reviewer });
      io.stdout.write(`${server.url}\n`);
      io.stderr.write('phi-redact: review server running on 127.0.0.1 only; press Ctrl-C to stop\n');
      await untilStopped();
      await server.close();
      setExit(EXIT.OK);
    });

  review
    .command('report')
    .description('Precision, recall (95% Wilson intervals), weighted residual PHI per 1,000 notes, per label, Cohen\'s kappa.')
    .argument('<set>', 'review set folder')
    .option('--json', 'print the report as JSON')
    .option('--html <file>', 'also write a printable HTML report (numbers only, no note text)')
    .action(async (set: string, options: { json?: boolean; html?: string }) => {
      const loaded = await loadReviewSet(resolve(io.cwd, set));
      const report = buildReport(loaded.info, loaded.items, reduceVerdicts(loaded.events));
      io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportText(report));
      if (options.html !== undefined) await writeFileAtomic(resolve(io.cwd, options.html), formatReportHtml(report));
      setExit(EXIT.OK);
    });

  review
    .command('export-gold')
    .description('Print corrected gold notes (JSONL, the format `phi-redact eval --gold` reads) for the notes reviewers marked done. It holds PHI.')
    .argument('<set>', 'review set folder')
    .action(async (set: string) => {
      const loaded = await loadReviewSet(resolve(io.cwd, set));
      for (const line of exportGold(loaded.items, reduceVerdicts(loaded.events))) io.stdout.write(`${JSON.stringify(line)}\n`);
      setExit(EXIT.OK);
    });
};
