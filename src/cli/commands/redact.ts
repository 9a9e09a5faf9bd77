import { Option, type Command } from 'commander';
import { RECORD_FORMATS } from '../../core/config.js';
import { DEFAULT_GLOB } from '../../node/files/globs.js';
import { DEFAULT_SEPARATOR } from '../../node/runs/stream/records.js';
import type { CliIO, RegisterCommand } from '../io.js';
import type { RedactOptions } from '../actions/redactOptions.js';
import { redactCommand } from '../actions/redact.js';

export const registerRedact: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('redact')
    .description('Redact notes: files and folders into --out (mirrored tree), or "-" for stdin to stdout.')
    .argument('<paths...>', 'files and folders to redact, or "-" for stdin')
    .option('-o, --out <dir>', 'output folder (required for files and folders)')
    .option('--glob <pattern>', `which files in folders to redact (default ${DEFAULT_GLOB}; with --format jsonl, csv or fhir: *.jsonl/*.ndjson, *.csv, *.json)`)
    .option('-c, --config <file>', 'YAML or JSON config file')
    .option('--detectors <list>', 'comma-separated detectors: rules,dictionaries,ner (default: the config\'s, rules,dictionaries,ner)')
    .addOption(new Option('--policy <operator>', 'operator for every label the config does not name').choices(['tag', 'mask', 'surrogate', 'keep']))
    .option('--key-file <file>', 'secret for surrogates and date shifts (else $PHI_REDACT_KEY; else a random key for this run)')
    .option('--vault <file>', 'record original -> surrogate pairs, encrypted under the key, for `phi-redact reidentify`')
    .addOption(
      new Option('--format <format>', 'how inputs are read: one text note, JSONL, CSV or FHIR R4 JSON (default: files by extension, stdin text)').choices([...RECORD_FORMATS]),
    )
    .option('--encoding <label>', 'the inputs\' character encoding, e.g. windows-1252 or latin1 (default utf-8); outputs are UTF-8')
    .option('--text-column <name>', 'CSV: the column to redact (default "text")')
    .option('--id-column <name>', 'CSV: the column naming each record in the vault (default "id")')
    .addOption(new Option('--emit <what>', 'also emit the spans (jsonl: a "spans" field; folders: <file>.spans.json)').choices(['spans']))
    .option('--workers <n>', 'worker threads, each with its own loaded pipeline; 1 = in this process, without per-note budgets (default: folders, the number of cores; stdin, 1)')
    .option('--note-seconds <s>', 'folders: a note running longer is stopped and failed (E058), the run goes on; 0 = no limit (default: config limits.noteSeconds, 900)')
    .option('--worker-memory <MB>', 'folders: JS heap of each worker; a note needing more is stopped and failed (E059); 0 = no limit (default: config limits.workerMemoryMb, 4096)')
    .option('--mode <octal>', 'permission bits of each output file (default 600: owner only)')
    .option('--resume', 'skip notes a killed or earlier run already finished with the same config, rules, model and key; redo the rest (not notes it stopped at a budget, E058/E059)')
    .option('--retry-failed', 'with --resume: also redo the notes an earlier run stopped at a per-note budget (E058, E059)')
    .option('--quiet', 'no progress bar and no summary (errors are still reported)')
    .option('--json', 'print the run summary (the audit report) as JSON: to stdout for folders, to stderr for stdin')
    .addOption(new Option('--on-error <mode>', 'stdin: a malformed or failed note is skipped and counted, or ends the run').choices(['skip', 'fail']).default('skip'))
    .option('--separator <marker>', 'stdin --format text: the line that separates notes', DEFAULT_SEPARATOR)
    .option('--hash-names', 'name outputs (and the manifest\'s inputs) by a keyed hash of the input name, never printing file names (needs --key-file or $PHI_REDACT_KEY)')
    .option('--known <file>', "folders: known identifiers per note (JSONL or CSV keyed by file or patient_id; see README 'Adapting to your site'): found, redacted, never written")
    .option('--audit <file>', 'stdin: also write the audit report to this file (folders always write <out>/.phi-redact/audit.json)')
    .action(async (paths: string[], options: RedactOptions) => {
      setExit(await redactCommand(paths, options, io));
    });
};
