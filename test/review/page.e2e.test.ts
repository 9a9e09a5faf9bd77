import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { startReviewServer, type ReviewServer } from '../../src/review/server.js';
import { loadReviewSet, writeReviewSet } from '../../src/review/store.js';
import type { ReviewItem } from '../../src/review/types.js';
import { fakeIO } from '../cli/fakeIO.js';
import { CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM } from './browser.js';
import { writeRun } from './fixtures.js';

// Invented notes. The second one is hostile: markup that would run if the page ever parsed note text as HTML.
const VISIT = 'Visit note for Hollis Varga, seen 06/07/2023 by Dr. Pell.\nFollow-up call 555-310-4421 in two weeks.\n';
const HOSTILE =
  'Pt note <script>window.__xss = 1; alert("script")</script> and ' +
  '<img src=x onerror="window.__xss = 2; alert(\'img\')"> from Mr Quon <b>bold</b>.\n';

if (!HAVE_CHROMIUM) {
  console.warn(`review page e2e tests skipped: ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run installs it)`);
}

describe.skipIf(!HAVE_CHROMIUM)('review page in Chromium', () => {
  let dir: string;
  let setDir: string;
  let server: ReviewServer;
  let browser: Browser;
  let items: readonly ReviewItem[];
  const dialogs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phi-review-e2e-'));
    const { run: runDir } = writeRun(dir, [
      {
        name: 'visit.txt',
        text: VISIT,
        spans: [
          { find: 'Hollis Varga', label: 'NAME', source: 'ner/phi-ner', score: 0.97 },
          { find: '06/07/2023', label: 'DATE', source: 'rules/date' },
          { find: '555-310-4421', label: 'CONTACT', source: 'rules/phone' },
        ],
      },
      { name: 'hostile.txt', text: HOSTILE, spans: [{ find: 'Quon', label: 'NAME' }, { find: '<img src=x', label: 'OTHER' }] },
      { name: 'plain.txt', text: 'No identifiers here.\n', spans: [] },
    ]);
    setDir = join(dir, 'set');
    await writeReviewSet({ run: runDir, out: setDir, n: 3, seed: 5, stratify: 'none' });
    items = (await loadReviewSet(setDir)).items;
    server = await startReviewServer({ setDir, reviewer: 'e2e' });
    const { chromium } = await import('playwright-core');
    // One launch for the whole file; launch() gives it a fresh temporary user-data-dir.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const indexOf = (id: string): number => items.findIndex((i) => i.id === id);

  async function open(note?: string, url = server.url): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    page.on('dialog', (d) => {
      dialogs.push(d.type());
      void d.dismiss();
    });
    await page.goto(note === undefined ? url : `${url}#note=${indexOf(note)}`);
    await page.waitForSelector('body[data-ready="true"]');
    return page;
  }

  /** Runs `act` and waits until the page has had `count` verdicts accepted by the server. */
  async function saved(page: Page, act: () => Promise<void>, count = 1): Promise<void> {
    const statuses: number[] = [];
    const all = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw ${statuses.length} of ${count} verdict responses`)), 10_000);
      const onResponse = (r: import('playwright-core').Response): void => {
        if (!r.url().endsWith('/api/verdict') || r.request().method() !== 'POST') return;
        statuses.push(r.status());
        if (statuses.length === count) {
          clearTimeout(timer);
          page.off('response', onResponse);
          resolve();
        }
      };
      page.on('response', onResponse);
    });
    await act();
    await all;
    expect(statuses).toEqual(Array.from({ length: count }, () => 200));
  }

  /** Selects `needle` in the original with a real mouse drag. */
  async function dragSelect(page: Page, needle: string): Promise<void> {
    const box = await page.evaluate((text) => {
      const root = document.getElementById('original')!;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const i = (node as Text).data.indexOf(text);
        if (i < 0) continue;
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + text.length);
        const rects = range.getClientRects();
        const a = rects[0]!;
        const b = rects[rects.length - 1]!;
        return { x1: a.left, y1: a.top + a.height / 2, x2: b.right, y2: b.top + b.height / 2 };
      }
      return null;
    }, needle);
    expect(box, `"${needle}" on the page`).not.toBeNull();
    await page.mouse.move(box!.x1 + 1, box!.y1);
    await page.mouse.down();
    await page.mouse.move(box!.x2 - 1, box!.y2, { steps: 6 });
    await page.mouse.up();
    expect(await page.evaluate(() => window.getSelection()!.toString())).toBe(needle);
  }

  it('rejects a span, marks a miss by selection, keeps both across a reload, and the report counts them', async () => {
    const page = await open('visit.txt');
    expect(await page.locator('#original .seg.hl.first').count()).toBe(3);
    expect(await page.textContent('#original')).toBe(VISIT);
    expect(await page.locator('#original .seg.hl.first').first().getAttribute('data-badge')).toBe('NAME');

    // Reject the date (a false alarm in this story): click it, press x.
    await page.click('#original .seg[data-span="1"]');
    await saved(page, () => page.keyboard.press('x'));
    // The page re-renders once it has read the response body, a moment after the response event.
    await page.waitForSelector('#original .seg[data-span="1"].v-reject', { timeout: 5_000 });

    // The detectors missed "Pell": select it and press 1 (NAME).
    await dragSelect(page, 'Pell');
    await saved(page, () => page.keyboard.press('1'));
    await page.waitForSelector('#original .seg.miss', { timeout: 5_000 });
    expect(await page.locator('#original .seg.miss').textContent()).toBe('Pell');

    // A comment, typed into the box (keys there must not trigger shortcuts) and saved.
    await page.locator('#comment').pressSequentially('check the callback number, next');
    await saved(page, () => page.click('#btn-comment'));

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.inputValue('#comment')).toBe('check the callback number, next');
    expect(await page.textContent('#note-id')).toContain('visit.txt');
    expect(await page.getAttribute('#original .seg[data-span="1"]', 'class')).toContain('v-reject');
    expect(await page.getAttribute('#original .seg[data-span="1"]', 'data-badge')).toBe('DATE ✗');
    expect(await page.locator('#original .seg.miss').textContent()).toBe('Pell');
    expect(await page.getAttribute('#original .seg.miss', 'data-badge')).toBe('MISS NAME');
    // The miss is shown where it leaks in the redacted text too.
    expect(await page.locator('#redacted .seg.leak').textContent()).toBe('Pell');
    expect(await page.textContent('#progress')).toContain('0 of 3 notes reviewed · this note: 1/3 spans judged, 1 missed');

    // Confirm the rest (a), then done and next (n).
    await saved(page, () => page.keyboard.press('a'), 2);
    await saved(page, () => page.keyboard.press('n'));
    await page.waitForFunction(() => document.getElementById('progress')!.textContent!.startsWith('1 of 3 notes reviewed'));

    const log = readFileSync(join(setDir, 'verdicts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const miss = log.find((e) => e.kind === 'miss');
    expect([miss.start, miss.end, miss.label]).toEqual([VISIT.indexOf('Pell'), VISIT.indexOf('Pell') + 4, 'NAME']);

    const f = fakeIO({ cwd: dir });
    expect((await run(['review', 'report', setDir, '--json'], f.io)).exitCode).toBe(0);
    const report = JSON.parse(f.stdout());
    expect(report.set.reviewedNotes).toBe(1);
    expect(report.counts).toEqual({ confirmed: 2, relabelled: 0, rejected: 1, unjudged: 0, missed: 1, residualTokens: 1 });
    expect([report.precision.successes, report.precision.trials]).toEqual([2, 3]);
    expect([report.recall.successes, report.recall.trials]).toEqual([2, 3]);
    expect(report.perLabel.find((r: { label: string }) => r.label === 'NAME')).toMatchObject({ confirmed: 1, missed: 1 });

    // A fresh visit without #note resumes at the first note not yet done.
    const resumed = await open();
    const firstOpen = items.findIndex((i) => i.id !== 'visit.txt');
    expect(await resumed.textContent('#note-id')).toBe(`${firstOpen + 1} / 3 · ${items[firstOpen]!.id}`);
    await resumed.close();
    await page.close();
    expect(dialogs).toEqual([]);
  });

  it('renders hostile note text as text: no script runs, no element is injected', async () => {
    const page = await open('hostile.txt');
    const redacted = items.find((i) => i.id === 'hostile.txt')!.redacted;
    expect(await page.textContent('#original')).toBe(HOSTILE);
    expect(await page.textContent('#redacted')).toBe(redacted);
    // Walk the spans so both panes re-render with the hostile text highlighted.
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.waitForTimeout(200);
    const dom = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: number }).__xss ?? null,
      imgs: document.querySelectorAll('img').length,
      scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
      injected: document.querySelectorAll('#original *:not(span.seg), #redacted *:not(span.seg)').length,
      bold: document.querySelectorAll('b').length,
    }));
    expect(dom).toEqual({ xss: null, imgs: 0, scripts: [expect.stringMatching(/^\/app\.js\?token=/)], injected: 0, bold: 0 });
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('two reviewers on one server disagree; each sees it once done; the adjudicator decides; gold follows', async () => {
    const teamDir = join(dir, 'team');
    const note = 'Clinic visit: Wren Talbot, 11/12/2022, with her brother Ivo.\n';
    const { run: runDir } = writeRun(teamDir, [
      { name: 'team.txt', text: note, spans: [{ find: 'Wren Talbot', label: 'NAME' }, { find: '11/12/2022', label: 'DATE' }] },
    ]);
    const teamSet = join(teamDir, 'set');
    await writeReviewSet({ run: runDir, out: teamSet, n: 1, seed: 1, stratify: 'none' });
    const team = await startReviewServer({ setDir: teamSet, reviewer: 'lead' });
    try {
      // Alice: confirms both spans and marks "Ivo" as a missed name.
      const alice = await open(undefined, `${team.url}&reviewer=alice`);
      expect(await alice.textContent('#who')).toBe('reviewing as alice');
      await saved(alice, () => alice.keyboard.press('a'), 2);
      await dragSelect(alice, 'Ivo');
      await saved(alice, () => alice.keyboard.press('1'));
      await saved(alice, () => alice.keyboard.press('n'));
      expect(await alice.isHidden('#disagreements')).toBe(true); // nobody else has finished yet

      // Bob: confirms the name, rejects the date, marks nothing; sees nothing of Alice's until done.
      const bob = await open(undefined, `${team.url}&reviewer=bob`);
      expect(await bob.textContent('#progress')).toContain('0 of 1 notes reviewed');
      expect(await bob.locator('#original .seg.miss').count()).toBe(0);
      await saved(bob, () => bob.keyboard.press('c'));
      await saved(bob, () => bob.keyboard.press('x'));
      expect(await bob.isHidden('#disagreements')).toBe(true);
      await saved(bob, () => bob.keyboard.press('n'));
      await bob.waitForSelector('#disagreements:not([hidden])');
      expect(await bob.locator('#disagreement-list li.open').allTextContents()).toEqual([
        `span 2 DATE [${note.indexOf('11/12/2022')}, ${note.indexOf('11/12/2022') + 10}): alice confirm · bob reject (open)`,
        `miss NAME [${note.indexOf('Ivo')}, ${note.indexOf('Ivo') + 3}): marked by alice NAME; not by bob (open)`,
      ]);
      expect(await bob.getAttribute('#original .seg[data-span="1"]', 'class')).toContain('disputed');
      await alice.reload();
      await alice.waitForSelector('#disagreements:not([hidden])');
      expect(await alice.locator('#disagreement-list li').count()).toBe(2);
      await alice.close();
      await bob.close();

      const f = fakeIO({ cwd: dir });
      expect((await run(['review', 'report', teamSet], f.io)).exitCode).toBe(0);
      expect(f.stdout()).toContain('Disagreements: 2 (2 open');
      const strict = fakeIO({ cwd: dir });
      expect((await run(['review', 'export-gold', teamSet, '--require-adjudication'], strict.io)).exitCode).toBe(2);
      expect(strict.stderr()).toContain('E153 1 note(s) hold disagreements');
    } finally {
      await team.close();
    }

    // The adjudicator: starts at the disputed note, rejects the date, keeps Alice's miss.
    const adjudicator = await startReviewServer({ setDir: teamSet, reviewer: 'carol', adjudicate: true });
    try {
      const carol = await open(undefined, adjudicator.url);
      expect(await carol.textContent('#who')).toBe('adjudicating as carol');
      expect(await carol.locator('#disagreement-list li').count()).toBe(2);
      expect(await carol.getAttribute('#original .seg.proposed', 'data-badge')).toBe('PROPOSED NAME');
      await carol.click('#original .seg[data-span="1"]');
      await saved(carol, () => carol.keyboard.press('x'));
      await carol.click('#original .seg.proposed');
      await saved(carol, () => carol.keyboard.press('c'));
      await carol.waitForSelector('#original .seg.miss');
      expect(await carol.locator('#original .seg.proposed').count()).toBe(0);
      await saved(carol, () => carol.keyboard.press('n')); // only the disputed span was owed
      await carol.waitForFunction(() => document.querySelectorAll('#disagreement-list li.resolved').length === 2);
      await carol.close();
    } finally {
      await adjudicator.close();
    }
    const gold = fakeIO({ cwd: dir });
    expect((await run(['review', 'export-gold', teamSet, '--require-adjudication'], gold.io)).exitCode).toBe(0);
    const [line] = gold.stdout().trim().split('\n').map((l) => JSON.parse(l));
    expect(line.spans.map((s: { text: string; label: string }) => `${s.label} ${s.text}`)).toEqual(['NAME Wren Talbot', 'NAME Ivo']);
    expect(dialogs).toEqual([]);
  });
});
