import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { deadLetterName, deadReasonsKey, fingerprintKey, QUEUE_PREFIX, statsKey } from './jobs.js';

/** `phi-redact queue status`: where a multi-machine run stands (counts only, never note text). */
export interface QueueStatus {
  readonly queue: string;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  /** Notes submitted, written, and dead-lettered over the queue's life (our counters). */
  readonly submitted: number;
  readonly done: number;
  readonly dead: number;
  /** Jobs in the dead-letter queue now. */
  readonly deadJobs: number;
  /** Dead-lettered notes by the code of their reason (E082 path refused, E084 malformed job, ...). */
  readonly deadReasons: Readonly<Record<string, number>>;
  /** Connected worker processes (BullMQ's client list). */
  readonly workers: number;
  readonly fingerprint: string | null;
}

export async function queueStatus(connection: Redis, queueName: string): Promise<QueueStatus> {
  const queue = new Queue(queueName, { connection, prefix: QUEUE_PREFIX });
  const dead = new Queue(deadLetterName(queueName), { connection, prefix: QUEUE_PREFIX });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const deadCounts = await dead.getJobCounts('waiting', 'completed', 'failed', 'delayed', 'active');
    const stats = await connection.hgetall(statsKey(queueName));
    const num = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
    return {
      queue: queueName,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      submitted: num(stats.submitted),
      done: num(stats.done),
      dead: num(stats.dead),
      deadJobs: Object.values(deadCounts).reduce((a, b) => a + b, 0),
      deadReasons: Object.fromEntries(
        Object.entries(await connection.hgetall(deadReasonsKey(queueName)))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([code, n]) => [code, Number(n)]),
      ),
      workers: (await queue.getWorkers()).length,
      fingerprint: await connection.get(fingerprintKey(queueName)),
    };
  } finally {
    await queue.close();
    await dead.close();
  }
}

export function formatStatus(s: QueueStatus): string {
  const pct = s.submitted > 0 ? ` (${((100 * s.done) / s.submitted).toFixed(1)}%)` : '';
  const reasons = Object.entries(s.deadReasons).map(([code, n]) => `${code} x${n}`);
  return (
    `queue ${s.queue}: ${s.done}/${s.submitted} notes done${pct}, ${s.dead} dead-lettered${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}\n` +
    `  jobs: ${s.waiting} waiting, ${s.active} active, ${s.delayed} delayed (retrying), ${s.deadJobs} in ${deadLetterName(s.queue)}\n` +
    `  workers connected: ${s.workers}; fingerprint: ${s.fingerprint ?? '(no worker yet)'}\n`
  );
}
