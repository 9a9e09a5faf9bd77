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
import { chromium, type Page } from 'playwright-core';
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
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    // A few verdicts so the picture shows the states: confirmed, unjudged, current, and misses.
    await page.keyboard.press('c');
    await page.keyboard.press('c');
    await page.keyboard.press('c');
    await page.waitForTimeout(300);
    // Mark names the rules missed, if this note has them: select each and press 1 (NAME).
    for (const needle of (process.env.SHOT_MISSES ?? 'Denise Albright,Gary Albright').split(',')) await markMiss(page, needle);
    await page.screenshot({ path: join(root, 'docs/review-screenshot.png') });
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function markMiss(page: Page, needle: string): Promise<void> {
  const selected = await page.evaluate((needle) => {
    const root = document.getElementById('original')!;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const i = (node as Text).data.indexOf(needle);
      if (i < 0) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + needle.length);
      window.getSelection()!.removeAllRanges();
      window.getSelection()!.addRange(range);
      return true;
    }
    return false;
  }, needle);
  if (selected) await page.keyboard.press('1');
  await page.waitForTimeout(300);
}
