import { resolve } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { learnLists } from '../../detect/site/learn.js';
import { formatProposals } from '../../node/assets/siteLists.js';
import { loadPipeline } from '../../node/createPipeline.js';
import { writeFileAtomic } from '../../node/files/atomicWrite.js';
import { readGold } from '../../node/goldFiles.js';
import { parseDetectorsOption } from '../options.js';
import { CliError, EXIT, type CliIO } from '../io.js';

export interface LearnOptions {
  gold: string;
  out: string;
  config?: string;
  detectors?: string;
  minNotes: string;
  minAllowNotes: string;
}

/** What `phi-redact lists` does: src/cli/commands/lists.ts declares it and loads this when it runs (issue 19: other commands stay off a command's start). */

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new CliError(`${flag} must be a whole number from 1, got "${value}"`);
  return n;
}

export async function learnCommand(options: LearnOptions, io: CliIO): Promise<number> {
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
