import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { PhiRedactError } from '../../../core/errors.js';
import { deadLetterName, deadReasonsKey, fingerprintKey, QUEUE_PREFIX, statsKey } from './jobs.js';

/**
 * `phi-redact queue reset`: forgets a finished queue so its name can be used again, e.g. with
 * another config (a queue stays bound to its first worker's fingerprint, E081). Removes the
 * fingerprint, the counters and BullMQ's keys for the queue. Refused while jobs wait, run or
 * are delayed for a retry: those notes would be lost. The dead-letter queue holds notes (text
 * included) an operator may still want to replay, so it is kept unless asked.
 */

export interface ResetSummary {
  readonly queue: string;
  /** The fingerprint the queue was bound to, now forgotten (null: no worker had started). */
  readonly fingerprint: string | null;
  readonly deadLettersKept: number;
  readonly deadLettersDropped: number;
}

export class QueueResetError extends PhiRedactError {
  override name = 'QueueResetError';
}

export async function resetQueue(connection: Redis, queueName: string, opts: { dropDeadLetters?: boolean } = {}): Promise<ResetSummary> {
  const queue = new Queue(queueName, { connection, prefix: QUEUE_PREFIX });
  const dead = new Queue(deadLetterName(queueName), { connection, prefix: QUEUE_PREFIX });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    const open = Object.values(counts).reduce((a, b) => a + b, 0);
    if (open > 0) {
      throw new QueueResetError('E154', `queue ${queueName} still has ${open} job(s) waiting, active or delayed: let the workers finish (queue status) before resetting it`);
    }
    const fingerprint = await connection.get(fingerprintKey(queueName));
    const deadCounts = await dead.getJobCounts('waiting', 'completed', 'failed', 'delayed', 'active');
    const deadJobs = Object.values(deadCounts).reduce((a, b) => a + b, 0);
    await queue.obliterate({ force: true });
    if (opts.dropDeadLetters) await dead.obliterate({ force: true });
    await connection.del(fingerprintKey(queueName), statsKey(queueName), deadReasonsKey(queueName));
    return {
      queue: queueName,
      fingerprint,
      deadLettersKept: opts.dropDeadLetters ? 0 : deadJobs,
      deadLettersDropped: opts.dropDeadLetters ? deadJobs : 0,
    };
  } finally {
    await queue.close();
    await dead.close();
  }
}
