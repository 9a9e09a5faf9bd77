/**
 * CLI start-up: wall time from spawning the built CLI to its first redacted note on stdout and
 * to its exit, for one invented sample note (corpora/sample/nursing-note.txt) through
 * `redact -`, per detector set. Build first (`npm run build`: dist/ and dist/generated/).
 *
 *   npx tsx bench/bench-startup.ts [--n 10] [--detectors rules;rules,dictionaries;rules,dictionaries,ner] [--baseline DIR] [--variants LIST] [--json]
 *
 * Variants, run interleaved (one of each per round) so that load from other processes falls on
 * all alike:
 *   prebuilt     this build as shipped: word lists and bundled YAML from dist/generated/
 *   from-source  the same build with PHI_REDACT_PREBUILT=off: word lists and YAML built at
 *                start, as before dist/generated/ existed
 *   unbundled    the same build with PHI_REDACT_BUNDLE=off: tsc's modules, not dist/bundle/
 *   baseline     `--baseline DIR`: another checkout's dist/cli/main.js (e.g. the commit before)
 *   node         `node -e 0`: the floor, Node's own start
 * `--variants a,b` runs only those (default: all). Prints median and p90 per variant, in ms, and
 * the load average before and after; `--json` prints the raw times too.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { options } from './args.js';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const opts = options({ n: '10', detectors: 'rules;rules,dictionaries;rules,dictionaries,ner', baseline: '', variants: '', json: false });
const n = Math.max(1, Number(opts.n));
const note = readFileSync(join(ROOT, 'corpora', 'sample', 'nursing-note.txt'));

if (!existsSync(MAIN)) {
  console.error(`bench-startup: ${MAIN} is missing; build first (npm run build)`);
  process.exit(2);
}

interface Variant {
  readonly name: string;
  readonly args: (detectors: string) => string[];
  readonly env?: Record<string, string>;
}

const redactArgs = (main: string) => (detectors: string) => [main, 'redact', '-', '--detectors', detectors];
const allVariants: Variant[] = [
  { name: 'prebuilt', args: redactArgs(MAIN) },
  { name: 'from-source', args: redactArgs(MAIN), env: { PHI_REDACT_PREBUILT: 'off' } },
  { name: 'unbundled', args: redactArgs(MAIN), env: { PHI_REDACT_BUNDLE: 'off' } },
  ...(opts.baseline !== '' ? [{ name: 'baseline', args: redactArgs(join(opts.baseline, 'dist', 'cli', 'main.js')) }] : []),
  { name: 'node', args: () => ['-e', '0'] },
];
const wanted = opts.variants === '' ? undefined : new Set(opts.variants.split(','));
const variants = allVariants.filter((v) => wanted === undefined || wanted.has(v.name));

interface Timing {
  readonly firstMs: number;
  readonly exitMs: number;
}

/** One run: ms from spawn to the first stdout byte (the redacted note) and to exit. */
function once(v: Variant, detectors: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const ms = (): number => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn(process.execPath, v.args(detectors), { cwd: ROOT, env: { ...process.env, ...v.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let firstMs = Number.NaN;
    let stderr = '';
    child.stdout.on('data', () => {
      if (Number.isNaN(firstMs)) firstMs = ms();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const exitMs = ms();
      if (code !== 0) reject(new Error(`${v.name} ${detectors}: exit ${code}: ${stderr.split('\n')[0]}`));
      else resolve({ firstMs: Number.isNaN(firstMs) ? exitMs : firstMs, exitMs });
    });
    child.stdin.end(note);
  });
}

function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

const results: { detectors: string; variant: string; first: number[]; exit: number[] }[] = [];
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`bench-startup: ${n} runs per variant, ${cpus().length} cores, node ${process.version}, load average ${load()}`);
for (const detectors of opts.detectors.split(';')) {
  const rows = variants.map((v) => ({ detectors, variant: v.name, first: [] as number[], exit: [] as number[] }));
  for (let round = 0; round < n; round++) {
    for (const [i, v] of variants.entries()) {
      const t = await once(v, detectors);
      rows[i]!.first.push(t.firstMs);
      rows[i]!.exit.push(t.exitMs);
    }
  }
  results.push(...rows);
  console.log(`\n--detectors ${detectors}`);
  console.log('variant       first note ms (median / p90)   exit ms (median / p90)');
  for (const r of rows) {
    const f = `${quantile(r.first, 0.5).toFixed(0)} / ${quantile(r.first, 0.9).toFixed(0)}`;
    const e = `${quantile(r.exit, 0.5).toFixed(0)} / ${quantile(r.exit, 0.9).toFixed(0)}`;
    console.log(`${r.variant.padEnd(14)}${f.padStart(16)}${e.padStart(30)}`);
  }
}
console.log(`\nload average at the end: ${load()}`);
if (opts.json) console.log(JSON.stringify(results));
