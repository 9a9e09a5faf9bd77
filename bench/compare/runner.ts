/**
 * One library in its own process (started by bench/compare/run.ts, the same harness for every row):
 *
 *   node --import tsx bench/compare/runner.ts --lib <name> --set <notes.jsonl> [--passes 5] [--budget-s 40] [--min-pass-ms 500]
 *
 * Reads `{id, text}` lines, loads the library once (timed apart), redacts every note once to warm
 * up (these are the predictions), then times `--passes` passes (fewer once the passes so far took
 * `--budget-s`); a pass repeats the set until it lasts `--min-pass-ms`. Then it recovers spans (the
 * library's own offsets, or bench/compare/align.ts for text-only libraries). Peak RSS is read
 * before alignment, so it is the library's and the harness's, not the aligner's.
 *
 * stdout: one JSON object with figures and offsets only (no note text). Errors name the library
 * and the note's index, never its text.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { alignRedaction } from './align.js';
import type { LibAdapter, PredSpan } from './libs/types.js';
import { LIBS, type LibName, type RunnerPass, type RunnerResult } from './protocol.js';

const REPO = resolve(import.meta.dirname, '..', '..');

function versionOf(pkg: string): string {
  const file = pkg === 'phi-redact' ? join(REPO, 'package.json') : join(REPO, 'node_modules', pkg, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function arg(name: string, dflt?: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) {
    if (dflt === undefined) throw new Error(`runner: ${name} is required`);
    return dflt;
  }
  return v;
}

async function main(): Promise<void> {
  const lib = arg('--lib') as LibName;
  if (!LIBS.includes(lib)) throw new Error(`runner: unknown --lib ${lib}`);
  const setPath = arg('--set');
  const maxPasses = Number(arg('--passes', '5'));
  const budgetMs = Number(arg('--budget-s', '40')) * 1000;
  const minPassMs = Number(arg('--min-pass-ms', '500'));

  const notes = readFileSync(setPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const o = JSON.parse(l) as { id: string | number; text: string };
      return { id: String(o.id), text: o.text };
    });

  const { adapter } = (await import(`./libs/${lib}.js`)) as { adapter: LibAdapter };
  const l0 = performance.now();
  const modelDir = process.argv.includes('--model-dir') ? resolve(arg('--model-dir')) : undefined;
  const redactor = await adapter.load(modelDir !== undefined ? { modelDir } : {});
  const loadMs = performance.now() - l0;

  // A warm-up pass (JIT, lazy tables) gives the predictions; timed passes follow. A timed pass
  // repeats the set often enough to last --min-pass-ms, so tiny sets are not timed at clock noise.
  const redactAll = async (record: boolean): Promise<(string | readonly PredSpan[] | undefined)[]> => {
    const out: (string | readonly PredSpan[] | undefined)[] = new Array(notes.length);
    for (let i = 0; i < notes.length; i++) {
      try {
        out[i] = redactor.kind === 'text' ? await redactor.redact(notes[i]!.text) : await redactor.detect(notes[i]!.text);
      } catch (err) {
        if (record) {
          failedNotes++;
          process.stderr.write(`runner ${lib}: note #${i} failed (${(err as Error).name})\n`);
        }
        out[i] = undefined;
      }
    }
    return out;
  };
  let failedNotes = 0;
  const w0 = performance.now();
  const first = await redactAll(true);
  const warmupMs = performance.now() - w0;
  const reps = Math.min(10_000, Math.max(1, Math.ceil(minPassMs / Math.max(warmupMs, 1e-3))));
  let deterministic = true;
  const passes: RunnerPass[] = [];
  let timed = 0;
  for (let p = 0; p < maxPasses && (p === 0 || timed < budgetMs); p++) {
    let last: (string | readonly PredSpan[] | undefined)[] = [];
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) last = await redactAll(false);
    const wallMs = (performance.now() - t0) / reps;
    const cpu = process.cpuUsage(c0);
    passes.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 / reps });
    timed += wallMs * reps;
    for (let i = 0; i < notes.length && deterministic; i++) {
      const a = first[i];
      const b = last[i];
      deterministic = typeof a === 'string' || a === undefined ? a === b : JSON.stringify(a) === JSON.stringify(b);
    }
  }
  const maxRssKiB = process.resourceUsage().maxRSS;

  const align = { identical: 0, anchors: 0, diff: 0, 'prefix-suffix': 0, inserted: 0 };
  const spans = notes.map((note, i) => {
    const r = first[i];
    if (r === undefined) return [];
    if (typeof r === 'string') {
      if (redactor.kind !== 'text') throw new Error('runner: text output from a spans library');
      const a = alignRedaction(note.text, r, redactor.tokenPattern);
      align[a.method]++;
      align.inserted += a.inserted;
      return a.spans.map((s) => [s.start, s.end, redactor.labelOf(s.token)] as const);
    }
    return r
      .filter((s) => s.end > s.start && s.start >= 0 && s.end <= note.text.length)
      .map((s) => [s.start, s.end, s.label] as const);
  });

  const result: RunnerResult = {
    lib,
    name: adapter.name,
    pkg: adapter.pkg,
    version: versionOf(adapter.pkg),
    config: adapter.config,
    notes: notes.length,
    chars: notes.reduce((n, x) => n + x.text.length, 0),
    loadMs,
    warmupMs,
    repsPerPass: reps,
    passes,
    maxRssKiB,
    deterministic,
    failedNotes,
    align,
    spans: spans as RunnerResult['spans'],
  };
  // Exit once stdout is flushed: a loaded model's runtime threads must not keep the process alive.
  process.stdout.write(JSON.stringify(result), () => process.exit(0));
}

main().catch((err: unknown) => {
  // Library errors can quote input; print the error's name and our own messages only.
  const e = err as Error;
  const ours = e.message?.startsWith("runner") || /^E\d{3}$/.test(String((e as { code?: unknown }).code));
  process.stderr.write(`runner failed: ${ours ? e.message : e.name}\n`);
  process.exit(1);
});
