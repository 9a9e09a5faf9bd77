import { Option, type Command } from 'commander';
import { STRATIFY_MODES } from '../../review/stratify.js';
import type { CliIO, RegisterCommand } from '../io.js';
import type { SampleOptions, ServeOptions } from '../actions/review.js';

export const registerReview: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  const review = program.command('review').description('Human review of a finished run: sample notes, review them in a browser, report, export gold.');

  review
    .command('sample')
    .description('Draw a seeded, reproducible review set from a run output folder (the set holds PHI; files are mode 0600).')
    .argument('<run-output>', 'the --out folder of a finished folder run (.phi-redact/manifest.jsonl) or queue run (a manifest per worker)')
    .requiredOption('--out <set-dir>', 'new or empty folder for the review set')
    .option('--n <count>', 'notes to sample', '200')
    .option('--seed <int>', 'random seed', '7')
    .addOption(new Option('--stratify <by>', "strata: a note's most frequent detected label, its most frequent detector, or its size quartile (notes without spans form their own stratum)").choices([...STRATIFY_MODES]).default('none'))
    .action(async (run: string, options: SampleOptions) => {
      setExit(await (await import('../actions/index.js')).reviewSample(run, options, io));
    });

  review
    .command('serve')
    .description('Serve the review page (127.0.0.1 and a random port by default; token in the printed URL) until Ctrl-C.')
    .argument('<set>', 'review set folder')
    .option('--reviewer <name>', 'your name, recorded with each verdict (a page URL with &reviewer=NAME records that name instead)', io.env.USER ?? 'reviewer')
    .option('--port <port>', 'port to listen on (default: a random free port)')
    .option('--host <address>', 'address to listen on: a loopback address unless --allow-remote', '127.0.0.1')
    .option('--allow-remote', 'allow a --host other machines can reach (plain HTTP: prefer an SSH tunnel); the token is still required')
    .option('--allow-host <name...>', 'with --allow-remote: DNS names the page may be opened by (IP addresses and localhost always work)')
    .option('--adjudicate', 'record verdicts as adjudications: the page walks the notes where reviewers disagree')
    .action(
      async (set: string, options: ServeOptions) => {
      setExit(await (await import('../actions/index.js')).reviewServe(set, options, io));
    },
    );

  review
    .command('report')
    .description('Precision, recall (95% Wilson intervals), weighted residual PHI per 1,000 notes, per label, Cohen\'s kappa.')
    .argument('<set>', 'review set folder')
    .option('--json', 'print the report as JSON')
    .option('--html <file>', 'also write a printable HTML report (numbers only, no note text)')
    .action(async (set: string, options: { json?: boolean; html?: string }) => {
      setExit(await (await import('../actions/index.js')).reviewReport(set, options, io));
    });

  review
    .command('export-gold')
    .description('Print corrected gold notes (JSONL, the format `phi-redact eval --gold` reads) for the notes reviewers marked done. It holds PHI.')
    .argument('<set>', 'review set folder')
    .option('--require-adjudication', 'refuse (E153) while reviewers disagree anywhere no adjudicator has decided')
    .action(async (set: string, options: { requireAdjudication?: boolean }) => {
      setExit(await (await import('../actions/index.js')).reviewExportGold(set, options, io));
    });
};
