/**
 * Regenerates docs/screenshots/*.png: the main screens in Debian's Chromium
 * against `recon serve`, on generated data run through the real New-run flow,
 * reviewed by alice (admin, analyst) and approved by bob in his own process.
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
import { clearFacet, fillNewRun, pickFacet, runAndWait, settledCount, waitForCount } from '../e2e/flows.ts';
import { buildRenderer, collectPageErrors, launchChromium, ROOT, serve, type Served } from '../e2e/harness.ts';
import { openSection, overrideBreak, setUpUsers } from '../e2e/review-flows.ts';
import { generateExtracts } from '../engine/generate/generate-extracts.ts';
import { registerRunFromSummaryFile } from '../engine/host/testing/register-run.ts';

const { values } = parseArgs({ options: { 'no-build': { type: 'boolean', default: false }, out: { type: 'string', default: join(ROOT, 'docs/screenshots') } } });
const outDir = values.out;

const VIEWPORT = { width: 1440, height: 900 };

/** A PNG of the window; `whole` grows the window to the screen's full height first (the app scrolls inside .shell-main). */
async function shot(page: Page, name: string, whole = false): Promise<void> {
  // Let late panels (counts, history) render before measuring.
  await page.waitForTimeout(300);
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
  await registerRunFromSummaryFile(workspace, '20260101-000000-synthetic');
  const served = await serve(workspace, { RECON_USER: 'alice', RECON_USER_NAME: 'Alice Analyst' });
  let asBob: Served | undefined;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = collectPageErrors(page);
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await setUpUsers(page, 'alice', ['analyst'], [
      { userId: 'bob', roles: ['approver'] },
      { userId: 'carol', roles: ['analyst', 'approver'] },
    ]);
    await page.getByLabel('Bulk-proposal threshold').fill('10');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('more than 10 breaks').waitFor();
    await page.getByLabel('New reason code').fill('BOOKING_ERROR');
    await page.getByLabel('New reason category').selectOption('ACTION');
    await page.getByLabel('New reason description').fill('Booked to the wrong trade or account: needs a correcting entry');
    await page.getByRole('button', { name: 'Add code' }).click();
    await page.getByRole('table', { name: 'Reason codes' }).getByText('BOOKING_ERROR').waitFor();
    await openSection(page, 'Runs');

    await fillNewRun(page, {
      aPath: gen.aPath,
      bPath: gen.bPath,
      name: 'Trades vs custodian',
      tolerances: { Price: { abs: '0.00001' }, Notional: { abs: '0.005', rel: '0.0001' } },
    });
    await shot(page, 'new-run', true);
    const runId = await runAndWait(page);
    await shot(page, 'new-run-completed');

    // A morning's review: accept a few AUTO breaks from the keyboard.
    await page.getByRole('button', { name: 'Open run' }).click();
    await page.keyboard.press('b');
    await pickFacet(page, 'Status', 'AUTO');
    let auto = await settledCount(page);
    await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').click();
    for (let i = 0; i < 4; i++) {
      // Each accepted break leaves the AUTO view.
      await page.keyboard.press('a');
      await waitForCount(page, --auto);
    }
    await clearFacet(page, 'Status');
    await settledCount(page);
    await page.locator('.ag-row[row-index="2"] .ag-cell[col-id="key"]').click();
    await shot(page, 'breaks-grid');

    await pickFacet(page, 'Field', 'Notional');
    await page.locator('.ag-header-cell[col-id="delta"] .ag-header-cell-label').click();
    await page.locator('.ag-header-cell[col-id="delta"] .ag-header-cell-label').click();
    await page.waitForTimeout(300);
    await page.locator('.ag-row[row-index="1"] .ag-cell[col-id="key"]').click();
    await shot(page, 'breaks-grid-filtered');

    // Override one break (a proposal), and propose a bulk accept of its similar breaks.
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Records A and B side by side' }).waitFor();
    await overrideBreak(page, 'BOOKING_ERROR', 'Booked against the wrong account; ops ticket OPS-1432 raises the correcting entry');
    await page.locator('.bulk-count strong').waitFor();
    await shot(page, 'break-detail', true);
    // The same pattern elsewhere: one bulk accept, over the threshold, so a proposal too.
    const bulk = page.getByLabel('Apply to similar breaks');
    await bulk.getByRole('button', { name: /^Accept all [1-9]/ }).click();
    await bulk.getByLabel('Comment').fill('Same pattern across the book: custodian statement checked');
    await bulk.getByRole('button', { name: /^Accept \d/ }).click();
    await bulk.locator('.notice.ok').waitFor();

    // Bob, in his own process on the same workspace, sees both in his queue.
    asBob = await serve(workspace, { RECON_USER: 'bob', RECON_USER_NAME: 'Bob Approver' });
    const bobPage = await browser.newPage({ viewport: VIEWPORT });
    const bobErrors = collectPageErrors(bobPage);
    await bobPage.goto(asBob.url);
    await openSection(bobPage, 'Approvals');
    await bobPage.getByRole('article', { name: 'Proposal by alice' }).first().waitFor();
    await bobPage.getByRole('article').first().getByRole('button', { name: 'Approve…' }).click();
    await bobPage.getByRole('article').first().getByLabel('Comment').fill('Checked against the custodian statement');
    await shot(bobPage, 'approvals', true);
    await bobPage.getByRole('article').first().getByRole('button', { name: /^Approve/ }).click();
    await bobPage.locator('.notice.ok', { hasText: 'Approved' }).waitFor();
    errors.push(...bobErrors);

    await openSection(page, 'Runs');
    await page.locator('.runs-table').waitFor();
    await shot(page, 'runs');
    await page.locator('.runs-table tr', { hasText: runId }).getByRole('button').first().click();
    await page.getByRole('table', { name: 'Integrity checks' }).waitFor();
    await shot(page, 'run-overview', true);
    // The Export menu after writing the detailed workbook.
    await page.getByRole('button', { name: 'Export ▾' }).click();
    await page.getByRole('dialog', { name: 'Export' }).getByLabel('Export format').selectOption({ label: 'Detailed workbook (XLSX)' });
    await page.getByRole('dialog', { name: 'Export' }).getByRole('button', { name: 'Export' }).click();
    await page.getByRole('dialog', { name: 'Export' }).getByRole('status').waitFor({ timeout: 60_000 });
    await shot(page, 'run-export');
    await page.getByRole('button', { name: 'Export ▾' }).click();

    await openSection(page, 'Audit trail');
    await page.getByLabel('Chain verification').getByText('VERIFIED').waitFor();
    await page.locator('.audit-table tbody tr').nth(1).click();
    await shot(page, 'audit');

    await openSection(page, 'Settings');
    await page.getByRole('button', { name: /^Retrain/ }).click();
    await page.getByRole('progressbar', { name: 'Retraining' }).waitFor();
    await page.waitForTimeout(1500);
    await shot(page, 'settings', true);

    // The synthetic million-break run, with attributions.
    await openSection(page, 'Runs');
    await page.locator('.runs-table tr', { hasText: 'synthetic' }).getByRole('button').first().click();
    await page.keyboard.press('b');
    await waitForCount(page, 1_000_000);
    await pickFacet(page, 'Status', 'REVIEW');
    // Building the view of 900,000 rows takes a moment: wait for its count and first row.
    await page.locator('.grid-count', { hasText: /^[\d,]+ of 1,000,000/ }).waitFor({ timeout: 60_000 });
    await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').first().waitFor();
    await shot(page, 'breaks-grid-1m');

    await page.keyboard.press('?');
    await shot(page, 'keys');
    if (errors.length > 0) throw new Error(`the page logged errors:\n${errors.join('\n')}`);
  } finally {
    await browser.close();
    await served.stop();
    await asBob?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
