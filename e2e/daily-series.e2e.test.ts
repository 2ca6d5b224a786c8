/**
 * A daily recon in a browser (break memory): alice runs day 1 of a generated
 * series from the New-run screen, accepts a break that day 2 will still have
 * with the same values, then runs day 2 from the saved definition. Day 2's
 * grid shows that break ACCEPTED and CARRIED, its history says where the
 * decision came from, and "New today" shows only breaks that are new.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeries, type SeriesDay } from '../engine/generate/series.ts';
import { fillNewRun, gridCell, runAndWait, settledCount, startFromSaved, waitForCount } from './flows.ts';
import { buildRenderer, collectPageErrors, launchChromium, serve, type Served } from './harness.ts';
import { openSection, setUpUsers } from './review-flows.ts';

const NAME = 'Daily trades e2e';
let dir: string;
let days: SeriesDay[];
let served: Served;
let browser: Browser;
let page: Page;
let errors: string[] = [];
/** Day-1 breaks that day 2 carries (key and field), from the generator's truth. */
let carried: { key: string; field: string }[];
let accepted: { key: string; field: string };

async function openBreaks(expectLinked = false): Promise<void> {
  await page.getByRole('button', { name: 'Open run' }).click();
  // The run overview says whether the run is linked to the previous run of its series.
  await page.getByTestId('ageing').getByText(expectLinked ? 'against the previous run' : 'the first run of its series').waitFor();
  await page.keyboard.press('b');
  await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').waitFor();
}

async function filterKey(key: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Key Filter Input' }).fill(key);
  await expect.poll(async () => (await page.locator('.ag-row .ag-cell[col-id="key"]').allTextContents()).every((k) => k.trim() === key), { timeout: 10_000 }).toBe(true);
}

beforeAll(async () => {
  buildRenderer();
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-series-'));
  days = (await generateSeries({ rows: 3000, days: 2, outDir: join(dir, 'data'), seed: 31 })).days;
  const truth = (await readFile(join(days[1]!.dir, 'lifecycle.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  carried = truth.filter((c) => c[4] === 'CARRIED' && c[1] !== '*').map((c) => ({ key: c[0]!, field: c[1]! }));
  served = await serve(join(dir, 'workspace'), { RECON_USER: 'alice', RECON_USER_NAME: 'Alice Analyst' });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  errors = collectPageErrors(page);
  await page.goto(served.url);
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
  await setUpUsers(page, 'alice', ['analyst'], []);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a daily recon in the workstation', () => {
  it('runs day 1 and accepts a break that day 2 carries', async () => {
    await openSection(page, 'Runs');
    await fillNewRun(page, { aPath: days[0]!.aPath, bPath: days[0]!.bPath, name: NAME, tolerances: { Price: { abs: '0.00001' }, Notional: { abs: '0.005', rel: '0.0001' } } });
    await runAndWait(page);
    await openBreaks();
    // The first carried break the model attributed (AUTO): accept it with "a".
    for (const c of carried) {
      await filterKey(c.key);
      const rows = await page.locator('.ag-row .ag-cell[col-id="field"]').allTextContents();
      const i = rows.findIndex((f) => f.trim() === c.field);
      if (i < 0 || (await gridCell(page, i, 'status')) !== 'AUTO') continue;
      await page.locator(`.ag-row[row-index="${i}"] .ag-cell[col-id="key"]`).click();
      await page.keyboard.press('a');
      await page.locator('.grid-flash', { hasText: 'accepted as' }).waitFor();
      accepted = c;
      break;
    }
    expect(accepted).toBeDefined();
  });

  it('runs day 2 from the saved definition: the accepted break is CARRIED and still ACCEPTED, with where its decision came from', async () => {
    await openSection(page, 'Runs');
    await startFromSaved(page, NAME);
    for (const [side, path] of [
      ['a', days[1]!.aPath],
      ['b', days[1]!.bPath],
    ] as const) {
      await page.locator(`#source-${side}-path`).fill(path);
      await page.locator(`#source-${side}-path`).press('Enter');
    }
    await page.getByRole('table', { name: 'Preview of source B' }).waitFor();
    await runAndWait(page);
    await openBreaks(true);
    await filterKey(accepted.key);
    const fields = await page.locator('.ag-row .ag-cell[col-id="field"]').allTextContents();
    const i = fields.findIndex((f) => f.trim() === accepted.field);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(await gridCell(page, i, 'status')).toBe('ACCEPTED');
    expect(await gridCell(page, i, 'lifecycle')).toBe('CARRIED');
    await page.locator(`.ag-row[row-index="${i}"] .ag-cell[col-id="key"]`).click();
    await page.keyboard.press('Enter');
    await page.getByLabel('Carried').getByText('Decision carried from run').waitFor();
    await page.getByLabel('History').getByText('accept').first().waitFor();
  });

  it('flags what is new today: the quick filter shows new breaks only', async () => {
    await page.keyboard.press('Escape');
    await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').waitFor();
    await page.getByRole('textbox', { name: 'Key Filter Input' }).fill('');
    // The key filter is debounced: wait for the whole run's breaks to be back.
    await expect.poll(() => settledCount(page), { timeout: 10_000 }).toBeGreaterThan(20);
    const all = await settledCount(page);
    await page.getByRole('group', { name: 'Quick filters' }).getByRole('button', { name: 'New today' }).click();
    const fresh = await settledCount(page);
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).toBeLessThan(all);
    const labels = await page.locator('.ag-row .ag-cell[col-id="lifecycle"]').allTextContents();
    expect(new Set(labels.map((l) => l.trim()))).toEqual(new Set(['NEW']));
    await page.getByRole('group', { name: 'Quick filters' }).getByRole('button', { name: 'New today' }).click();
    await waitForCount(page, all);
    expect(errors).toEqual([]);
  });
});
