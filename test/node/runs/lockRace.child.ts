import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockOutDir } from '../../../src/node/runs/runLock.js';

/**
 * One contender in the lock race (runLock.test.ts): says it is ready, waits for the go file,
 * tries the lock once, records "won" or "lost <code>", and a winner holds the lock (stays alive)
 * until the test has heard from every contender, so a late contender cannot fairly take it over.
 */
const [out, signals, id] = process.argv.slice(2) as [string, string, string];
const wait = async (file: string): Promise<void> => {
  while (!existsSync(file)) await new Promise((r) => setTimeout(r, 1));
};
writeFileSync(join(signals, `ready-${id}`), '');
await wait(join(signals, 'go'));
try {
  await lockOutDir(out, 'out');
  writeFileSync(join(signals, `result-${id}`), 'won');
  await wait(join(signals, 'done'));
} catch (err) {
  writeFileSync(join(signals, `result-${id}`), `lost ${(err as Error).message.slice(0, 4)}`);
}
