import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps a long note's garbage from piling up (src/node/runs/longNotes.ts). V8 lets the old
 * generation grow to a few times what survived the last full collection before it collects
 * again; a long note redacted piece by piece keeps little alive (about 100 MB besides its text)
 * but makes a lot of short-lived garbage, so without help a 50 MB note peaked at four times its
 * live heap. `collectIfGrown` runs a full collection once the heap has grown `slackMb` past what
 * the last one left alive: peak heap stays near live + slack, at the cost of a collection every
 * `slackMb` of garbage (tens of ms each).
 *
 * The collector is reached as Jest's leak detector does: allow `gc` for contexts created from
 * now on, then take it from a fresh context. Where that is refused, collections are left to V8.
 */

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as unknown;
      collect = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

export interface HeapBound {
  /** Call between pieces: collects when the heap has grown past the bound. */
  collectIfGrown(): void;
}

export function heapBound(slackMb = 64): HeapBound {
  const gc = collector();
  const slack = slackMb * 1024 * 1024;
  let live = getHeapStatistics().used_heap_size;
  return {
    collectIfGrown() {
      if (gc === null) return;
      if (getHeapStatistics().used_heap_size < live + slack) return;
      gc();
      live = getHeapStatistics().used_heap_size;
    },
  };
}
