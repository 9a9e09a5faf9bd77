import type { Command } from 'commander';

/**
 * The CLI's view of the outside world. `run(argv, io)` only talks through this, so every
 * command is unit-testable in-process (secretlint's thin CLI over a pure core).
 */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when stderr is an interactive terminal (progress bars only then). */
  readonly isTTY: boolean;
}

export interface CliResult {
  readonly exitCode: number;
}

/** Exit codes: 0 all good, 1 some inputs failed, 2 usage or configuration error, 130 interrupted. */
export const EXIT = { OK: 0, SOME_FAILED: 1, USAGE: 2, INTERRUPTED: 130 } as const;

/** A user-facing error that maps to an exit code. Its message must never contain note text. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A command module: registers its subcommand and reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, io: CliIO, setExit: (code: number) => void) => void;
