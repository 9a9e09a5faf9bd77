/**
 * Every error code phi-redact reports, in one table: what it means and the exit status when it
 * ends a command. A coded message is `E0xx <reason>`; the reason names files, lines, offsets,
 * labels and detector ids, never note text, so it may be printed, logged and counted. The README's
 * exit-code tables are this table's user-facing half.
 *
 * Exit statuses: 1 an input failed (the run goes on with the others), 2 usage, configuration or
 * setup (nothing was redacted). Codes marked "internal" guard invariants a caller can only break
 * through the library.
 */
export const ERROR_CODES = {
  E001: { exit: 2, means: 'internal: a detector returned a span outside its note' },
  E002: { exit: 2, means: 'internal: spans given to the operators overlap' },
  E003: { exit: 2, means: 'the policy names an operator that is not available for a label' },

  E010: { exit: 2, means: 'the config fails its schema (an unknown key names the nearest known one)' },
  E011: { exit: 2, means: 'the config file cannot be read' },
  E012: { exit: 2, means: 'no detector, or an unknown detector, selected' },
  E014: { exit: 2, means: 'the config file is not valid YAML or JSON' },

  E020: { exit: 2, means: 'a rule pack has an invalid regular expression' },
  E021: { exit: 2, means: 'a rule pack fails its schema' },
  E022: { exit: 2, means: 'a rule pack pattern can backtrack catastrophically' },
  E023: { exit: 2, means: 'two rules share an id' },
  E024: { exit: 2, means: 'a rule pack has a YAML syntax error' },
  E025: { exit: 2, means: 'a rule pack file or folder is missing, unreadable or holds no pack' },
  E026: { exit: 2, means: 'a dictionary cue file fails its schema or is not YAML' },
  E027: { exit: 2, means: 'a word-list package or cue file cannot be read' },

  E030: { exit: 2, means: 'NER requested but the model or its runtime is not available (fail closed)' },
  E031: { exit: 2, means: "the NER model's config.json is missing or unreadable" },
  E032: { exit: 2, means: "the NER model's config.json is invalid or of an unreadable format" },
  E033: { exit: 2, means: 'the NER model file is missing or its sha256 differs from config.json' },
  E034: { exit: 2, means: 'onnxruntime cannot create a session from the model file' },
  E035: { exit: 2, means: "the NER model's tokenizer cannot be loaded" },
  E036: { exit: 2, means: "the NER model's inputs or outputs do not match its format (phi-ner/1, /2, /3)" },
  E037: { exit: 2, means: 'NER inference failed' },
  E038: { exit: 2, means: 'a phi-ner/3 model without the word lists it reads, or with other word classes' },

  E040: { exit: 1, means: 'an input path does not exist' },
  E041: { exit: 1, means: 'an empty input (or only a byte-order mark)' },
  E042: { exit: 1, means: 'a binary input (NUL bytes, or a PDF/ZIP/image signature)' },
  E043: { exit: 1, means: 'an input is not valid UTF-8 (or is UTF-16)' },
  E044: { exit: 1, means: 'an input cannot be read' },
  E045: { exit: 1, means: 'an output cannot be written' },
  E046: { exit: 1, means: 'a detector failed on this note; nothing is written for it (fail closed)' },
  E047: { exit: 1, means: 'the manifest or audit report cannot be written: the run stops' },
  E048: { exit: 2, means: 'the out folder is in use by another run' },
  E049: { exit: 2, means: 'the out folder cannot be created or written (read-only filesystem, no permission)' },
  E050: { exit: 1, means: 'a JSONL line is not JSON' },
  E051: { exit: 1, means: 'a JSONL line is not an object with a string `text`' },
  E052: { exit: 1, means: 'a JSONL line is not valid UTF-8' },
  E053: { exit: 1, means: 'a file, JSONL line or text note is larger than 64 MB (refused unread)' },
  E057: { exit: 1, means: 'a JSONL line is nested deeper than 1,000 levels (refused unparsed)' },
  E058: { exit: 1, means: 'a note ran past the per-note time budget (limits.noteSeconds); its worker was stopped' },
  E059: { exit: 1, means: "a note took its worker past the memory budget (limits.workerMemoryMb); its worker was stopped" },

  E060: { exit: 2, means: 'internal: a batch returned the wrong number of results' },

  E070: { exit: 2, means: 'a gold or prediction file cannot be read' },
  E071: { exit: 2, means: 'a gold or prediction file is not valid UTF-8' },
  E072: { exit: 2, means: 'a gold or prediction JSONL line is not JSON' },
  E073: { exit: 2, means: 'a gold or prediction JSONL line does not fit its schema' },
  E074: { exit: 2, means: 'a span is empty, reversed or does not fit its note' },
  E075: { exit: 2, means: "a gold span's `text` differs from the note at its offsets" },
  E076: { exit: 2, means: 'a gold span has an unknown label' },
  E077: { exit: 2, means: 'two gold notes share an id' },
  E078: { exit: 2, means: 'a malformed BRAT annotation line, or a BRAT folder without .ann files' },
  E079: { exit: 2, means: 'gold and predictions do not match note for note' },

  E080: { exit: 2, means: 'an invalid Redis URL, or Redis cannot be reached' },
  E081: { exit: 2, means: "a queue worker's fingerprint differs from the queue's" },
  E082: { exit: 1, means: 'a queue job names an output path outside the out folder, under .phi-redact/, or through a link out of it (dead-lettered)' },
  E083: { exit: 2, means: 'queue workers need the shared key when the policy uses surrogates' },
  E084: { exit: 1, means: 'a queue job is not a note job (malformed data): dead-lettered at once' },
  E085: { exit: 2, means: 'a Redis password on the command line (--redis), or a --redis-password-file that is not a readable regular file' },

  E090: { exit: 2, means: 'review: no run manifest' },
  E091: { exit: 2, means: 'review: a run manifest line is malformed' },
  E092: { exit: 2, means: 'review: the run has no finished notes to sample' },
  E093: { exit: 2, means: 'review: an input listed in the manifest cannot be read' },
  E094: { exit: 2, means: 'review: an input changed since the run' },
  E095: { exit: 2, means: 'review: a span does not fit its input' },
  E096: { exit: 2, means: 'review: the output folder is not empty' },
  E097: { exit: 2, means: 'review: a review-set file cannot be read, or the folder is not a review set' },
  E098: { exit: 2, means: 'review: a review-set file has unexpected fields' },
  E099: { exit: 2, means: 'review: invalid reviewer name' },

  E100: { exit: 2, means: 'internal: keyed choice with a non-positive size' },
  E101: { exit: 2, means: 'internal: keyed pick from an empty list' },
  E102: { exit: 2, means: 'the faker locale data has no person names' },
  E103: { exit: 2, means: 'the faker locale data has no places' },
  E104: { exit: 2, means: 'the surrogate key is shorter than 16 bytes' },
  E105: { exit: 2, means: 'the date-shift range is empty or not whole days' },
  E106: { exit: 2, means: 'the date-shift range has no usable non-zero offset' },

  E110: { exit: 2, means: 'the key file cannot be read' },
  E111: { exit: 2, means: 'the key is shorter than 16 bytes' },
  E112: { exit: 2, means: 'the Safe Harbor restricted-ZIP3 list cannot be read' },
  E113: { exit: 2, means: 'the policy uses surrogates but no key was given (library)' },
  E114: { exit: 2, means: 'the vault file is missing or not a phi-redact vault' },
  E115: { exit: 2, means: 'the key does not open this vault' },
  E116: { exit: 2, means: 'a vault needs a fixed key, not a per-run random one' },
  E117: { exit: 2, means: 'the config requires a fixed key (surrogate.requireKey)' },
  E118: { exit: 2, means: 'the key file is readable by group or others' },
  E119: { exit: 2, means: 'the vault is in the old format (pairs without positions): a run cannot add to it, a text cannot be restored from it' },
  E120: { exit: 1, means: 'reidentify: the text is not an output this vault recorded, or its recorded spans do not fit it' },
  E121: { exit: 1, means: 'reidentify: several recorded notes share the text with different originals (name --note or --patient)' },
  E122: { exit: 2, means: 'the key file is not a regular file (a folder, FIFO, device or standard stream such as /dev/stdin)' },
  E123: { exit: 2, means: '--hash-names needs a fixed key (--key-file or PHI_REDACT_KEY)' },

  E130: { exit: 2, means: 'serve: no usable bearer token (--token-file or PHI_REDACT_SERVE_TOKEN: unreadable, shared with group or others, or shorter than 16 bytes)' },
  E131: { exit: 2, means: 'serve: a host that is not loopback without --allow-remote, or the address cannot be listened on' },
  E132: { exit: 1, means: 'serve: the request is not JSON or does not fit the request schema' },
  E133: { exit: 1, means: "serve: a request's config sets what only the server's operator may (paths, limits, threads, run memory)" },
  E134: { exit: 1, means: 'serve: missing or wrong bearer token' },
  E135: { exit: 1, means: 'serve: the request body is larger than serve.maxBodyBytes' },
  E136: { exit: 1, means: 'serve: not ready yet (the pipeline is loading), too many requests in flight (serve.maxInFlight), or shutting down: retry later' },
  E137: { exit: 1, means: 'serve: a note ran past serve.noteSeconds' },
  E138: { exit: 1, means: 'serve: no such route' },
  E139: { exit: 1, means: 'serve: an unexpected error while serving a request (only its class is reported)' },

  E150: { exit: 2, means: 'review serve: --host is not a loopback address and --allow-remote was not given' },
  E151: { exit: 2, means: 'review serve: cannot listen on the address and port (taken, not this machine\'s, not allowed)' },
  E152: { exit: 2, means: 'review serve: an --allow-host value is not a DNS name' },
  E153: { exit: 2, means: 'review export-gold --require-adjudication: reviewers disagree where no adjudicator has decided' },
  E154: { exit: 2, means: 'queue reset: refused (no --yes, or the queue still has jobs waiting, active or delayed)' },
  E165: { exit: 1, means: 'queue submit: a JSONL, CSV or FHIR file is not queued (queue jobs carry text notes; `phi-redact redact` reads record files)' },
  E180: { exit: 2, means: 'a site list file (deny, roster, allow) is missing, unreadable, or names a subtype its label does not have' },
  E181: { exit: 2, means: 'a CSV site list or roster has no column this reader knows (name, first/last, term)' },
  E182: { exit: 1, means: "a record's known-identifier field is not an object of key: value(s), or uses an unknown key" },
  E183: { exit: 2, means: 'the known-identifiers sidecar (--known) is missing, unreadable or malformed (file and line named)' },
  E184: { exit: 2, means: 'lists learn: the gold file is missing or holds no notes' },
  E140: { exit: 2, means: '--encoding (or input.encoding) names no encoding Node can decode' },
  E141: { exit: 1, means: 'an input is not valid text in the --encoding given' },
  E142: { exit: 1, means: 'a CSV file has no usable header: the text column is missing or named twice, or the header row is malformed' },
  E143: { exit: 1, means: 'a CSV row is malformed (wrong number of fields, a stray or unterminated quote): that row is skipped' },
  E144: { exit: 1, means: 'a FHIR file is not JSON, not a DocumentReference or Bundle, or nested too deep' },
  E145: { exit: 1, means: 'a FHIR text attachment cannot be decoded (bad base64, unknown charset, invalid bytes) or has a key twice: its entry is skipped' },
} as const satisfies Record<string, { readonly exit: 1 | 2; readonly means: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** The code at the start of a coded message (`E046 ...`), or undefined. */
export function codeOf(message: string): ErrorCode | undefined {
  const code = /^(E\d{3})(?:\s|$)/.exec(message)?.[1];
  return code !== undefined && isErrorCode(code) ? code : undefined;
}

/** The base of every coded error: `code` from the table, a PHI-free `reason`, message `code reason`. */
export class PhiRedactError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** The reason, without the code; never contains note text. */
    readonly reason: string,
  ) {
    super(`${code} ${reason}`);
    this.name = 'PhiRedactError';
  }

  /** The exit status when this error ends a command. */
  get exitCode(): 1 | 2 {
    return ERROR_CODES[this.code].exit;
  }
}

/** A config, rule, word-list, model or key problem found while loading (exit 2). */
export class ConfigError extends PhiRedactError {
  override name = 'ConfigError';
}

/**
 * A per-input failure: one PHI-free line naming the input (file path or `<stdin>` + line) and a
 * coded reason. The run goes on with the other inputs and ends with exit code 1.
 */
export class InputError extends PhiRedactError {
  override name = 'InputError';
}

/** A problem with the command as a whole (maps to exit code 2); names paths, never content. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The coded error inside `err`, if it is ours: one of our classes, or an Error whose message
 * starts with a known code (errors from worker threads arrive as plain Errors).
 */
export function asCodedError(err: unknown): PhiRedactError | undefined {
  if (err instanceof PhiRedactError) return err;
  if (!(err instanceof Error)) return undefined;
  const code = codeOf(err.message);
  return code === undefined ? undefined : new PhiRedactError(code, err.message.split('\n')[0]!.slice(code.length + 1));
}

/** A PHI-free one-line description of any error: our coded messages, else the class and errno code. */
export function describeError(err: unknown): string {
  const coded = asCodedError(err);
  if (coded !== undefined) return coded.message.split('\n')[0]!;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}`;
  }
  return 'unknown error';
}

/** A schema failure's first issue as `invalid value at <path>: <message>` (zod's message names types, not values). */
export function describeSchemaIssue(error: { readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] }): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') || '(root)';
  return `invalid value at ${path}: ${issue?.message ?? 'invalid'}`;
}
