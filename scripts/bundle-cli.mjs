#!/usr/bin/env node
// Bundles the CLI (tsc's dist/ output) into dist/bundle/ after tsc, so that a start loads a few
// files instead of ~400 modules (issue 19). dist/cli/main.js imports dist/bundle/cli.js when it
// is there and falls back to tsc's dist/cli/run.js otherwise; the library (dist/index.js) is not
// bundled. Code splitting keeps what a command loads lazily (`await import`) in lazy chunks.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'bundle');

// Pure-JS packages on the start path, bundled. Every other dependency stays an import that Node
// resolves from node_modules as before: native addons (onnxruntime-node, better-sqlite3), and
// packages that read files beside their own code or start workers from their own folder
// (word-list packages, @huggingface/tokenizers, fastify, bullmq, ioredis, piscina, recheck).
const BUNDLED = new Set(['zod', 'commander', 'libphonenumber-js', 'jsonc-parser', 'picomatch', 'cli-progress', 'safe-stable-stringify', '@faker-js/faker']);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies)
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);

rmSync(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // The chunks sit flat in dist/bundle/, two levels below the package root like every tsc
  // module, so src/node/paths.ts finds the root the same way; poolWorker.js sits beside its
  // chunks, where engine.ts's workerFilename looks first.
  entryPoints: { startFlags: 'dist/cli/startFlags.js', cli: 'dist/cli/run.js', poolWorker: 'dist/node/runs/pool/poolWorker.js' },
  outdir: out,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The ES module build where a package has one: jsonc-parser's `main` is a UMD build whose
  // inner require() calls esbuild cannot follow.
  mainFields: ['module', 'main'],
  external,
  // Bundled CommonJS packages (commander, picomatch) require() Node's built-ins; an ES module
  // has no require of its own.
  banner: { js: "import { createRequire as __phiCreateRequire } from 'node:module'; const require = __phiCreateRequire(import.meta.url);" },
  // Licence headers of bundled code stay in the output; THIRD-PARTY-LICENSES holds the rest.
  legalComments: 'eof',
  // Maps to tsc's dist/ files (whose own maps lead to src/); the sources themselves are not copied
  // in, which would add ~3 MB of bundled packages' code to the package.
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  plugins: [zodEnglishOnly()],
  logLevel: 'warning',
});

// The licence text of every bundled package, since the bundle no longer ships beside them.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  if (/^[\w-]+:/.test(input)) continue; // a plugin's virtual module: its package is listed through its real files
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m !== null && !packages.has(m[1])) packages.set(m[1], licenceOf(join(root, m[1])));
}
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), [...packages.values()].sort().join('\n\n'));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stdout.write(`wrote ${out} (${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1e6).toFixed(1)} MB; ${packages.size} bundled packages)\n`);

/**
 * zod's `z.locales` namespace holds its messages in ~40 languages (half of zod's bundled bytes,
 * all compiled at every start); phi-redact never switches locale and zod itself uses English
 * (imported from locales/en.js, not through this namespace). The bundle's namespace holds `en`.
 */
function zodEnglishOnly() {
  return {
    name: 'zod-english-only',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-en' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
        resolveDir: dirname(args.path),
      }));
    },
  };
}

function licenceOf(dir) {
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const head = `${meta.name}@${meta.version} (${meta.license ?? 'see package'})`;
  for (const name of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE']) {
    try {
      return `${head}\n${readFileSync(join(dir, name), 'utf8').trim()}`;
    } catch {
      // try the next spelling
    }
  }
  return `${head}\n(no licence file in ${dirname(join(dir, 'package.json')).split('node_modules/').pop()})`;
}
