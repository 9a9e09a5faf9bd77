import type { Command } from 'commander';
import type { CliIO, RegisterCommand } from '../io.js';
import type { LearnOptions } from '../actions/lists.js';

/**
 * `phi-redact lists learn`: site list proposals (deny lists, roster, allow list) from reviewed
 * gold (`review export-gold`, or any gold JSONL/BRAT), written to a YAML file for a person to
 * review; never applied by itself (src/detect/site/learn.ts). Prints counts only: the
 * proposals are PHI (staff names, places) and go only to the file named.
 */

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
      setExit(await (await import('../actions/index.js')).learnCommand(options, io));
    });
};
