/**
 * Takes docs/review-screenshot.png: redacts our own synthetic notes in corpora/sample (never
 * gold notes), samples them into a review set, records a few verdicts and photographs the
 * page in Debian's Chromium. Run after `npm run build`:
 *   npx tsx test/review/screenshot.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startReviewServer } from '../../src/review/server.js';
import { writeReviewSet } from '../../src/review/store.js';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';

const root = resolve(import.meta.dirname, '../..');
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
const work = mkdtempSync(join(tmpdir(), 'phi-review-shot-'));
try {
  execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), 'redact', join(root, 'corpora/sample'), '--out', join(work, 'run'), '--detectors', 'rules', '--workers', '1', '--quiet'], {
    stdio: 'inherit',
  });
  await writeReviewSet({ run: join(work, 'run'), out: join(work, 'set'), n: 6, seed: 7, stratify: 'none' });
  const server = await startReviewServer({ setDir: join(work, 'set'), reviewer: 'demo' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 820 } });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    // A few verdicts so the picture shows every state: confirmed, rejected, current, and a miss.
    await page.keyboard.press('c');
    await page.keyboard.press('c');
    await page.keyboard.press('x');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(root, 'docs/review-screenshot.png') });
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
