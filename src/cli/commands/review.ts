import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { writeFileAtomic } from '../../node/files/atomicWrite.js';
import { exportGold } from '../../review/exportGold.js';
import { buildReport, formatReportHtml, formatReportText } from '../../review/reviewReport.js';
import { isLoopbackHost } from '../../review/access.js';
import { startReviewServer } from '../../review/server.js';
import { loadReviewSet,  writeReviewSet } from '../../review/store.js';
import { STRATIFY_MODES, type Stratify } from '../../review/types.js';
import { combineReviews, reduceVerdicts } from '../../review/verdicts.js';
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
    .argument('<run-output>', 'the --out folder of a finished folder run (.phi-redact/manifest.jsonl) or queue run (a manifest per worker)')
    .requiredOption('--out <set-dir>', 'new or empty folder for the review set')
    .option('--n <count>', 'notes to sample', '200')
    .option('--seed <int>', 'random seed', '7')
    .addOption(new Option('--stratify <by>', "strata: a note's most frequent detected label, its most frequent detector, or its size quartile (notes without spans form their own stratum)").choices([...STRATIFY_MODES]).default('none'))
    .action(async (run: string, options: { out: string; n: string; seed: string; stratify: Stratify }) => {
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
      setExit(EXIT.OK);
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
      async (
        set: string,
        options: { reviewer: string; port?: string; host: string; allowRemote?: boolean; allowHost?: string[]; adjudicate?: boolean },
      ) => {
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
        setExit(EXIT.OK);
      },
    );

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
    .option('--require-adjudication', 'refuse (E153) while reviewers disagree anywhere no adjudicator has decided')
    .action(async (set: string, options: { requireAdjudication?: boolean }) => {
      const loaded = await loadReviewSet(resolve(io.cwd, set));
      const state = reduceVerdicts(loaded.events);
      const gold = exportGold(loaded.items, state, { requireAdjudication: options.requireAdjudication === true });
      for (const line of gold) io.stdout.write(`${JSON.stringify(line)}\n`);
      const open = combineReviews(loaded.items, state).flatMap((n) => n.disagreements).filter((d) => !d.resolved).length;
      if (open > 0) io.stderr.write(`phi-redact: ${open} disagreement(s) not adjudicated were decided by the rule (PHI wins; see review report)\n`);
      setExit(EXIT.OK);
    });
};
