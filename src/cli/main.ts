#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The bundled CLI (scripts/bundle-cli.mjs: a few files instead of ~400 modules, issue 19) when
// the build wrote it; tsc's modules otherwise (a build without the bundle step, or src/ under
// tsx). PHI_REDACT_BUNDLE=off picks tsc's modules, so that tests and benchmarks can compare both.
// startFlags first: the process-wide settings must be in place before the other modules load.
const bundle = new URL('../bundle/cli.js', import.meta.url);
const useBundle = process.env.PHI_REDACT_BUNDLE !== 'off' && existsSync(fileURLToPath(bundle));
await (useBundle ? import(new URL('../bundle/startFlags.js', import.meta.url).href) : import('./startFlags.js'));
const { installCrashGuards, run }: typeof import('./run.js') = useBundle ? await import(bundle.href) : await import('./run.js');

installCrashGuards(process.stderr);

const result = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stderr.isTTY),
});
process.exitCode = result.exitCode;
