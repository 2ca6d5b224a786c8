/**
 * The workstation end to end, in Debian's Chromium against `recon serve`:
 * create a run from generated files through the New-run flow, watch it
 * complete, open it, filter the grid, open a break's detail, come back.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExtracts, type GenerateResult } from '../engine/generate/generate-extracts.ts';
import { definitionSchema } from '../engine/definition/schema.ts';
import type { RunSummary } from '../engine/contract/index.ts';
import { runRecon } from '../engine/run/run-recon.ts';
import { facetPicks, fillNewRun, gridCount, pickFacet, runAndWait, waitForCount } from './flows.ts';
import { openWorkstation, type Workstation } from './harness.ts';

let dir: string;
let gen: GenerateResult;
let ws: Workstation;
let page: Page;
let errors: string[];
let runId: string;
let summary: RunSummary;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-'));
  gen = await generateExtracts({ rows: 3000, outDir: join(dir, 'data'), seed: 11 });
  ws = await openWorkstation(join(dir, 'workspace'));
  ({ page, errors } = ws);
});

afterAll(async () => {
  await ws?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the workstation in a browser', () => {
  it('connects with the token from the URL fragment, then drops it from the address bar', async () => {
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByText('No runs in this workspace yet.').waitFor();
    await page.getByRole('status').filter({ hasText: 'Browser host v' }).waitFor();
    expect(page.url()).not.toContain('token');
  });

  it('shows an engine error as code and message when a file does not exist', async () => {
    await page.getByRole('button', { name: 'New run' }).first().click();
    await page.locator('#source-a-path').fill(join(dir, 'no-such-file.csv'));
    await page.locator('#source-a-path').press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('INPUT_NOT_FOUND');
    expect(await alert.textContent()).not.toMatch(/\bat .*\.ts:\d+/);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
  });

  it('creates a run through the New-run flow and watches it complete', async () => {
    await fillNewRun(page, {
      aPath: gen.aPath,
      bPath: gen.bPath,
      name: 'Trades vs custodian (e2e)',
      tolerances: { Price: { abs: '0.00001' }, Notional: { abs: '0.005', rel: '0.0001' } },
    });
    // The suggested mapping found every B column by name.
    expect(await page.getByLabel('B column for Quantity').inputValue()).toBe('qty');
    expect(await page.getByLabel('B column for Side').inputValue()).toBe('buy_sell');
    expect(await page.getByLabel('TradeID is a key').isChecked()).toBe(true);
    runId = await runAndWait(page);
    expect(runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    summary = JSON.parse(await readFile(join(dir, 'workspace', 'runs', `${runId}.json`), 'utf8')) as RunSummary;
    expect(summary.counts.a).toBe(gen.rowsA);
    expect(summary.counts.b).toBe(gen.rowsB);
    // The definition made in the UI from suggestions finds what the generator's own definition finds.
    const reference = await runRecon({
      aPath: gen.aPath,
      bPath: gen.bPath,
      definition: definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8'))),
      workspace: join(dir, 'reference'),
    });
    expect(summary.breaks.byType).toEqual(reference.breaks.byType);
    expect(summary.breaks.byField).toEqual(reference.breaks.byField);
  });

  it('opens the run overview with counts, charts and integrity checks', async () => {
    await page.getByRole('button', { name: 'Open run' }).click();
    await page.getByRole('tab', { name: /Overview/ }).waitFor();
    await page.getByRole('table', { name: 'Integrity checks' }).waitFor();
    const tile = page.locator('.tile').filter({ has: page.locator('.tile-label', { hasText: /^Breaks$/ }) });
    expect(await tile.locator('.tile-value').textContent()).toBe(summary.breaks.total.toLocaleString('en-US'));
    expect(await page.locator('.bar-chart', { hasText: 'Breaks by type' }).locator('li').count()).toBe(Object.keys(summary.breaks.byType).length);
  });

  it('pages the breaks grid and filters it by facet and by typing', async () => {
    await page.keyboard.press('b');
    await waitForCount(page, summary.breaks.total);
    const notional = summary.breaks.byField['Notional']!;
    await pickFacet(page, 'Field', 'Notional');
    await waitForCount(page, notional);
    const fields = await page.locator('.ag-row .ag-cell[col-id="field"]').allTextContents();
    expect(fields.length).toBeGreaterThan(0);
    expect(new Set(fields)).toEqual(new Set(['Notional']));

    // '/' focuses the quick filter; typing one key narrows to that key's breaks.
    const key = (await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').textContent())!.trim();
    await page.keyboard.press('/');
    await page.keyboard.type(key);
    await waitForCount(page, 1);
    expect(await gridCount(page)).toBe(1);
  });

  it('opens a break with Enter: both records side by side, the differing field highlighted; Esc comes back', async () => {
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Records A and B side by side' }).waitFor();
    const differing = page.locator('.records tr.differs');
    expect(await differing.count()).toBeGreaterThan(0);
    expect(await differing.first().locator('td').first().textContent()).toContain('Notional');
    await page.keyboard.press('Escape');
    await waitForCount(page, 1);
    expect(await facetPicks(page, 'Field')).toEqual(['Notional']);
  });

  it('logged no console error or CSP violation on the way', () => {
    expect(errors).toEqual([]);
  });
});
