import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Config } from '../../core/config.js';
import { UsageError } from '../../io/errors.js';
import { collectInputs, DEFAULT_GLOB } from '../../io/inputs.js';
import { loadConfig, loadPipeline, type DetectorKind } from '../../io/loadPipeline.js';
import { redactFiles } from '../../io/redactFiles.js';
import { redactJsonlStream, redactTextStream } from '../../io/redactStream.js';
import { CliError, EXIT, type CliIO } from '../io.js';
import type { RegisterCommand } from './index.js';

interface RedactOptions {
  out?: string;
  glob: string;
  config?: string;
  detectors?: string;
  policy?: 'tag' | 'mask';
  format: 'text' | 'jsonl';
  emit?: 'spans';
}

const DETECTOR_KINDS: readonly DetectorKind[] = ['rules', 'ner'];

export const registerRedact: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('redact')
    .description('Redact notes: files and folders into --out (mirrored tree), or "-" for stdin to stdout.')
    .argument('<paths...>', 'files and folders to redact, or "-" for stdin')
    .option('-o, --out <dir>', 'output folder (required for files and folders)')
    .option('--glob <pattern>', 'which files in folders to redact', DEFAULT_GLOB)
    .option('-c, --config <file>', 'YAML or JSON config file')
    .option('--detectors <list>', 'comma-separated detectors: rules,ner (default: the config\'s, rules,ner)')
    .addOption(new Option('--policy <operator>', 'operator for every label the config does not name').choices(['tag', 'mask']))
    .addOption(new Option('--format <format>', 'stdin format').choices(['text', 'jsonl']).default('text'))
    .addOption(new Option('--emit <what>', 'also emit the spans (jsonl: a "spans" field; folders: <file>.spans.json)').choices(['spans']))
    .action(async (paths: string[], options: RedactOptions) => {
      setExit(await redactCommand(paths, options, io));
    });
};

async function redactCommand(paths: readonly string[], options: RedactOptions, io: CliIO): Promise<number> {
  const fromStdin = paths.includes('-');
  if (fromStdin && paths.length > 1) throw new CliError('"-" (stdin) cannot be combined with other paths');
  if (fromStdin && options.out !== undefined) throw new CliError('--out is for files and folders; stdin is redacted to stdout');
  if (!fromStdin && options.out === undefined) throw new CliError('--out <dir> is required when redacting files and folders');
  if (!fromStdin && options.format !== 'text') throw new CliError('--format applies to stdin ("-") only');
  if (fromStdin && options.format === 'text' && options.emit === 'spans') {
    throw new CliError('--emit spans needs --format jsonl (stdin) or an --out folder');
  }
  const detectors = options.detectors === undefined ? undefined : parseDetectors(options.detectors);

  const pipeline = await withCodedErrors(async () => {
    const configPath = options.config === undefined ? undefined : resolve(io.cwd, options.config);
    let config: Config = loadConfig(configPath);
    if (options.policy !== undefined) config = { ...config, policy: { ...config.policy, DEFAULT: options.policy } };
    return loadPipeline({ config, detectors, baseDir: configPath === undefined ? io.cwd : dirname(configPath) });
  });

  const onProblem = (where: string, message: string): void => {
    io.stderr.write(`phi-redact: ${where}: ${message}\n`);
  };
  try {
    if (fromStdin) {
      const run = options.format === 'jsonl' ? redactJsonlStream : redactTextStream;
      const summary = await run(pipeline, io.stdin, io.stdout, { emitSpans: options.emit === 'spans', onProblem });
      return summary.failed > 0 ? EXIT.SOME_FAILED : EXIT.OK;
    }
    const outDir = resolve(io.cwd, options.out!);
    const { files, problems } = await withCodedErrors(() => collectInputs(paths, { cwd: io.cwd, outDir, glob: options.glob }));
    for (const p of problems) onProblem(p.display, p.error.message);
    const summary = await redactFiles(pipeline, files, { outDir, emitSpans: options.emit === 'spans', onProblem });
    const failed = summary.failed + problems.length;
    io.stdout.write(
      `phi-redact: ${summary.done} note${summary.done === 1 ? '' : 's'} redacted, ${failed} failed -> ${options.out} ` +
        `(manifest: ${options.out!.replace(/\/+$/, '')}/.phi-redact/manifest.jsonl)\n`,
    );
    return failed > 0 ? EXIT.SOME_FAILED : EXIT.OK;
  } finally {
    await pipeline.dispose();
  }
}

function parseDetectors(list: string): DetectorKind[] {
  const kinds = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = kinds.find((k) => !(DETECTOR_KINDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw new CliError(`E012 unknown detector "${unknown}" (choose from ${DETECTOR_KINDS.join(', ')})`);
  if (kinds.length === 0) throw new CliError('E012 --detectors needs at least one of rules, ner');
  return kinds as DetectorKind[];
}

/** Config, rule-pack and model errors carry a code (E0xx) and name the file: show them as usage errors. */
async function withCodedErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError) throw new CliError(err.message);
    if (err instanceof Error && /^E\d{3} /.test(err.message)) throw new CliError(err.message.split('\n')[0]!);
    throw err;
  }
}
