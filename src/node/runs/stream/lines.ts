/**
 * Splits a byte stream into lines without ever holding more than one line (plus one chunk).
 * Pull-based: the next chunk is read only when the consumer asks for more lines, so a slow
 * consumer stops the reads and the pipe upstream fills (backpressure for free).
 *
 * Lines are handed out as raw bytes with their end-of-line kept apart, so callers can decode
 * (and reject invalid UTF-8) per line and write separators back exactly as they came.
 */

export interface RawLine {
  /** 1-based line number in the stream. */
  readonly lineNo: number;
  /** The line's bytes without its end-of-line (`\n`; a `\r` before it stays in `bytes`). */
  readonly bytes: Uint8Array;
  /** True when the line ended with `\n` (false only for a last line without one). */
  readonly newline: boolean;
}

/** A line longer than the limit: its bytes were dropped while reading, never buffered. */
export interface OversizedLine {
  readonly lineNo: number;
  readonly oversized: true;
  /** How many bytes the line had. */
  readonly length: number;
  readonly newline: boolean;
}

export type Line = RawLine | OversizedLine;

export function isOversized(line: Line): line is OversizedLine {
  return (line as OversizedLine).oversized === true;
}

const NL = 0x0a;

/**
 * Yields the lines of `source` in batches (all lines completed by one chunk), which keeps the
 * per-line overhead of async iteration off the hot path. `maxLineBytes` bounds memory: a longer
 * line is reported as an `OversizedLine` and skipped up to its newline.
 */
export async function* readLines(
  source: AsyncIterable<Uint8Array | string>,
  maxLineBytes: number = 64 * 1024 * 1024,
): AsyncGenerator<Line[]> {
  let lineNo = 1;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let dropping = false;
  let droppedBytes = 0;

  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const out: Line[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (dropping) {
        droppedBytes += piece.length;
      } else if (pendingBytes + piece.length > maxLineBytes) {
        dropping = true;
        droppedBytes = pendingBytes + piece.length;
        pending = [];
        pendingBytes = 0;
      } else if (nl === -1 && piece.length > 0) {
        // Copy the unfinished tail, so a whole chunk is not kept alive for a few bytes.
        pending.push(Uint8Array.prototype.slice.call(piece));
        pendingBytes += piece.length;
      }
      if (nl === -1) break;
      if (dropping) {
        out.push({ lineNo, oversized: true, length: droppedBytes, newline: true });
        dropping = false;
        droppedBytes = 0;
      } else {
        const bytes = pending.length === 0 ? piece : concat([...pending, piece], pendingBytes + piece.length);
        out.push({ lineNo, bytes, newline: true });
        pending = [];
        pendingBytes = 0;
      }
      lineNo += 1;
      start = nl + 1;
    }
    if (out.length > 0) yield out;
  }
  if (dropping) {
    yield [{ lineNo, oversized: true, length: droppedBytes, newline: false }];
  } else if (pendingBytes > 0) {
    yield [{ lineNo, bytes: concat(pending, pendingBytes), newline: false }];
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
