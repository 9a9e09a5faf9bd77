import { join } from 'node:path';
import type { Pipeline } from '../../pipeline.js';
import { describeError } from '../../core/errors.js';
import type { OutputSpan } from '../../transform/types.js';
import { writeFileAtomicInPieces } from '../files/atomicWrite.js';
import { countSpans, type NoteCounts } from './audit.js';
import { heapBound } from './heapBound.js';
import { MANIFEST_SPAN_LIMIT, type ManifestOutSpan, type ManifestSpan, type ManifestEntry, toManifestOutSpan, toManifestSpan } from './manifest.js';
import { doneEntry, failedEntry, type Loaded, noteContext, type WriteOptions } from './noteFiles.js';

/**
 * A note longer than one detection segment, in a folder or queue run: redacted chunk by chunk
 * (Pipeline.redactInPieces) straight into its atomic temp file, so neither its output text nor its
 * span list is ever held whole. Same output bytes as `redactEach` + `writeOutput`; the manifest
 * line lists at most MANIFEST_SPAN_LIMIT spans (`spansOmitted` counts the rest), and an
 * `--emit spans` sidecar gets them all, written as they come.
 */

/** Whether `note` goes through `redactLongNote`: longer than a segment, and no vault needs its output whole. */
export function isLongNote(pipeline: Pipeline, text: string): boolean {
  return pipeline.streamable && text.length > pipeline.segmentChars;
}

export async function redactLongNote(
  pipeline: Pipeline,
  note: Loaded,
  options: WriteOptions,
  spanLimit: number = MANIFEST_SPAN_LIMIT,
): Promise<{ entry: ManifestEntry; counts?: NoteCounts }> {
  const target = join(options.outDir, ...note.file.output.split('/'));
  const spans: ManifestSpan[] = [];
  const outSpans: ManifestOutSpan[] = [];
  const labels: Record<string, number> = {};
  const kept: Record<string, number> = {};
  let total = 0;
  let detections: Readonly<Record<string, number>> = {};
  // Whether an error comes from the detectors (E046) or from writing (E045).
  let detecting = false;
  const heap = heapBound();
  const redactInto = async (write: (piece: string) => Promise<void>, sidecar?: SidecarSpans): Promise<void> => {
    detecting = true;
    const summary = await pipeline.redactInPieces(
      note.text!,
      noteContext(pipeline, note),
      {
        async write(piece, pieceSpans) {
          detecting = false;
          addCounts(labels, kept, pieceSpans);
          for (const s of pieceSpans) {
            if (total < spanLimit) {
              spans.push(toManifestSpan(s));
              outSpans.push(toManifestOutSpan(s));
            }
            total++;
          }
          await sidecar?.add(pieceSpans);
          await write(piece);
          heap.collectIfGrown();
          detecting = true;
        },
        between: () => heap.collectIfGrown(),
      },
    );
    detecting = false;
    detections = summary.detections;
  };
  try {
    if (options.emitSpans) {
      // The sidecar's spans are written as they come; it is renamed after the output, as writeOutput does.
      await writeFileAtomicInPieces(
        `${target}.spans.json`,
        async (writeSide) => {
          const sidecar = new SidecarSpans(writeSide);
          await writeSide('{"spans":[');
          await writeFileAtomicInPieces(target, (write) => redactInto(write, sidecar), options.mode);
          await sidecar.finish();
        },
        options.mode,
      );
    } else {
      await writeFileAtomicInPieces(target, (write) => redactInto(write), options.mode);
    }
  } catch (err) {
    // Fail closed either way: the temp file is gone and nothing is renamed.
    return { entry: failedEntry(note, detecting ? `E046 detection failed (${describeError(err)})` : `E045 cannot write the output (${describeError(err)})`) };
  }
  const entry: ManifestEntry = doneEntry(note, spans, outSpans, total > spanLimit ? { spansOmitted: total - spanLimit } : {});
  return { entry, counts: { labels, detections, kept } };
}

/** countSpans over one piece's spans, added to the note's totals. */
export function addCounts(labels: Record<string, number>, kept: Record<string, number>, spans: readonly OutputSpan[]): void {
  const c = countSpans(spans, []);
  for (const [k, v] of Object.entries(c.labels)) labels[k] = (labels[k] ?? 0) + v;
  for (const [k, v] of Object.entries(c.kept)) kept[k] = (kept[k] ?? 0) + v;
}

/**
 * The `--emit spans` sidecar of a long note, `{"spans":[...],"outSpans":[...]}` as writeOutput
 * writes it: the spans written as they come, their output offsets kept in typed arrays until the
 * spans are all out (about 9 bytes a span).
 */
class SidecarSpans {
  private outStarts = new Int32Array(1024);
  private outEnds = new Int32Array(1024);
  private outLabels = new Uint8Array(1024);
  private readonly labelNames: string[] = [];
  private n = 0;

  constructor(private readonly write: (piece: string) => Promise<void>) {}

  async add(spans: readonly OutputSpan[]): Promise<void> {
    if (spans.length === 0) return;
    const json = spans.map((s) => JSON.stringify(toManifestSpan(s))).join(',');
    await this.write(this.n === 0 ? json : `,${json}`);
    for (const s of spans) {
      if (this.n === this.outStarts.length) this.grow();
      let label = this.labelNames.indexOf(s.label);
      if (label === -1) label = this.labelNames.push(s.label) - 1;
      this.outStarts[this.n] = s.outStart;
      this.outEnds[this.n] = s.outEnd;
      this.outLabels[this.n] = label;
      this.n++;
    }
  }

  async finish(): Promise<void> {
    await this.write('],"outSpans":[');
    const batch = 10_000;
    for (let from = 0; from < this.n; from += batch) {
      const parts: string[] = [];
      for (let i = from; i < Math.min(this.n, from + batch); i++) {
        parts.push(JSON.stringify({ outStart: this.outStarts[i], outEnd: this.outEnds[i], label: this.labelNames[this.outLabels[i]!] }));
      }
      await this.write(from === 0 ? parts.join(',') : `,${parts.join(',')}`);
    }
    await this.write(']}\n');
  }

  private grow(): void {
    const starts = new Int32Array(this.n * 2);
    const ends = new Int32Array(this.n * 2);
    const labels = new Uint8Array(this.n * 2);
    starts.set(this.outStarts);
    ends.set(this.outEnds);
    labels.set(this.outLabels);
    this.outStarts = starts;
    this.outEnds = ends;
    this.outLabels = labels;
  }
}
