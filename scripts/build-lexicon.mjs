#!/usr/bin/env node
// Writes dist/generated/lexicon.bin and assets.json (src/node/assets/lexiconFile.ts) after tsc:
// the word lists and bundled YAML, built once here instead of at every start.
import { writePrebuilt } from '../dist/node/assets/buildPrebuilt.js';

const started = performance.now();
const files = await writePrebuilt();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
for (const f of files) process.stdout.write(`wrote ${f.file} (${(f.bytes / 1e6).toFixed(1)} MB) in ${seconds} s\n`);
