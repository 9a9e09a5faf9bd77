import { Option, type Command } from 'commander';
import type { CliIO, RegisterCommand } from '../io.js';
import type { EvalOptions } from '../actions/eval.js';

export const registerEval: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('eval')
    .description('Score detection against gold annotations (JSONL file or BRAT folder); runs the pipeline unless --pred is given.')
    .requiredOption('--gold <path>', 'gold JSONL file, or a folder of BRAT .txt + .ann pairs')
    .option('--pred <file>', 'predictions JSONL (what `redact --format jsonl --emit spans` writes) instead of running the pipeline')
    .option('--json', 'print the scores as JSON')
    .option('--report <file>', 'write misses and false alarms with 40 characters of context to this Markdown file (it quotes note text)')
    .option('--detectors <list>', "comma-separated detectors: rules,dictionaries,ner (default: the config's)")
    .option('-c, --config <file>', 'YAML or JSON config file')
    .addOption(
      new Option('--offsets <unit>', 'gold offset unit: code points (Python), UTF-16 (JS), or auto').choices(['auto', 'codepoint', 'utf16']).default('auto'),
    )
    .action(async (options: EvalOptions) => {
      setExit(await (await import('../actions/index.js')).evalCommand(options, io));
    });
};
