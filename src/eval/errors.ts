/**
 * A problem with gold or prediction input. Messages name the file and line (or note id) and a
 * coded reason, never note text. The CLI maps these to exit code 2.
 *
 *   E070 file cannot be read          E071 file is not valid UTF-8
 *   E072 JSONL line is not JSON       E073 JSONL line does not fit the schema
 *   E074 span offsets out of range    E075 span `text` differs from the note at its offsets
 *   E076 unknown label                E077 duplicate note id
 *   E078 malformed BRAT annotation    E079 gold and predictions do not line up
 */
export class EvalInputError extends Error {
  constructor(
    readonly code: string,
    /** Where: `file:line`, `file` or a note id. */
    readonly where: string,
    reason: string,
  ) {
    super(`${code} ${where}: ${reason}`);
    this.name = 'EvalInputError';
  }
}
