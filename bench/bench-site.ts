/**
 * What site lists cost in speed and memory (issue 16): the same notes through the same detectors
 * without site lists, and with a large invented roster (names from @faker-js/faker) and deny
 * list (faker city and street names), plus each note's known identifiers (two names, an MRN, a
 * date). Interleaved rounds, medians; notes/s of Pipeline.redactBatch in this process, list load
 * time, heap after loading. Notes: the held-out synthetic corpus (corpora/synthetic), invented.
 *
 *   npx tsx bench/bench-site.ts [--detectors rules,dictionaries] [--roster 10000] [--deny 5000] [--rounds 5] [--notes 400]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faker } from '@faker-js/faker/locale/en';
import type { DetectorKind } from '../src/core/detectorKinds.js';
import type { KnownIdentifiers } from '../src/detect/site/known.js';
import { loadPipeline } from '../src/node/createPipeline.js';
import type { Pipeline } from '../src/pipeline.js';
import { options } from './args.js';

const opts = options({ detectors: 'rules,dictionaries', roster: '10000', deny: '5000', rounds: '5', notes: '400' });
const detectors = opts.detectors.split(',') as DetectorKind[];
const REPO = join(import.meta.dirname, '..');
const notes = readFileSync(join(REPO, 'corpora', 'synthetic', 'heldout.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, Number(opts.notes))
  .map((l) => (JSON.parse(l) as { text: string }).text);

faker.seed(7);
const work = mkdtempSync(join(tmpdir(), 'bench-site-'));
writeFileSync(join(work, 'staff.txt'), Array.from({ length: Number(opts.roster) }, () => `${faker.person.firstName()} ${faker.person.lastName()}`).join('\n'));
writeFileSync(join(work, 'places.txt'), Array.from({ length: Number(opts.deny) }, (_, i) => (i % 2 === 0 ? faker.location.city() : faker.location.street())).join('\n'));
const known: KnownIdentifiers[] = notes.map(() => ({ NAME: [faker.person.fullName(), faker.person.fullName()], ID: [String(faker.number.int({ min: 1e6, max: 1e8 }))], DATE: ['1961-07-02'] }));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const heapMb = (): number => process.memoryUsage().heapUsed / 1e6;

async function load(withSite: boolean): Promise<{ pipeline: Pipeline; ms: number; heap: number }> {
  globalThis.gc?.();
  const before = heapMb();
  const t = performance.now();
  const pipeline = await loadPipeline({
    detectors,
    config: withSite ? { consistency: { run: false }, site: { roster: ['staff.txt'], deny: [{ label: 'LOCATION', file: 'places.txt' }] } } : { consistency: { run: false } },
    baseDir: work,
  });
  const ms = performance.now() - t;
  globalThis.gc?.();
  return { pipeline, ms, heap: heapMb() - before };
}

try {
  const base = await load(false);
  const site = await load(true);
  console.log(`${notes.length} notes, detectors ${detectors.join(',')}, roster ${opts.roster} names, deny ${opts.deny} places`);
  console.log(`load: without lists ${base.ms.toFixed(0)} ms, with lists ${site.ms.toFixed(0)} ms (heap +${site.heap.toFixed(0)} MB${globalThis.gc ? '' : ', run with --expose-gc for a clean figure'})`);
  const rates: Record<string, number[]> = { without: [], lists: [], 'lists + known': [] };
  for (let r = 0; r < Number(opts.rounds); r++) {
    for (const [name, p, ctx] of [
      ['without', base.pipeline, undefined],
      ['lists', site.pipeline, undefined],
      ['lists + known', site.pipeline, known],
    ] as const) {
      const t = performance.now();
      await p.redactBatch(notes, ctx?.map((k) => ({ known: k })) ?? []);
      rates[name]!.push(notes.length / ((performance.now() - t) / 1000));
    }
  }
  const b = median(rates.without!);
  for (const [name, xs] of Object.entries(rates)) console.log(`  ${name.padEnd(14)} ${median(xs).toFixed(0).padStart(6)} notes/s (median of ${xs.length}), ${(median(xs) / b).toFixed(2)}x`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  await base.pipeline.dispose();
  await site.pipeline.dispose();
} finally {
  rmSync(work, { recursive: true, force: true });
}
