import { resolve } from 'node:path';
import { asCodedError } from '../../core/errors.js';
import { loadConfig } from '../../node/configFile.js';
import { loadSecretKey } from '../../node/keys.js';
import { noteScope } from '../../node/surrogates.js';
import { formatNoteLine, parseNoteLine } from '../../node/runs/jsonlNotes.js';
import type { RestoreChoice, Vault } from '../../node/vault/vault.js';
import { CliError, EXIT, type CliIO } from '../io.js';

export interface ReidentifyOptions {
  vault: string;
  keyFile?: string;
  note?: string;
  patient?: string;
  format?: string;
  config?: string;
}

/** What `phi-redact reidentify` does: src/cli/commands/reidentify.ts declares it and loads this when it runs (issue 19: other commands stay off a command's start). */

export async function reidentifyCommand(terms: readonly string[], options: ReidentifyOptions, io: CliIO): Promise<number> {
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
