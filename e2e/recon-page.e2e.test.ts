/**
 * Issue 15's recon page in Chromium through `recon serve`: a generated
 * two-day series run into the workspace, the recon reached from the
 * navigation and from the runs list, both runs in its table with their
 * lifecycle counts, the trend chart with a point per run, and the breaks open
 * now in the latest run's grid.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../engine/definition/load.ts';
import { generateSeries } from '../engine/generate/series.ts';
import { registerRunFromSummaryFile } from '../engine/host/testing/register-run.ts';
import { runRecon, type RunSummary } from '../engine/run/run-recon.ts';
import { waitForCount } from './flows.ts';
import { openWorkstation, type Workstation } from './harness.ts';
import { openSection } from './review-flows.ts';

const NAME = 'Daily trades (e2e)';
let dir: string;
let ws: Workstation;
let page: Page;
const runs: RunSummary[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-series-'));
  const series = await generateSeries({ rows: 1500, days: 2, outDir: join(dir, 'data'), seed: 5, breakRate: 0.04 });
  const definition = { ...(await loadDefinitionFile(series.definitionPath)), name: NAME };
  const workspace = join(dir, 'workspace');
  for (const day of series.days) {
    const summary = await runRecon({ aPath: day.aPath, bPath: day.bPath, definition, workspace, asOf: day.asOf });
    await registerRunFromSummaryFile(workspace, summary.runId);
    runs.push(summary);
  }
  ws = await openWorkstation(workspace);
  page = ws.page;
}, 180_000);

afterAll(async () => {
  await ws?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const runRow = (runId: string) => page.getByRole('table', { name: 'Runs of the recon' }).locator('tbody tr', { hasText: runId });

describe('the recon page (issue 15)', () => {
  it('lists the recon under Recons with its runs and the breaks open in its latest run', async () => {
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await openSection(page, 'Recons');
    const row = page.locator('.recons-table tbody tr', { hasText: NAME });
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('2');
    expect(await row.locator('td').nth(3).textContent()).toBe(runs[1]!.lifecycle.asOf);
    expect(await row.locator('td').nth(4).textContent()).toBe(runs[1]!.breaks.total.toLocaleString('en-US'));
  });

  it('shows both runs in as-of order with their lifecycle counts, and a trend chart with a point per run', async () => {
    await page.getByRole('button', { name: NAME }).click();
    await page.getByRole('heading', { name: NAME }).waitFor();
    for (const r of runs) await runRow(r.runId).waitFor();
    const cells = async (runId: string): Promise<string[]> => runRow(runId).locator('td').allTextContents();
    const [first, second] = [await cells(runs[0]!.runId), await cells(runs[1]!.runId)];
    const n = (x: number): string => x.toLocaleString('en-US');
    // As of, run, status, open, decided, new, carried, changed, resolved, overdue, unknown rate.
    expect(first.slice(0, 9)).toEqual([runs[0]!.lifecycle.asOf, runs[0]!.runId, 'COMPLETED', n(runs[0]!.breaks.total), '0', n(runs[0]!.breaks.total), '0', '0', '0']);
    const l = runs[1]!.lifecycle;
    expect(second.slice(0, 9)).toEqual([l.asOf, runs[1]!.runId, 'COMPLETED', n(runs[1]!.breaks.total), '0', n(l.new), n(l.carried), n(l.changed), n(l.resolved)]);
    expect(l.carried + l.resolved).toBeGreaterThan(0);
    // Newest first in the table.
    expect(await page.getByRole('table', { name: 'Runs of the recon' }).locator('tbody tr').first().textContent()).toContain(runs[1]!.runId);

    const chart = page.getByTestId('trend-chart');
    await chart.waitFor();
    expect(await chart.getAttribute('data-points')).toBe('2');
    for (const line of ['open', 'new', 'resolved', 'overdue', 'unknownRate']) expect(await chart.locator(`g[data-line="${line}"] circle`).count()).toBe(2);
    expect(await chart.locator('svg').getAttribute('aria-label')).toContain('Open, New, Resolved, Overdue, Unknown rate');
    expect(await chart.locator('g[data-line="open"] circle title').last().textContent()).toBe(`${l.asOf} · Open: ${n(runs[1]!.breaks.total)}`);
  });

  it("opens the breaks open now: the latest run's grid, with their age", async () => {
    await page.getByRole('button', { name: 'Open breaks' }).click();
    await waitForCount(page, runs[1]!.breaks.total);
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: NAME }).waitFor();
  });

  it('is reached from the runs list too, and opens a run from its table', async () => {
    await openSection(page, 'Runs');
    await page.locator('.runs-table tr', { hasText: runs[0]!.runId }).getByRole('button', { name: `Recon page of ${NAME}` }).click();
    await page.getByRole('heading', { name: NAME }).waitFor();
    await runRow(runs[0]!.runId).getByRole('button', { name: runs[0]!.runId }).click();
    await page.getByRole('table', { name: 'Integrity checks' }).waitFor();
    expect(ws.errors).toEqual([]);
  });
});
