import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { learnLists } from '../../detect/site/learn.js';
import { formatProposals } from '../../node/assets/siteLists.js';
import { loadPipeline } from '../../node/createPipeline.js';
import { writeFileAtomic } from '../../node/files/atomicWrite.js';
import { readGold } from '../../node/goldFiles.js';
import { parseDetectorsOption } from '../options.js';
import { CliError, EXIT, type CliIO, type RegisterCommand } from '../io.js';

/**
 * `phi-redact lists learn`: site list proposals (deny lists, roster, allow list) from reviewed
 * gold (`review export-gold`, or any gold JSONL/BRAT), written to a YAML file for a person to
 * review; never applied by itself (src/detect/site/learn.ts). Prints counts only: the
 * proposals are PHI (staff names, places) and go only to the file named.
 */

interface LearnOptions {
  gold: string;
  out: string;
  config?: string;
  detectors?: string;
  minNotes: string;
  minAllowNotes: string;
}

export const registerLists: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  const lists = program.command('lists').description('Site lists: learn proposals from reviewed notes (see README "Adapting to your site").');
  lists
    .command('learn')
    .description('Propose site deny lists, a staff roster and an allow list from gold notes; writes a YAML file to review (never applied by itself)')
    .requiredOption('--gold <file>', 'gold notes: JSONL (review export-gold) or a BRAT folder')
    .requiredOption('-o, --out <file>', 'the proposals YAML (0600; it holds PHI)')
    .option('-c, --config <file>', "config whose detectors decide what is already caught and what is a false alarm")
    .option('--detectors <list>', 'comma-separated detectors (default: the config\'s)')
    .option('--min-notes <n>', 'a PHI string must recur in this many notes', '2')
    .option('--min-allow-notes <n>', 'a false alarm must recur in this many notes to be proposed for the allow list', '3')
    .action(async (options: LearnOptions) => {
      setExit(await learnCommand(options, io));
    });
};

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new CliError(`${flag} must be a whole number from 1, got "${value}"`);
  return n;
}

async function learnCommand(options: LearnOptions, io: CliIO): Promise<number> {
  const minNotes = count('--min-notes', options.minNotes);
  const minAllowNotes = count('--min-allow-notes', options.minAllowNotes);
  const detectors = options.detectors === undefined ? undefined : parseDetectorsOption(options.detectors);
  const gold = await readGold(resolve(io.cwd, options.gold), { displayPath: options.gold });
  if (gold.length === 0) throw new ConfigError('E184', `${options.gold}: holds no notes`);
  const configPath = options.config === undefined ? undefined : resolve(io.cwd, options.config);
  const pipeline = await loadPipeline({ ...(configPath !== undefined ? { configPath } : {}), ...(detectors !== undefined ? { detectors } : {}) });
  try {
    const analyses = await pipeline.analyzeBatch(gold.map((g) => g.text));
    const proposals = learnLists(
      gold.map((g, i) => ({ text: g.text, spans: g.spans, pred: analyses[i]!.spans })),
      { minNotes, minAllowNotes },
    );
    await writeFileAtomic(resolve(io.cwd, options.out), formatProposals(proposals, { notes: gold.length, file: options.gold }));
    const denied = Object.entries(proposals.deny).map(([label, cs]) => `${cs?.length ?? 0} ${label}`);
    io.stdout.write(
      `phi-redact: proposals from ${gold.length} notes -> ${options.out}: deny ${denied.length > 0 ? denied.join(', ') : 'none'}; ` +
        `roster ${proposals.roster.length}; allow ${proposals.allow.length}. Review the file before naming it in the config (site.lists).\n`,
    );
    return EXIT.OK;
  } finally {
    await pipeline.dispose();
  }
}
