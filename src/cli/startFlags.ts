import { setFlagsFromString } from 'node:v8';
import { z } from 'zod';

/**
 * Process-wide settings for the CLI, evaluated before any other CLI module (src/cli/main.ts
 * imports this first; scripts/bundle-cli.mjs makes it an entry of its own so that it shares the
 * bundle's zod). Both save start-up time (issue 19, README "Start-up") and change no output.
 * Not set by the library: a program that imports phi-redact keeps its own settings.
 *
 * - zod without its JIT: by default zod compiles each object schema into a function with
 *   `new Function` at its first parse, which costs more than the one parse of the config
 *   defaults and rule packs a command makes.
 * - Regular expressions compiled to machine code at once: V8 first runs a new regex in its
 *   bytecode interpreter and compiles it when it runs again, so the rule packs' ~80 patterns
 *   were each compiled twice on the first note and interpreted once, slowly (the street-address
 *   pattern's ~200 suffixes: 8 ms interpreted, 1 ms compiled). V8 reads the flag when it
 *   compiles a regex, so setting it before any rule pack loads is enough; same matches either way.
 */
z.config({ jitless: true });
setFlagsFromString('--no-regexp-tier-up');
