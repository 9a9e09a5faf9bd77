import type { Command } from 'commander';
import type { CliIO, RegisterCommand } from '../io.js';
import type { ReidentifyOptions } from '../actions/reidentify.js';

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
      setExit(await (await import('../actions/index.js')).reidentifyCommand(terms, options, io));
    });
};
