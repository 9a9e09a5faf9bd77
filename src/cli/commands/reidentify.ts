import { resolve } from 'node:path';
import type { Command } from 'commander';
import { asCodedError } from '../../core/errors.js';
import { loadConfig } from '../../node/configFile.js';
import { loadSecretKey } from '../../node/keys.js';
import { noteScope } from '../../node/surrogates.js';
import { formatNoteLine, parseNoteLine } from '../../node/runs/jsonlNotes.js';
import type { RestoreChoice, Vault } from '../../node/vault/vault.js';
import { CliError, EXIT, type CliIO, type RegisterCommand } from '../io.js';

interface ReidentifyOptions {
  vault: string;
  keyFile?: string;
  note?: string;
  patient?: string;
  format?: string;
  config?: string;
}

/**
 * `phi-redact reidentify`: for an authorized user holding the key, puts originals back.
 *   reidentify --vault v.db "Declan Hauck" 9/19/2020   one line per term: term, label, original
 *   reidentify --vault v.db --patient p17 "Declan Hauck"   ... only that patient's originals
 *   reidentify --vault v.db - < pseudo.txt > orig.txt   one redacted note restored
 *   reidentify --vault v.db --format jsonl - < out.jsonl   each line's text restored
 * A text is restored only at the offsets the vault recorded for exactly that output (found by a
 * keyed hash of the whole text), each note in its own patient scope; nothing that merely reads
 * like a surrogate is touched. The output holds PHI by design: it goes to stdout only.
 */
export const registerReidentify: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('reidentify')
    .description('Put originals back from a --vault (needs the same key): look up terms, or "-" to restore a redacted note (or JSONL) on stdin.')
    .argument('[terms...]', 'surrogates to look up, or "-" to read a redacted text from stdin')
    .requiredOption('--vault <file>', 'the vault a `redact --vault` run wrote')
    .option('--key-file <file>', 'the key the vault was written with (else $PHI_REDACT_KEY)')
    .option('--patient <id>', "only this patient's originals (the patient id the run used as surrogate scope)")
    .option('--note <id>', 'with "-": the note id the run gave the note (a path as in the manifest, <stdin>:LINE), when several recorded notes share the text')
    .option('--format <format>', 'with "-": text (one note, default) or jsonl (the output of `redact - --format jsonl`)', 'text')
    .option('-c, --config <file>', "with --format jsonl: the run's config, whose surrogate.patientId field names each record's patient (default: patient_id)")
    .action(async (terms: string[], options: ReidentifyOptions) => {
      setExit(await reidentifyCommand(terms, options, io));
    });
};

async function reidentifyCommand(terms: readonly string[], options: ReidentifyOptions, io: CliIO): Promise<number> {
  if (terms.length === 0) throw new CliError('give surrogates to look up, or "-" to read a text from stdin');
  if (terms.includes('-') && terms.length > 1) throw new CliError('"-" (stdin) cannot be combined with terms');
  if (options.format !== 'text' && options.format !== 'jsonl') throw new CliError('--format must be text or jsonl');
  const loaded = loadSecretKey({ keyFile: options.keyFile === undefined ? undefined : resolve(io.cwd, options.keyFile), env: io.env });
  if (loaded.source === 'random') throw new CliError('E116 reidentify needs the vault\'s key (--key-file or PHI_REDACT_KEY)');
  // Imported here: it loads the native SQLite module, which no other command's start needs.
  const { restoreText, Vault } = await import('../../node/vault/vault.js');
  const vault = Vault.open(resolve(io.cwd, options.vault), loaded.key);
  try {
    if (terms[0] === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      const input = Buffer.concat(chunks).toString('utf8');
      const choice: RestoreChoice = { ...(options.note !== undefined ? { noteId: options.note } : {}), ...(options.patient !== undefined ? { scope: options.patient } : {}) };
      if (options.format === 'text') return restoreOne(input, vault, choice, restoreText, io);
      const config = loadConfig(options.config === undefined ? undefined : resolve(io.cwd, options.config));
      return restoreJsonl(input, vault, choice, (record) => noteScope(config, { record }).scope, restoreText, io);
    }
    let missing = 0;
    for (const term of terms) {
      const found = vault.lookup(term, options.patient);
      if (found.length === 0) missing++;
      for (const e of found) io.stdout.write(`${term}\t${e.label}\t${e.original}\n`);
    }
    if (missing > 0) io.stderr.write(`phi-redact: ${missing} term${missing === 1 ? '' : 's'} not in the vault\n`);
    return missing > 0 ? EXIT.SOME_FAILED : EXIT.OK;
  } finally {
    vault.close();
  }
}

type RestoreText = typeof import('../../node/vault/vault.js').restoreText;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function restoreOne(input: string, vault: Vault, choice: RestoreChoice, restoreText: RestoreText, io: CliIO): number {
  // Coded errors (E119, E120, E121) end the command with nothing written.
  const r = restoreText(input, vault.notesFor(input), choice, '<stdin>');
  io.stdout.write(r.text);
  io.stderr.write(`phi-redact: ${plural(r.restored, 'span')} restored\n`);
  return EXIT.OK;
}

/**
 * One redacted JSONL record per line: each `text` restored, in the patient scope its record
 * names (as the run read it), so two patients' notes that came out identical are told apart.
 * A line that cannot be restored is named on stderr and left out.
 */
function restoreJsonl(
  input: string,
  vault: Vault,
  choice: RestoreChoice,
  patientOf: (record: unknown) => string | undefined,
  restoreText: RestoreText,
  io: CliIO,
): number {
  const lines = input.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let restored = 0;
  let failed = 0;
  let out = '';
  for (const [i, line] of lines.entries()) {
    const where = `<stdin> line ${i + 1}`;
    const parsed = parseNoteLine(line, i + 1);
    if (parsed.kind === 'blank') continue;
    try {
      if (parsed.kind === 'error') throw parsed.error;
      const patient = choice.scope ?? patientOf(parsed.record.fields);
      const r = restoreText(parsed.record.text, vault.notesFor(parsed.record.text), { ...choice, ...(patient !== undefined ? { scope: patient } : {}) }, where);
      out += formatNoteLine(parsed.record, { text: r.text, spans: [] });
      restored += r.restored;
    } catch (err) {
      const coded = asCodedError(err);
      if (coded === undefined || coded.code === 'E119') throw err;
      failed++;
      io.stderr.write(`phi-redact: ${coded.message}\n`);
    }
  }
  io.stdout.write(out);
  io.stderr.write(`phi-redact: ${plural(restored, 'span')} restored${failed > 0 ? `, ${plural(failed, 'line')} left out` : ''}\n`);
  return failed > 0 ? EXIT.SOME_FAILED : EXIT.OK;
}
