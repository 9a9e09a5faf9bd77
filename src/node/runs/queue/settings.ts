/**
 * The queue's defaults and environment variable names, apart from jobs.ts's schemas and Redis
 * client: the CLI's option help quotes them at every start (issue 19).
 */
export const DEFAULT_QUEUE = 'notes';

export interface RetryOptions {
  /** Tries per job before it is dead-lettered (BullMQ `attempts`). */
  readonly attempts: number;
  /** First retry delay; doubles each time (BullMQ exponential backoff). */
  readonly backoffMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, backoffMs: 1000 };

/** Where the queue commands look for Redis when neither --redis nor $PHI_REDACT_REDIS says. */
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';
export const REDIS_URL_ENV = 'PHI_REDACT_REDIS';
export const REDIS_PASSWORD_ENV = 'PHI_REDACT_REDIS_PASSWORD';
