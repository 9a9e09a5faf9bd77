/**
 * A per-input failure: one PHI-free line naming the input (file path or `<stdin>` + line) and a
 * coded reason. The run goes on with the other inputs and ends with exit code 1.
 *
 * Codes:
 *   E040 path does not exist            E041 empty file
 *   E042 binary file                    E043 invalid UTF-8
 *   E044 cannot read (permissions, ...) E045 cannot write the output
 *   E046 a detector failed on the note (nothing is written for it: fail closed)
 *   E047 the manifest or audit report cannot be written (disk full): the folder run stops
 *   E048 the out folder is in use by another run (usage error, io/runLock.ts)
 *   E050 JSONL line is not valid JSON   E051 JSONL line is not an object with a string `text`
 *   E052 JSONL line is not valid UTF-8
 *   E053 a file, JSONL line or text note larger than 64 MB (refused unread)
 */
export class InputError extends Error {
  constructor(
    readonly code: string,
    /** The reason, without the code; never contains note text. */
    readonly reason: string,
  ) {
    super(`${code} ${reason}`);
    this.name = 'InputError';
  }
}

/** A PHI-free one-line description of any error: our coded messages, else the class and errno code. */
export function describeError(err: unknown): string {
  if (err instanceof InputError) return err.message;
  if (err instanceof Error) {
    if (/^E\d{3} /.test(err.message)) return err.message.split('\n')[0]!;
    const code = (err as NodeJS.ErrnoException).code;
    return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}`;
  }
  return 'unknown error';
}

/** A problem with the command as a whole (maps to exit code 2); names paths, never content. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
