import { PhiRedactError, type ErrorCode } from '../core/errors.js';

/**
 * A problem with gold or prediction input (E070–E079, src/core/errors.ts). Messages name the
 * file and line (or note id) and a coded reason, never note text. The CLI maps these to exit 2.
 */
export class EvalInputError extends PhiRedactError {
  override name = 'EvalInputError';

  constructor(
    code: ErrorCode,
    /** Where: `file:line`, `file` or a note id. */
    readonly where: string,
    reason: string,
  ) {
    super(code, `${where}: ${reason}`);
  }
}
