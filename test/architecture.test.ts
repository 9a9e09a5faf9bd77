import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layout is the architecture (README "Architecture"): data flows one way, core at the bottom,
// the Node edge (src/node) and the CLI at the top. These tests keep it so.

const ROOT = join(import.meta.dirname, '..');
const walk = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []));
const files = walk(join(ROOT, 'src')).map((f) => relative(ROOT, f).split('\\').join('/'));
const source = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

/** Relative imports, static and dynamic, as repo paths of .ts files. */
function importsOf(file: string): string[] {
  const specs = [...source.get(file)!.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => posix.normalize(posix.join(posix.dirname(file), s)).replace(/\.js$/, '.ts'));
}
const packagesOf = (file: string): string[] => [...source.get(file)!.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)'([^.'][^']*)'/g)].map((m) => m[1]!);
const areaOf = (file: string): string => file.split('/')[1]!.replace(/\.ts$/, '');

/** Which areas each area may import (its own always). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  lexicon: ['core'],
  detect: ['core', 'lexicon'],
  transform: ['core'],
  eval: ['core'],
  pipeline: ['core', 'detect', 'transform'],
  node: ['core', 'lexicon', 'detect', 'transform', 'eval', 'pipeline'],
  review: ['core', 'eval', 'node'],
  serve: ['core', 'detect', 'transform', 'pipeline', 'node'],
  cli: ['core', 'lexicon', 'detect', 'transform', 'eval', 'pipeline', 'node', 'review', 'serve'],
  index: ['core', 'lexicon', 'detect', 'transform', 'eval', 'pipeline', 'node'],
};

describe('architecture', () => {
  it('every area is known', () => {
    expect([...new Set(files.map(areaOf))].filter((a) => !(a in MAY_IMPORT))).toEqual([]);
  });

  it('each area imports only the areas below it', () => {
    const wrong = files.flatMap((f) =>
      importsOf(f)
        .filter((d) => areaOf(d) !== areaOf(f) && !MAY_IMPORT[areaOf(f)]!.includes(areaOf(d)))
        .map((d) => `${f} -> ${d}`),
    );
    expect(wrong).toEqual([]);
  });

  it('has no import cycles', () => {
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const cycles: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const d of importsOf(f)) {
        if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].join(' -> '));
        else if (!state.has(d) && source.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('the pure layers touch no files, processes or network; one module imports onnxruntime', () => {
    const io = /^node:(fs|fs\/promises|child_process|worker_threads|http|https|net|process)$/;
    const pure = files.filter((f) => ['core', 'lexicon', 'detect', 'transform', 'eval', 'pipeline'].includes(areaOf(f)));
    // The NER session reads its model folder: the one backend seam, as in transformers.js.
    const touching = pure.filter((f) => f !== 'src/detect/ner/session.ts' && packagesOf(f).some((p) => io.test(p)));
    expect(touching).toEqual([]);
    expect(files.filter((f) => packagesOf(f).includes('onnxruntime-node'))).toEqual(['src/detect/ner/session.ts']);
  });
});
