import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../core/canonicalJson.js';
import type { Span } from '../../core/span.js';
import type { Pipeline } from '../../pipeline.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { PACKAGE_ROOT } from '../paths.js';
import { MANIFEST_DIR } from './manifest.js';
import { codeOf } from '../../core/errors.js';

/**
 * The audit report written at the end of every run (`<out>/.phi-redact/audit.json` for folder
 * and queue runs, `--audit FILE` for streams): what was found, by whom, how fast, and with which
 * config, rules, model and key. It holds counts, codes and hashes only — never note text, never
 * file contents, never the key itself — so a privacy officer can file it next to the output.
 */

export const AUDIT_FILE = 'audit.json';

export interface Fingerprints {
  /** SHA-256 of the validated config (canonical JSON). */
  readonly config: string;
  /** SHA-256 over the rule detectors' own fingerprints, or "none". */
  readonly rules: string;
  /** The NER model's fingerprint, or "none" when the run used rules only. */
  readonly model: string;
  /** SHA-256 over every detector's fingerprint, by detector id (rules, word lists and cue files, model, ...). */
  readonly detectors: string;
  /** Fingerprint of the surrogate key (a keyed hash, never the key), or "none". */
  readonly key: string;
  /** One hash over config, detectors and key: two runs with the same value write the same output. */
  readonly combined: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export { canonicalJson };

/**
 * Fingerprints of everything that changes a run's output. Detector fingerprints come from the
 * detectors themselves (rules hash, model sha256); a detector id under `key/` or a
 * `keyFingerprint()` on the pipeline supplies the key's (surrogates).
 */
export function runFingerprints(pipeline: Pick<Pipeline, 'config' | 'fingerprints'> & { keyFingerprint?: () => string }): Fingerprints {
  const byDetector = Object.entries(pipeline.fingerprints()).sort(([a], [b]) => (a < b ? -1 : 1));
  const group = (prefix: string): string => {
    const entries = byDetector.filter(([id]) => id.startsWith(prefix));
    if (entries.length === 0) return 'none';
    if (entries.length === 1) return entries[0]![1];
    return sha256Hex(canonicalJson(entries));
  };
  // The budgets (`limits`) and the server's settings (`serve`) decide whether a note finishes, never its bytes: changing them keeps --resume's work.
  const { limits: _budgets, serve: _server, ...output } = pipeline.config as Pipeline['config'] & { limits?: unknown; serve?: unknown };
  const config = sha256Hex(canonicalJson(output));
  const rules = group('rules/');
  const model = group('ner/');
  const key = pipeline.keyFingerprint?.() ?? group('key/');
  // Every detector, not only the groups above: editing a cue file must invalidate --resume too.
  const detectors = sha256Hex(canonicalJson(byDetector));
  return { config, rules, model, detectors, key, combined: sha256Hex(canonicalJson({ config, detectors, key })) };
}

let cachedVersion: string | undefined;
export function toolVersion(): string {
  if (cachedVersion === undefined) {
    try {
      cachedVersion = String((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}

/** Per-note counts a worker sends back: merged spans by label and source, raw detections by detector. */
export interface NoteCounts {
  readonly labels: Readonly<Record<string, number>>;
  /** Raw PHI spans each detector reported (before merging). */
  readonly detections: Readonly<Record<string, number>>;
  /** Merged spans each detector contributed to (a span found by two detectors counts for both). */
  readonly kept: Readonly<Record<string, number>>;
}

export function countSpans(spans: readonly Span[], raw: readonly Span[]): NoteCounts {
  const labels: Record<string, number> = {};
  const detections: Record<string, number> = {};
  const kept: Record<string, number> = {};
  for (const s of spans) {
    labels[s.label] = (labels[s.label] ?? 0) + 1;
    for (const source of s.sources ?? [s.source]) kept[source] = (kept[source] ?? 0) + 1;
  }
  for (const s of raw) detections[s.source] = (detections[s.source] ?? 0) + 1;
  return { labels, detections, kept };
}

/** The counts of several notes added up (a JSONL, CSV or FHIR file's records). */
export function mergeCounts(all: readonly NoteCounts[]): NoteCounts {
  const labels: Record<string, number> = {};
  const detections: Record<string, number> = {};
  const kept: Record<string, number> = {};
  for (const c of all) {
    for (const [k, n] of Object.entries(c.labels)) labels[k] = (labels[k] ?? 0) + n;
    for (const [k, n] of Object.entries(c.detections)) detections[k] = (detections[k] ?? 0) + n;
    for (const [k, n] of Object.entries(c.kept)) kept[k] = (kept[k] ?? 0) + n;
  }
  return { labels, detections, kept };
}

export type RunMode = 'folder' | 'stream' | 'queue';

export interface AuditReport {
  readonly tool: { readonly name: 'phi-redact'; readonly version: string };
  readonly mode: RunMode;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly resumed: boolean;
  readonly detectors: readonly string[];
  readonly notes: {
    readonly total: number;
    readonly done: number;
    readonly failed: number;
    /** Skipped: already done by an earlier run with the same fingerprints (`--resume`). */
    readonly skipped: number;
    /** Stream records that were not notes (bad JSON, invalid UTF-8) and were skipped. */
    readonly malformed: number;
  };
  /** Failures and malformed records by PHI-free error code. */
  readonly errors: Readonly<Record<string, number>>;
  readonly spans: {
    readonly total: number;
    readonly byLabel: Readonly<Record<string, number>>;
    readonly byDetector: Readonly<Record<string, { readonly detections: number; readonly kept: number }>>;
  };
  readonly timings: {
    readonly wallMs: number;
    /** From the start to the last finished note (a queue worker idles after it until stopped). */
    readonly activeMs: number;
    readonly notesPerSecond: number;
    readonly inputBytes: number;
    readonly pipelineLoadMs?: number;
  };
  readonly workers: {
    readonly count: number;
    /** How many times a worker built the pipeline (detectors + model): one per worker. */
    readonly pipelineLoads: number;
  };
  readonly fingerprints: Fingerprints;
}

/** Accumulates a run's counts; plain state, no I/O except `write`. */
export class AuditCollector {
  private readonly started = Date.now();
  private readonly labels: Record<string, number> = {};
  private readonly detections: Record<string, number> = {};
  private readonly kept: Record<string, number> = {};
  private readonly errors: Record<string, number> = {};
  private spansTotal = 0;
  private lastNoteAt: number | undefined;
  private inputBytes = 0;
  done = 0;
  failed = 0;
  skipped = 0;
  malformed = 0;
  workers = 1;
  pipelineLoads = 0;
  pipelineLoadMs: number | undefined;
  resumed = false;

  constructor(
    readonly mode: RunMode,
    private readonly fingerprints: Fingerprints,
    private readonly detectorIds: readonly string[],
  ) {}

  /** `notes`: how many notes `counts` covers (a file of several records: all of them). */
  noteDone(counts: NoteCounts, bytes = 0, notes = 1): void {
    this.done += notes;
    this.lastNoteAt = Date.now();
    this.inputBytes += bytes;
    for (const [label, n] of Object.entries(counts.labels)) {
      this.labels[label] = (this.labels[label] ?? 0) + n;
      this.spansTotal += n;
    }
    for (const [id, n] of Object.entries(counts.detections)) this.detections[id] = (this.detections[id] ?? 0) + n;
    for (const [id, n] of Object.entries(counts.kept)) this.kept[id] = (this.kept[id] ?? 0) + n;
  }

  /** `error` is a PHI-free line starting with its code ("E043 invalid UTF-8 at byte 12"). */
  noteFailed(error: string): void {
    this.failed += 1;
    this.countError(error);
  }

  noteMalformed(error: string): void {
    this.malformed += 1;
    this.countError(error);
  }

  noteSkipped(): void {
    this.skipped += 1;
  }

  private countError(error: string): void {
    const code = codeOf(error) ?? 'other';
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  elapsedMs(): number {
    return Date.now() - this.started;
  }

  report(): AuditReport {
    const wallMs = this.elapsedMs();
    const activeMs = this.lastNoteAt === undefined ? 0 : this.lastNoteAt - this.started;
    // A queue worker waits for jobs before and after its work: its rate counts active time only.
    const rateMs = this.mode === 'queue' ? activeMs : wallMs;
    const ids = [...new Set([...Object.keys(this.detections), ...Object.keys(this.kept)])].sort();
    return {
      tool: { name: 'phi-redact', version: toolVersion() },
      mode: this.mode,
      startedAt: new Date(this.started).toISOString(),
      finishedAt: new Date(this.started + wallMs).toISOString(),
      resumed: this.resumed,
      detectors: [...this.detectorIds],
      notes: {
        total: this.done + this.failed + this.skipped + this.malformed,
        done: this.done,
        failed: this.failed,
        skipped: this.skipped,
        malformed: this.malformed,
      },
      errors: sortKeys(this.errors),
      spans: {
        total: this.spansTotal,
        byLabel: sortKeys(this.labels),
        byDetector: Object.fromEntries(ids.map((id) => [id, { detections: this.detections[id] ?? 0, kept: this.kept[id] ?? 0 }])),
      },
      timings: {
        wallMs,
        activeMs,
        notesPerSecond: rateMs > 0 ? Math.round((this.done / rateMs) * 1000 * 10) / 10 : 0,
        inputBytes: this.inputBytes,
        ...(this.pipelineLoadMs !== undefined ? { pipelineLoadMs: this.pipelineLoadMs } : {}),
      },
      workers: { count: this.workers, pipelineLoads: this.pipelineLoads },
      fingerprints: this.fingerprints,
    };
  }
}

function sortKeys(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Writes `<outDir>/.phi-redact/audit.json` atomically. */
export async function writeAudit(outDir: string, report: AuditReport): Promise<string> {
  const path = join(outDir, MANIFEST_DIR, AUDIT_FILE);
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/** Writes the report to a path the user named (`--audit FILE` for streams). */
export async function writeAuditFile(path: string, report: AuditReport): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** The human summary line block printed at the end of a run (stderr). */
export function formatSummary(report: AuditReport): string {
  const n = report.notes;
  const parts = [`${n.done} done`, `${n.failed} failed`];
  if (n.skipped > 0 || report.resumed) parts.push(`${n.skipped} skipped (already done)`);
  if (n.malformed > 0) parts.push(`${n.malformed} malformed skipped`);
  const seconds = (report.timings.wallMs / 1000).toFixed(1);
  const labels = Object.entries(report.spans.byLabel)
    .map(([l, c]) => `${l} ${c}`)
    .join(', ');
  return (
    `phi-redact: ${parts.join(', ')} in ${seconds}s (${report.timings.notesPerSecond} notes/s, ${report.workers.count} worker${report.workers.count === 1 ? '' : 's'})\n` +
    `phi-redact: ${report.spans.total} spans${labels ? `: ${labels}` : ''}\n`
  );
}
