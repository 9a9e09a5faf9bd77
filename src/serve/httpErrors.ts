import { asCodedError, type ErrorCode, PhiRedactError } from '../core/errors.js';

/**
 * Any error met while serving a request, as the HTTP status and the `{code, message}` body the
 * client gets. Our coded errors keep their code and PHI-free message; Fastify's own errors are
 * recoded by their code (their messages are dropped: a JSON parse error quotes the body); anything
 * else becomes E139 naming only its class.
 */

export interface HttpError {
  readonly status: number;
  readonly body: { readonly code: ErrorCode; readonly message: string };
  /** Seconds, for 503s the client should retry. */
  readonly retryAfter?: number;
}

/** Status by code; codes not listed are the server's own failure (500). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  E010: 400, // the request's merged config fails the config schema
  E012: 400,
  E113: 400, // a surrogate policy while the server has no key
  E132: 400,
  E133: 400,
  E134: 401,
  E135: 413,
  E136: 503,
  E137: 422, // the note itself is too costly: retrying it would fail again
  E138: 404,
};

/** Fastify's codes for problems with the request itself, recoded. */
const FASTIFY: Record<string, { status: number; code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'E135', message: 'request body is larger than serve.maxBodyBytes' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'E132', message: 'request body must be application/json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'E132', message: 'request body is empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'E132', message: 'request body does not match its Content-Length' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'E132', message: 'request body is not valid JSON' },
};

export function httpErrorOf(err: unknown): HttpError {
  const coded = asCodedError(err);
  if (coded !== undefined) {
    const status = STATUS[coded.code] ?? 500;
    return { status, body: { code: coded.code, message: coded.reason }, ...(status === 503 ? { retryAfter: 1 } : {}) };
  }
  const fastifyCode = (err as { code?: unknown } | null)?.code;
  const known = typeof fastifyCode === 'string' ? FASTIFY[fastifyCode] : undefined;
  if (known !== undefined) return { status: known.status, body: { code: known.code, message: known.message } };
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  // A body parser's own error (JSON.parse's SyntaxError, a __proto__ key): its message may quote the body.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status: 400, body: { code: 'E132', message: 'request body is not valid JSON' } };
  }
  const name = err instanceof Error ? err.name : 'unknown error';
  return { status: 500, body: { code: 'E139', message: `internal error (${name})` } };
}

/** A coded error for a pipeline failure on one note: ours pass through; anything else is E046, naming its class only. */
export function noteFailure(err: unknown, where: string): PhiRedactError {
  const coded = asCodedError(err);
  if (coded !== undefined) return coded;
  return new PhiRedactError('E046', `${where}: detection failed (${err instanceof Error ? err.name : 'unknown error'})`);
}
