// Child process for the cross-process determinism test: prints the surrogates of every
// sample for the key (hex) and scope given on the command line.
import { createSurrogateOperator } from '../../src/transform/operators/surrogate.js';
import { SURROGATE_SAMPLES } from './surrogateSamples.js';

const [keyHex, scope] = process.argv.slice(2) as [string, string];
const op = createSurrogateOperator(Buffer.from(keyHex, 'hex'));
const out = SURROGATE_SAMPLES.map(([label, text, subtype]) => op({ start: 0, end: text.length, label, subtype, source: 'test', score: 1 }, text, { scope }));
process.stdout.write(JSON.stringify(out));
