/**
 * Regenerates docs/screenshots/*.png: the main screens in Debian's Chromium
 * against `recon serve`, on generated data run through the real New-run flow.
 *
 *   npx tsx scripts/screenshots.ts            # builds the renderer first
 *   npx tsx scripts/screenshots.ts --no-build
 *
 * Also captures the grid on a synthetic run of 1,000,000 breaks with model
 * attributions (bench/synthetic-run.ts), labelled as such in the app.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { createSyntheticRun } from '../bench/synthetic-run.ts';
import { fillNewRun, pickFacet, runAndWait, waitForCount } from '../e2e/flows.ts';
import { buildRenderer, collectPageErrors, launchChromium, ROOT, serve } from '../e2e/harness.ts';
import { generateExtracts } from '../engine/generate/generate-extracts.ts';

const { values } = parseArgs({ options: { 'no-build': { type: 'boolean', default: false }, out: { type: 'string', default: join(ROOT, 'docs/screenshots') } } });
const outDir = values.out;

const VIEWPORT = { width: 1440, height: 900 };

/** A PNG of the window; `whole` grows the window to the screen's full height first (the app scrolls inside .shell-main). */
async function shot(page: Page, name: string, whole = false): Promise<void> {
  if (whole) {
    const extra = await page.locator('.shell-main').evaluate((el) => el.scrollHeight - el.clientHeight);
    await page.setViewportSize({ width: VIEWPORT.width, height: VIEWPORT.height + Math.max(0, extra) });
  }
  // Let transitions and the grid's last block settle.
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(outDir, `${name}.png`) });
  if (whole) await page.setViewportSize(VIEWPORT);
  process.stdout.write(`  ${name}.png\n`);
}

async function main(): Promise<void> {
  if (!values['no-build']) buildRenderer();
  await mkdir(outDir, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'recon-shots-'));
  const workspace = join(dir, 'workspace');
  const gen = await generateExtracts({ rows: 20_000, outDir: join(dir, 'data'), seed: 42 });
  await createSyntheticRun({ workspace, runId: '20260101-000000-synthetic', breaks: 1_000_000 });
  const served = await serve(workspace);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = collectPageErrors(page);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();

    await fillNewRun(page, {
      aPath: gen.aPath,
      bPath: gen.bPath,
      name: 'Trades vs custodian',
      tolerances: { Price: { abs: '0.00001' }, Notional: { abs: '0.005', rel: '0.0001' } },
    });
    await shot(page, 'new-run', true);
    const runId = await runAndWait(page);
    await shot(page, 'new-run-completed');

    await page.getByRole('navigation').getByRole('button', { name: 'Runs' }).click();
    await page.locator('.runs-table').waitFor();
    await shot(page, 'runs');

    await page.locator('.runs-table tr', { hasText: runId }).getByRole('button').click();
    await page.getByRole('table', { name: 'Integrity checks' }).waitFor();
    await shot(page, 'run-overview', true);

    await page.keyboard.press('b');
    await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').waitFor();
    await shot(page, 'breaks-grid');

    await pickFacet(page, 'Field', 'Notional');
    await page.locator('.ag-header-cell[col-id="delta"] .ag-header-cell-label').click();
    await page.locator('.ag-header-cell[col-id="delta"] .ag-header-cell-label').click();
    await page.waitForTimeout(300);
    await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').click();
    await shot(page, 'breaks-grid-filtered');

    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Records A and B side by side' }).waitFor();
    await shot(page, 'break-detail');

    // The synthetic million-break run, with attributions.
    await page.getByRole('navigation').getByRole('button', { name: 'Runs' }).click();
    await page.locator('.runs-table tr', { hasText: 'synthetic' }).getByRole('button').click();
    await page.keyboard.press('b');
    await waitForCount(page, 1_000_000);
    await page.getByLabel('Status facet').selectOption('REVIEW');
    await page.waitForTimeout(500);
    await shot(page, 'breaks-grid-1m');

    await page.keyboard.press('?');
    await shot(page, 'keys');
    if (errors.length > 0) throw new Error(`the page logged errors:\n${errors.join('\n')}`);
  } finally {
    await browser.close();
    await served.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
