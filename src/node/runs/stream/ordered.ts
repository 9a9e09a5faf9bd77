/**
 * Order-preserving, bounded, batched async map: the heart of stream redaction.
 *
 * Items are pulled from `source` (which yields arrays, e.g. all lines one chunk completed),
 * grouped into batches (so the NER model can batch windows across notes) and handed to `fn`
 * with at most `concurrency` batches in flight. Results come out in input order. Nothing is
 * pulled while the window is full and the consumer has not taken the oldest result, so memory
 * is bounded by `concurrency × maxBatchWeight` plus one source chunk, whatever the input size.
 *
 * A batch is dispatched when full, or as soon as the source has nothing ready (checked with
 * `setImmediate`, i.e. after pending I/O callbacks ran), so a slow producer still sees each
 * note processed as it arrives instead of waiting for a batch to fill.
 */

export interface OrderedOptions<T> {
  readonly batchSize: number;
  /** Upper bound on the summed `weight` of one batch (a single heavier item still goes alone). */
  readonly maxBatchWeight: number;
  readonly weight: (item: T) => number;
  readonly concurrency: number;
}

export interface BatchDone<T, R> {
  readonly items: readonly T[];
  readonly results: readonly R[];
}

interface InFlight<T, R> {
  readonly items: T[];
  readonly promise: Promise<void>;
  settled: boolean;
  results?: readonly R[];
  error?: unknown;
}

const STALL = Symbol('stall');

export async function* mapOrdered<T, R>(
  source: AsyncIterable<readonly T[]>,
  fn: (batch: readonly T[]) => Promise<readonly R[]>,
  options: OrderedOptions<T>,
): AsyncGenerator<BatchDone<T, R>> {
  const { batchSize, maxBatchWeight, weight } = options;
  const concurrency = Math.max(1, options.concurrency);
  const it = source[Symbol.asyncIterator]();
  let nextP: Promise<IteratorResult<readonly T[]>> | undefined;
  let buffered: readonly T[] = [];
  let at = 0;
  let sourceDone = false;
  let batch: T[] = [];
  let batchWeight = 0;
  const inflight: InFlight<T, R>[] = [];

  const dispatch = (): void => {
    const items = batch;
    batch = [];
    batchWeight = 0;
    const entry: InFlight<T, R> = {
      items,
      settled: false,
      promise: fn(items).then(
        (results) => {
          entry.settled = true;
          if (results.length !== items.length) {
            entry.error = new Error(`E060 batch function returned ${results.length} results for ${items.length} items`);
          } else entry.results = results;
        },
        (err: unknown) => {
          entry.settled = true;
          entry.error = err ?? new Error('E060 batch failed');
        },
      ),
    };
    inflight.push(entry);
  };

  const takeHead = (): BatchDone<T, R> => {
    const head = inflight.shift()!;
    if (head.error !== undefined) throw head.error;
    return { items: head.items, results: head.results! };
  };

  try {
    for (;;) {
      while (inflight.length > 0 && inflight[0]!.settled) yield takeHead();

      if (inflight.length >= concurrency) {
        await settledOf(inflight[0]!);
        continue;
      }

      while (at < buffered.length && batch.length < batchSize) {
        const item = buffered[at]!;
        const w = weight(item);
        if (batch.length > 0 && batchWeight + w > maxBatchWeight) break;
        batch.push(item);
        batchWeight += w;
        at += 1;
      }
      if (batch.length >= batchSize || (at < buffered.length && batch.length > 0)) {
        dispatch();
        continue;
      }

      if (sourceDone) {
        if (batch.length > 0) {
          dispatch();
          continue;
        }
        if (inflight.length === 0) return;
        await settledOf(inflight[0]!);
        continue;
      }

      nextP ??= it.next();
      const waiters: Promise<unknown>[] = [nextP];
      if (batch.length > 0) waiters.push(new Promise((r) => setImmediate(() => r(STALL))));
      if (inflight.length > 0) waiters.push(settledOf(inflight[0]!));
      const won = waiters.length === 1 ? await nextP : await Promise.race(waiters);
      if (won === STALL) {
        dispatch();
        continue;
      }
      if (typeof won === 'object' && won !== null && 'done' in won) {
        nextP = undefined;
        const r = won as IteratorResult<readonly T[]>;
        if (r.done) sourceDone = true;
        else {
          buffered = r.value;
          at = 0;
        }
      }
    }
  } finally {
    // Stop the source on early exit (consumer broke out or a batch failed). Not awaited: a
    // pending read (an idle stdin) would hold it; the caller destroys the underlying stream.
    if (!sourceDone) void Promise.resolve(it.return?.(undefined)).catch(() => undefined);
  }
}

function settledOf(entry: InFlight<unknown, unknown>): Promise<void> {
  return entry.promise;
}
