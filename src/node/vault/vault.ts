import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError } from '../../core/config.js';
import { InputError } from '../../core/errors.js';
import type { SecretKey } from '../../transform/keyed.js';

/**
 * The optional re-identification vault (`--vault FILE`). Two kinds of rows, each encrypted with
 * AES-256-GCM under a key derived from the surrogate secret with HKDF-SHA-256 and a random
 * per-vault salt:
 *  - notes: for every redacted note, WHERE each surrogate was written (output offsets), with its
 *    original, the note id and the patient scope. Found by an HMAC of the whole output text, so
 *    `reidentify` restores exactly those spans of exactly that text — never a string that merely
 *    looks like a surrogate ("90+ dB", a clock time) — and each note in its own patient scope;
 *  - pairs: original → surrogate, found by an HMAC of the surrogate, for term look-ups.
 * Without the secret the file shows only how many rows it holds and their lengths rounded up to
 * 64 bytes.
 *
 * Error codes:
 *   E114 the vault file cannot be opened or is not a phi-redact vault (exit 2)
 *   E115 the key does not open this vault (exit 2)
 *   E116 a vault needs a fixed key (--key-file or PHI_REDACT_KEY), not a random one (exit 2)
 *   E119 the vault is in the old format (pairs only, no positions): a run cannot add to it and a
 *        text cannot be restored from it; term look-ups still work (exit 2)
 *   E120 a text is not an output this vault recorded (edited, another run or key) (exit 1)
 *   E121 several recorded notes have this text with different originals: name --note or --patient (exit 1)
 */

const FORMAT = 'phi-redact-vault/2';
/** Pairs only (phi-redact before issue 17): readable for term look-ups. */
const FORMAT_V1 = 'phi-redact-vault/1';
const PAD = 64;

export interface VaultEntry {
  readonly label: string;
  /** The patient scope the pair belongs to ('' for corpus scope). */
  readonly scope: string;
  readonly original: string;
  readonly surrogate: string;
}

/** One replaced span of a note's output: `output.slice(outStart, outEnd) === surrogate`. */
export interface NoteSpan {
  readonly outStart: number;
  readonly outEnd: number;
  readonly label: string;
  readonly original: string;
  /** What was written there (a surrogate, or the tag the surrogate operator fell back to). */
  readonly surrogate: string;
}

export interface NoteRecordEntry {
  /** The run's id for the note (file path shown in the manifest, `<stdin>:LINE`, queue output): stored encrypted. */
  readonly noteId: string;
  /** The patient scope ('' for corpus scope). */
  readonly scope: string;
  readonly spans: readonly NoteSpan[];
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

type Row = { id: Buffer; iv: Buffer; box: Buffer };

export class Vault {
  private readonly insert: Database.Statement | undefined;
  private readonly insertNote: Database.Statement | undefined;
  private readonly byLookup: Database.Statement;
  private readonly byText: Database.Statement | undefined;

  private constructor(
    private readonly db: Database.Database,
    private readonly keys: VaultKeys,
    private readonly path: string,
    /** 1: an old pairs-only vault (read-only here); 2: the current format. */
    readonly format: 1 | 2,
  ) {
    this.byLookup = db.prepare('SELECT id, iv, box FROM pairs WHERE lookup = ?');
    if (format === 2) {
      this.insert = db.prepare('INSERT OR IGNORE INTO pairs (id, lookup, iv, box) VALUES (?, ?, ?, ?)');
      this.insertNote = db.prepare('INSERT OR IGNORE INTO notes (id, text, iv, box) VALUES (?, ?, ?, ?)');
      this.byText = db.prepare('SELECT id, iv, box FROM notes WHERE text = ?');
    }
  }

  /**
   * Opens (or with `create`, makes) a vault. Several connections (worker threads) may write
   * at once: WAL mode and a busy timeout serialise them. `create` means "this run writes to
   * it": an old-format vault is refused then (E119) rather than half upgraded.
   */
  static open(path: string, secret: SecretKey, options: { create?: boolean } = {}): Vault {
    const fresh = !existsSync(path);
    if (fresh && !options.create) throw new ConfigError('E114', `vault ${path} does not exist`);
    let db: Database.Database;
    let existing: string | undefined;
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
      if (tables.includes('meta')) existing = (db.prepare('SELECT v FROM meta WHERE k = ?').get('format') as { v: Buffer } | undefined)?.v.toString();
      if (existing === FORMAT_V1 && options.create) {
        db.close();
        throw new ConfigError('E119', `vault ${path} is in the old format (${FORMAT_V1}: pairs without positions): write this run to a new vault file; \`reidentify TERM\` still reads the old one`);
      }
      if (existing !== FORMAT_V1) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.exec(
          'CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);' +
            'CREATE TABLE IF NOT EXISTS pairs (id BLOB PRIMARY KEY, lookup BLOB NOT NULL, iv BLOB NOT NULL, box BLOB NOT NULL);' +
            'CREATE INDEX IF NOT EXISTS pairs_lookup ON pairs (lookup);' +
            'CREATE TABLE IF NOT EXISTS notes (id BLOB PRIMARY KEY, text BLOB NOT NULL, iv BLOB NOT NULL, box BLOB NOT NULL);' +
            'CREATE INDEX IF NOT EXISTS notes_text ON notes (text);',
        );
      }
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError('E114', `cannot open vault ${path} (${(err as { code?: string }).code ?? 'not a SQLite file'})`);
    }
    // First writer wins the salt; every later connection reads the same one.
    const salt = randomBytes(16);
    const setup = db.transaction(() => {
      if (existing !== FORMAT_V1) {
        db.prepare('INSERT OR IGNORE INTO meta (k, v) VALUES (?, ?)').run('format', Buffer.from(FORMAT));
        db.prepare('INSERT OR IGNORE INTO meta (k, v) VALUES (?, ?)').run('salt', salt);
      }
      const stored = db.prepare('SELECT v FROM meta WHERE k = ?').get('salt') as { v: Buffer };
      const keys = deriveKeys(secret, stored.v);
      if (existing !== FORMAT_V1) db.prepare('INSERT OR IGNORE INTO meta (k, v) VALUES (?, ?)').run('check', mac(keys.lookup, 'check'));
      const format = (db.prepare('SELECT v FROM meta WHERE k = ?').get('format') as { v: Buffer }).v.toString();
      const check = (db.prepare('SELECT v FROM meta WHERE k = ?').get('check') as { v: Buffer }).v;
      return { keys, format, check };
    });
    let opened: ReturnType<typeof setup>;
    try {
      opened = existing === FORMAT_V1 ? setup.deferred() : setup.immediate();
    } catch {
      db.close();
      throw new ConfigError('E114', `vault ${path} is not a phi-redact vault`);
    }
    if (opened.format !== FORMAT && opened.format !== FORMAT_V1) {
      db.close();
      throw new ConfigError('E114', `vault ${path} is not a phi-redact vault`);
    }
    const expected = mac(opened.keys.lookup, 'check');
    if (opened.check.length !== expected.length || !timingSafeEqual(opened.check, expected)) {
      db.close();
      throw new ConfigError('E115', `the key does not open vault ${path}`);
    }
    return new Vault(db, opened.keys, path, opened.format === FORMAT ? 2 : 1);
  }

  private seal(id: Buffer, value: unknown): { iv: Buffer; box: Buffer } {
    const json = Buffer.from(JSON.stringify(value));
    const padded = Buffer.concat([json, Buffer.alloc((PAD - (json.length % PAD)) % PAD, 0x20)]);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.enc, iv);
    cipher.setAAD(id);
    return { iv, box: Buffer.concat([cipher.update(padded), cipher.final(), cipher.getAuthTag()]) };
  }

  private unseal(row: Row): unknown {
    const decipher = createDecipheriv('aes-256-gcm', this.keys.enc, row.iv);
    decipher.setAAD(row.id);
    decipher.setAuthTag(row.box.subarray(row.box.length - 16));
    const plain = Buffer.concat([decipher.update(row.box.subarray(0, row.box.length - 16)), decipher.final()]);
    return JSON.parse(plain.toString('utf8').trimEnd());
  }

  private writable(): void {
    if (this.format !== 2) throw new ConfigError('E119', `vault ${this.path} is in the old format (${FORMAT_V1}): write to a new vault file`);
  }

  /** Stores one pair (idempotent: the same pair twice is one row). */
  record(entry: VaultEntry): void {
    this.writable();
    const lookup = mac(this.keys.lookup, 'lookup', lookupForm(entry.surrogate));
    const id = mac(this.keys.lookup, 'pair', entry.label, entry.scope, entry.original, entry.surrogate);
    const { iv, box } = this.seal(id, [entry.label, entry.scope, entry.original, entry.surrogate]);
    this.insert!.run(id, lookup, iv, box);
  }

  /**
   * Stores where a note's surrogates were written (its output text identifies it), and each
   * real surrogate's pair for term look-ups, in one transaction. Idempotent.
   */
  recordNote(output: string, note: NoteRecordEntry): void {
    this.writable();
    const spans = note.spans.map((s) => [s.outStart, s.outEnd, s.label, s.original, s.surrogate]);
    const body = [note.noteId, note.scope, output.length, spans];
    const id = mac(this.keys.lookup, 'note', output, JSON.stringify(body));
    const { iv, box } = this.seal(id, body);
    this.db.transaction(() => {
      this.insertNote!.run(id, mac(this.keys.lookup, 'note-text', output), iv, box);
      for (const s of note.spans) {
        if (s.surrogate !== `[${s.label}]`) this.record({ label: s.label, scope: note.scope, original: s.original, surrogate: s.surrogate });
      }
    })();
  }

  /** The notes recorded with exactly this output text (usually one). */
  notesFor(output: string): NoteRecordEntry[] {
    if (this.format !== 2) {
      throw new ConfigError(
        'E119',
        `vault ${this.path} is in the old format (${FORMAT_V1}: pairs without positions): restoring a text needs a vault written by this version (redact again with a new --vault); \`reidentify TERM\` still reads it`,
      );
    }
    const rows = this.byText!.all(mac(this.keys.lookup, 'note-text', output)) as Row[];
    return rows.flatMap((r) => {
      const [noteId, scope, length, spans] = this.unseal(r) as [string, string, number, [number, number, string, string, string][]];
      if (length !== output.length) return [];
      return [{ noteId, scope, spans: spans.map(([outStart, outEnd, label, original, surrogate]) => ({ outStart, outEnd, label, original, surrogate })) }];
    });
  }

  private open(row: Row): VaultEntry {
    const [label, scope, original, surrogate] = this.unseal(row) as string[];
    return { label: label!, scope: scope!, original: original!, surrogate: surrogate! };
  }

  /** Every original a surrogate stands for (several when scopes collided), case-insensitively; `scope` keeps one patient's. */
  lookup(surrogate: string, scope?: string): VaultEntry[] {
    const rows = this.byLookup.all(mac(this.keys.lookup, 'lookup', lookupForm(surrogate))) as Row[];
    const found = rows.map((r) => this.open(r));
    return scope === undefined ? found : found.filter((e) => e.scope === scope);
  }

  /** Every pair, decrypted. */
  *all(): Generator<VaultEntry> {
    for (const row of this.db.prepare('SELECT id, iv, box FROM pairs').iterate() as Iterable<Row>) {
      yield this.open(row);
    }
  }

  /** How many pairs it holds. */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM pairs').get() as { n: number }).n;
  }

  /** How many note records it holds (0 for an old-format vault). */
  noteCount(): number {
    return this.format === 2 ? (this.db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n : 0;
  }

  /** Folds the write-ahead log into the file, so the vault is one self-contained file again. */
  close(): void {
    try {
      if (this.format === 2) this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}

export interface RestoreChoice {
  /** Keep only the note recorded under this id (`--note`). */
  readonly noteId?: string;
  /** Keep only notes of this patient scope (`--patient`). */
  readonly scope?: string;
}

/**
 * Puts the originals back into one output text, at exactly the offsets the vault recorded for
 * it: nothing else in the text is touched, even where it happens to read like a surrogate.
 * `where` names the input in errors (`<stdin>`, `<stdin> line 3`), never its content.
 */
export function restoreText(text: string, candidates: readonly NoteRecordEntry[], choice: RestoreChoice, where: string): { text: string; restored: number } {
  let found = candidates;
  if (choice.noteId !== undefined) found = found.filter((n) => n.noteId === choice.noteId);
  if (choice.scope !== undefined) found = found.filter((n) => n.scope === choice.scope);
  if (found.length === 0) {
    throw new InputError(
      'E120',
      candidates.length === 0
        ? `${where} is not an output this vault recorded (edited, or written by another run or key): nothing restored`
        : `${where}: no recorded note with this text matches --note/--patient: nothing restored`,
    );
  }
  const distinct = new Map(found.map((n) => [JSON.stringify(n.spans.map((s) => [s.outStart, s.outEnd, s.original])), n]));
  if (distinct.size > 1) {
    throw new InputError('E121', `${where}: ${found.length} recorded notes have this text with different originals: name one with --note or --patient`);
  }
  const note = [...distinct.values()][0]!;
  const spans = [...note.spans].sort((a, b) => a.outStart - b.outStart);
  const parts: string[] = [];
  let cursor = 0;
  for (const s of spans) {
    if (s.outStart < cursor || text.slice(s.outStart, s.outEnd) !== s.surrogate) {
      throw new InputError('E120', `${where}: the recorded span at offset ${s.outStart} does not match the text: nothing restored`);
    }
    parts.push(text.slice(cursor, s.outStart), s.original);
    cursor = s.outEnd;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), restored: spans.length };
}
