import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError } from '../../core/config.js';
import type { SecretKey } from '../../transform/keyed.js';

/**
 * The optional re-identification vault (`--vault FILE`): original → surrogate pairs, each
 * encrypted with AES-256-GCM under a key derived from the surrogate secret with HKDF-SHA-256
 * and a random per-vault salt. Rows are found by an HMAC of the surrogate (another HKDF
 * output), so `reidentify` can look one up without decrypting the rest. Without the secret the
 * file shows only how many pairs it holds and their lengths rounded up to 64 bytes.
 *
 * Error codes (ConfigError → CLI exit code 2):
 *   E114 the vault file cannot be opened or is not a phi-redact vault
 *   E115 the key does not open this vault (wrong key)
 *   E116 a vault needs a fixed key (--key-file or PHI_REDACT_KEY), not a random one
 */

const FORMAT = 'phi-redact-vault/1';
const PAD = 64;

export interface VaultEntry {
  readonly label: string;
  /** The patient scope the pair belongs to ('' for corpus scope). */
  readonly scope: string;
  readonly original: string;
  readonly surrogate: string;
}

interface VaultKeys {
  readonly enc: Buffer;
  readonly lookup: Buffer;
}

function deriveKeys(secret: SecretKey, salt: Buffer): VaultKeys {
  const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', secret, salt, info, 32));
  return { enc: derive('phi-redact/vault/aes-256-gcm/v1'), lookup: derive('phi-redact/vault/lookup/v1') };
}

const mac = (key: Buffer, ...parts: string[]): Buffer => {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(`${Buffer.byteLength(p)}:${p}`);
  return h.digest();
};

/** Surrogates are looked up case-insensitively and with spaces collapsed. */
const lookupForm = (surrogate: string): string => surrogate.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase();

export class Vault {
  private readonly insert: Database.Statement;
  private readonly byLookup: Database.Statement;

  private constructor(
    private readonly db: Database.Database,
    private readonly keys: VaultKeys,
  ) {
    this.insert = db.prepare('INSERT OR IGNORE INTO pairs (id, lookup, iv, box) VALUES (?, ?, ?, ?)');
    this.byLookup = db.prepare('SELECT id, iv, box FROM pairs WHERE lookup = ?');
  }

  /**
   * Opens (or with `create`, makes) a vault. Several connections (worker threads) may write
   * at once: WAL mode and a busy timeout serialise them.
   */
  static open(path: string, secret: SecretKey, options: { create?: boolean } = {}): Vault {
    const fresh = !existsSync(path);
    if (fresh && !options.create) throw new ConfigError('E114', `vault ${path} does not exist`);
    let db: Database.Database;
    try {
      // SQLite would create the file 0644; made here owner-only (an empty file is an empty
      // database), and SQLite gives its -wal and -shm files the same mode.
      if (fresh) {
        try {
          closeSync(openSync(path, 'wx', 0o600));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another connection made it first
        }
      }
      db = new Database(path);
      db.pragma('busy_timeout = 30000');
      // Never add tables to somebody else's database.
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      if (!fresh && tables.length > 0 && !tables.includes('meta')) {
        db.close();
        throw new ConfigError('E114', `vault ${path} is not a phi-redact vault`);
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(
        'CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);' +
          'CREATE TABLE IF NOT EXISTS pairs (id BLOB PRIMARY KEY, lookup BLOB NOT NULL, iv BLOB NOT NULL, box BLOB NOT NULL);' +
          'CREATE INDEX IF NOT EXISTS pairs_lookup ON pairs (lookup);',
      );
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError('E114', `cannot open vault ${path} (${(err as { code?: string }).code ?? 'not a SQLite file'})`);
    }
    // First writer wins the salt; every later connection reads the same one.
    const salt = randomBytes(16);
    const setup = db.transaction(() => {
      db.prepare('INSERT OR IGNORE INTO meta (k, v) VALUES (?, ?)').run('format', Buffer.from(FORMAT));
      db.prepare('INSERT OR IGNORE INTO meta (k, v) VALUES (?, ?)').run('salt', salt);
      const stored = db.prepare('SELECT v FROM meta WHERE k = ?').get('salt') as { v: Buffer };
      const keys = deriveKeys(secret, stored.v);
      db.prepare('INSERT OR IGNORE INTO meta (k, v) VALUES (?, ?)').run('check', mac(keys.lookup, 'check'));
      const format = (db.prepare('SELECT v FROM meta WHERE k = ?').get('format') as { v: Buffer }).v.toString();
      const check = (db.prepare('SELECT v FROM meta WHERE k = ?').get('check') as { v: Buffer }).v;
      return { keys, format, check };
    });
    let opened: ReturnType<typeof setup>;
    try {
      opened = setup.immediate();
    } catch {
      db.close();
      throw new ConfigError('E114', `vault ${path} is not a phi-redact vault`);
    }
    if (opened.format !== FORMAT) {
      db.close();
      throw new ConfigError('E114', `vault ${path} is not a phi-redact vault`);
    }
    const expected = mac(opened.keys.lookup, 'check');
    if (opened.check.length !== expected.length || !timingSafeEqual(opened.check, expected)) {
      db.close();
      throw new ConfigError('E115', `the key does not open vault ${path}`);
    }
    return new Vault(db, opened.keys);
  }

  /** Stores one pair (idempotent: the same pair twice is one row). */
  record(entry: VaultEntry): void {
    const lookup = mac(this.keys.lookup, 'lookup', lookupForm(entry.surrogate));
    const id = mac(this.keys.lookup, 'pair', entry.label, entry.scope, entry.original, entry.surrogate);
    const json = Buffer.from(JSON.stringify([entry.label, entry.scope, entry.original, entry.surrogate]));
    const padded = Buffer.concat([json, Buffer.alloc((PAD - (json.length % PAD)) % PAD, 0x20)]);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.enc, iv);
    cipher.setAAD(id);
    const box = Buffer.concat([cipher.update(padded), cipher.final(), cipher.getAuthTag()]);
    this.insert.run(id, lookup, iv, box);
  }

  private open(row: { id: Buffer; iv: Buffer; box: Buffer }): VaultEntry {
    const decipher = createDecipheriv('aes-256-gcm', this.keys.enc, row.iv);
    decipher.setAAD(row.id);
    decipher.setAuthTag(row.box.subarray(row.box.length - 16));
    const plain = Buffer.concat([decipher.update(row.box.subarray(0, row.box.length - 16)), decipher.final()]);
    const [label, scope, original, surrogate] = JSON.parse(plain.toString('utf8').trimEnd()) as string[];
    return { label: label!, scope: scope!, original: original!, surrogate: surrogate! };
  }

  /** Every original a surrogate stands for (several when scopes collided), case-insensitively. */
  lookup(surrogate: string): VaultEntry[] {
    const rows = this.byLookup.all(mac(this.keys.lookup, 'lookup', lookupForm(surrogate))) as { id: Buffer; iv: Buffer; box: Buffer }[];
    return rows.map((r) => this.open(r));
  }

  /** Every pair, decrypted (for `reidentify` on whole texts). */
  *all(): Generator<VaultEntry> {
    for (const row of this.db.prepare('SELECT id, iv, box FROM pairs').iterate() as Iterable<{ id: Buffer; iv: Buffer; box: Buffer }>) {
      yield this.open(row);
    }
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM pairs').get() as { n: number }).n;
  }

  /** Folds the write-ahead log into the file, so the vault is one self-contained file again. */
  close(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}

/**
 * Puts originals back into a surrogate text: every vault surrogate found as a whole word
 * (longest first) is replaced by its original when the vault holds exactly one original for
 * it; `ambiguous` counts those it left because several originals share the surrogate.
 */
export function reidentifyText(text: string, entries: Iterable<VaultEntry>): { text: string; replaced: number; ambiguous: number } {
  const bySurrogate = new Map<string, Set<string>>();
  for (const e of entries) {
    const k = lookupForm(e.surrogate);
    if (k.length === 0) continue;
    (bySurrogate.get(k) ?? bySurrogate.set(k, new Set()).get(k)!).add(e.original);
  }
  if (bySurrogate.size === 0) return { text, replaced: 0, ambiguous: 0 };
  const patternOf = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&').replace(/ /gu, '\\s+');
  const alternatives = [...bySurrogate.keys()].sort((a, b) => b.length - a.length).map(patternOf);
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  let replaced = 0;
  let ambiguous = 0;
  const out = text.replace(re, (m) => {
    const originals = bySurrogate.get(lookupForm(m));
    if (originals?.size !== 1) {
      ambiguous++;
      return m;
    }
    replaced++;
    return [...originals][0]!;
  });
  return { text: out, replaced, ambiguous };
}
