import { Command, CommanderError } from 'commander';
import { asCodedError, UsageError } from '../core/errors.js';
import { CliError, EXIT, type CliIO, type CliResult } from './io.js';
import { COMMANDS } from './commands/index.js';
import { toolVersion } from '../node/runs/audit.js';

/**
 * Parses argv and runs one command. Each command module registers itself on the program and
 * reports its exit code through `setExit`. Unexpected exceptions are caught here and printed
 * without note text (their message is replaced by the error class and code).
 */
export async function run(argv: readonly string[], io: CliIO): Promise<CliResult> {
  let exitCode: number = EXIT.OK;
  const program = new Command()
    .name('phi-redact')
    .description('Find and replace PHI in free-text clinical notes.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    });
  const setExit = (code: number): void => {
    exitCode = Math.max(exitCode, code);
  };
  for (const register of COMMANDS) register(program, io, setExit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return { exitCode: err.exitCode === 0 ? EXIT.OK : EXIT.USAGE };
    }
    if (err instanceof CliError) {
      io.stderr.write(`phi-redact: ${err.message}\n`);
      return { exitCode: err.exitCode };
    }
    // Coded errors and usage errors end the command: one PHI-free line, the table's exit status (src/core/errors.ts).
    const coded = asCodedError(err);
    if (coded !== undefined || err instanceof UsageError) {
      io.stderr.write(`phi-redact: ${(coded ?? (err as UsageError)).message.split('\n')[0]}\n`);
      return { exitCode: coded?.exitCode ?? EXIT.USAGE };
    }
    io.stderr.write(`phi-redact: internal error (${safeErrorSummary(err)})\n`);
    return { exitCode: EXIT.USAGE };
  }
  return { exitCode };
}

/**
 * Last line of defence for errors that escape `run` (an 'error' event nobody listened to, a
 * rejected promise nobody awaited): Node would print the message and stack, which may quote a
 * note. Print the class and code only, and exit 2.
 */
export function installCrashGuards(stderr: NodeJS.WritableStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  const onCrash = (err: unknown): void => {
    stderr.write(`phi-redact: internal error (${safeErrorSummary(err)})\n`);
    exit(EXIT.USAGE);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
}

/** The class and code of an unexpected error, never its message (which may quote note text). */
export function safeErrorSummary(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    // Our coded messages are PHI-free on their first line; anything after it is not ours to vouch for.
    return asCodedError(err)?.message.split('\n')[0] ?? `${err.name}${typeof code === 'string' ? ` ${code}` : ''}`;
  }
  return 'unknown error';
}
