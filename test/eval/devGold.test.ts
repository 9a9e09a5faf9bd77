import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readGold } from '../../src/node/goldFiles.js';

/**
 * Reads the shared dev gold (never copied into the repo) to check the reader on real data:
 * every line parses, every span's text matches its offsets. Skips when the file is absent.
 */
const DEV_GOLD = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'gold', 'physionet-deid-dev.jsonl');
const present = existsSync(DEV_GOLD);
if (!present) console.warn(`skipping dev-gold reader test: ${DEV_GOLD} not found`);

describe.skipIf(!present)('the shared dev gold reads cleanly', () => {
  it('1,166 notes with the documented label counts', async () => {
    const docs = await readGold(DEV_GOLD);
    expect(docs).toHaveLength(1166);
    const counts: Record<string, number> = {};
    for (const d of docs) for (const s of d.spans) counts[s.label] = (counts[s.label] ?? 0) + 1;
    expect(counts).toEqual({ NAME: 448, DATE: 256, LOCATION: 182, CONTACT: 34, OTHER: 1 });
    for (const d of docs) for (const s of d.spans) expect(s.end).toBeLessThanOrEqual(d.text.length);
  });
});
