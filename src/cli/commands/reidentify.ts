import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSecretKey } from '../../node/keys.js';
import { reidentifyText, Vault } from '../../node/vault/vault.js';
import { CliError, EXIT, type CliIO, type RegisterCommand } from '../io.js';

interface ReidentifyOptions {
  vault: string;
  keyFile?: string;
}

/**
 * `phi-redact reidentify`: for an authorized user holding the key, puts originals back.
 *   reidentify --vault v.db "Declan Hauck" 9/19/2020   one line per term: term, label, original
 *   reidentify --vault v.db - < pseudo.txt > orig.txt   every vault surrogate in the text replaced
 * The output holds PHI by design: it goes to stdout only, which the user redirects.
 */
export const registerReidentify: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('reidentify')
    .description('Put originals back from a --vault (needs the same key): look up terms, or "-" to restore a text on stdin.')
    .argument('[terms...]', 'surrogates to look up, or "-" to read a surrogate text from stdin')
    .requiredOption('--vault <file>', 'the vault a `redact --vault` run wrote')
    .option('--key-file <file>', 'the key the vault was written with (else $PHI_REDACT_KEY)')
    .action(async (terms: string[], options: ReidentifyOptions) => {
      setExit(await reidentifyCommand(terms, options, io));
    });
};

async function reidentifyCommand(terms: readonly string[], options: ReidentifyOptions, io: CliIO): Promise<number> {
  if (terms.length === 0) throw new CliError('give surrogates to look up, or "-" to read a text from stdin');
  if (terms.includes('-') && terms.length > 1) throw new CliError('"-" (stdin) cannot be combined with terms');
  const loaded = loadSecretKey({ keyFile: options.keyFile === undefined ? undefined : resolve(io.cwd, options.keyFile), env: io.env });
  if (loaded.source === 'random') throw new CliError('E116 reidentify needs the vault\'s key (--key-file or PHI_REDACT_KEY)');
  const vault = Vault.open(resolve(io.cwd, options.vault), loaded.key);
  try {
    if (terms[0] === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      const r = reidentifyText(Buffer.concat(chunks).toString('utf8'), vault.all());
      io.stdout.write(r.text);
      io.stderr.write(`phi-redact: ${r.replaced} surrogate${r.replaced === 1 ? '' : 's'} restored, ${r.ambiguous} left (several originals)\n`);
      return EXIT.OK;
    }
    let missing = 0;
    for (const term of terms) {
      const found = vault.lookup(term);
      if (found.length === 0) missing++;
      for (const e of found) io.stdout.write(`${term}\t${e.label}\t${e.original}\n`);
    }
    if (missing > 0) io.stderr.write(`phi-redact: ${missing} term${missing === 1 ? '' : 's'} not in the vault\n`);
    return missing > 0 ? EXIT.SOME_FAILED : EXIT.OK;
  } finally {
    vault.close();
  }
}

