import { createHash, createHmac } from 'node:crypto';

/**
 * Keyed, stateless choices. Every surrogate is a pure function of (secret key, purpose,
 * normalized original, scope): HMAC-SHA-256 over length-prefixed parts, so no two different
 * part lists can collide by concatenation. Same key → byte-identical choices in any process;
 * without the key the choices reveal nothing about the originals.
 */

/** The secret as bytes. Never logged, never rendered; only `keyFingerprint` may be shown. */
export type SecretKey = Uint8Array;

const FINGERPRINT_DOMAIN = 'phi-redact/key-fingerprint/v1';

/** A short, non-reversible identity of the key for manifests and reports (16 hex chars). */
export function keyFingerprint(key: SecretKey): string {
  return createHash('sha256').update(FINGERPRINT_DOMAIN).update('\0').update(key).digest('hex').slice(0, 16);
}

/** HMAC-SHA-256 of length-prefixed parts. */
export function keyedDigest(key: SecretKey, parts: readonly string[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    mac.update(len).update(bytes);
  }
  return mac.digest();
}

/**
 * An endless deterministic stream of integers for one (key, parts) pair: draw `i` reads the
 * HMAC of the parts plus a block counter. Re-draws (when a surrogate equals its original)
 * just take the next number, so they stay deterministic too.
 */
export class KeyedStream {
  private block = 0;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(
    private readonly key: SecretKey,
    private readonly parts: readonly string[],
  ) {}

  private refill(): void {
    this.buf = keyedDigest(this.key, [...this.parts, `#${this.block++}`]);
    this.pos = 0;
  }

  /** A uniform integer in [0, n) (48 random bits per draw; bias < 2^-28 for n < 2^20). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`E100 keyed choice needs a positive size, got ${n}`);
    if (this.pos + 6 > this.buf.length) this.refill();
    const v = this.buf.readUIntBE(this.pos, 6);
    this.pos += 6;
    return v % n;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('E101 keyed pick from an empty list');
    return items[this.int(items.length)]!;
  }
}

export function keyedStream(key: SecretKey, ...parts: string[]): KeyedStream {
  return new KeyedStream(key, parts);
}

/** Case, width and spacing differences must not change a surrogate: "J. SMITH" ≈ "j smith". */
export function normalizeForKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u00a0]+/gu, ' ')
    .replace(/^[\s.,;:'"()[\]-]+|[\s.,;:'"()[\]-]+$/gu, '');
}
