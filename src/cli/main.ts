#!/usr/bin/env node
import { installCrashGuards, run } from './run.js';

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
