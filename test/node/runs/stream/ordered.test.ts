import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapOrdered } from '../../../../src/node/runs/stream/ordered.js';

async function* source(chunks: readonly number[][], delayEvery = 0): AsyncGenerator<number[]> {
  let n = 0;
  for (const c of chunks) {
    if (delayEvery > 0 && ++n % delayEvery === 0) await new Promise((r) => setTimeout(r, 1));
    yield c;
  }
}

describe('mapOrdered', () => {
  it('property: results come out in input order and aligned with their items, whatever the timing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.nat(1000), { maxLength: 7 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(3), { minLength: 1, maxLength: 8 }),
        async (chunks, batchSize, concurrency, delays) => {
          let call = 0;
          const fn = async (batch: readonly number[]): Promise<string[]> => {
            const d = delays[call++ % delays.length]!;
            if (d > 0) await new Promise((r) => setTimeout(r, d));
            return batch.map((x) => `r${x}`);
          };
          const items: number[] = [];
          const results: string[] = [];
          for await (const b of mapOrdered(source(chunks, 2), fn, { batchSize, concurrency, maxBatchWeight: Infinity, weight: () => 1 })) {
            expect(b.items.length).toBeLessThanOrEqual(batchSize);
            items.push(...b.items);
            results.push(...b.results);
          }
          expect(items).toEqual(chunks.flat());
          expect(results).toEqual(chunks.flat().map((x) => `r${x}`));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never has more than `concurrency` batches in flight and never reads far ahead of a slow consumer', async () => {
    let inFlight = 0;
    let peak = 0;
    let pulled = 0;
    async function* counting(): AsyncGenerator<number[]> {
      for (let i = 0; i < 200; i++) {
        pulled += 1;
        yield [i];
      }
    }
    const fn = async (batch: readonly number[]): Promise<number[]> => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight -= 1;
      return [...batch];
    };
    let consumed = 0;
    for await (const b of mapOrdered(counting(), fn, { batchSize: 4, concurrency: 3, maxBatchWeight: Infinity, weight: () => 1 })) {
      consumed += b.items.length;
      // Pulled-but-unconsumed items are bounded by the window (3 batches of 4) plus one batch forming.
      expect(pulled - consumed).toBeLessThanOrEqual(4 * 4);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(consumed).toBe(200);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it('caps a batch by weight, but still sends a single heavy item alone', async () => {
    const sizes: number[][] = [];
    const fn = async (batch: readonly number[]): Promise<number[]> => {
      sizes.push([...batch]);
      return [...batch];
    };
    for await (const _ of mapOrdered(source([[5, 5, 5, 50, 1, 1]]), fn, { batchSize: 10, concurrency: 1, maxBatchWeight: 10, weight: (x) => x })) void _;
    expect(sizes).toEqual([[5, 5], [5], [50], [1, 1]]);
  });

  it('dispatches a partial batch when the source stalls, so slow input is processed as it arrives', async () => {
    const seen: number[] = [];
    let release: () => void = () => undefined;
    async function* slow(): AsyncGenerator<number[]> {
      yield [1];
      await new Promise<void>((r) => (release = r));
      yield [2];
    }
    const fn = async (batch: readonly number[]): Promise<number[]> => {
      seen.push(...batch);
      return [...batch];
    };
    const it = mapOrdered(slow(), fn, { batchSize: 100, concurrency: 2, maxBatchWeight: Infinity, weight: () => 1 });
    const first = await it.next();
    expect(first.value?.items).toEqual([1]);
    release();
    const second = await it.next();
    expect(second.value?.items).toEqual([2]);
    expect((await it.next()).done).toBe(true);
  });

  it('rethrows a failing batch in order, after the batches before it', async () => {
    const fn = async (batch: readonly number[]): Promise<number[]> => {
      if (batch.includes(3)) throw new Error('E999 boom');
      return [...batch];
    };
    const got: number[] = [];
    await expect(async () => {
      for await (const b of mapOrdered(source([[1], [2], [3], [4]]), fn, { batchSize: 1, concurrency: 4, maxBatchWeight: Infinity, weight: () => 1 })) got.push(...b.items);
    }).rejects.toThrow('E999');
    expect(got).toEqual([1, 2]);
  });
});
