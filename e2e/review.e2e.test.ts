/**
 * Review and governance end to end, in Debian's Chromium against two
 * `recon serve` processes on one workspace: alice (the first user: admin,
 * analyst) and bob (approver). Alice runs a recon, filters the grid, accepts
 * a break from the keyboard, overrides another, fails to approve her own
 * proposal; bob approves it; alice sees the status change, verifies the
 * audit trail and exports it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExtracts, type GenerateResult } from '../engine/generate/generate-extracts.ts';
import { facetCount, fillNewRun, pickFacet, runAndWait, settledCount, waitForCount } from './flows.ts';
import { buildRenderer, collectPageErrors, launchChromium, serve, type Served } from './harness.ts';
import { approveProposalBy, openSection, overrideBreak, setUpUsers } from './review-flows.ts';

let dir: string;
let workspace: string;
let gen: GenerateResult;
let asAlice: Served;
let asBob: Served | undefined;
let browser: Browser;
let alice: Page;
let bob: Page;
let errors: string[][] = [];
let overridden: { key: string; breakId: string };

beforeAll(async () => {
  buildRenderer();
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-review-'));
  workspace = join(dir, 'workspace');
  gen = await generateExtracts({ rows: 3000, outDir: join(dir, 'data'), seed: 12 });
  asAlice = await serve(workspace, { RECON_USER: 'alice', RECON_USER_NAME: 'Alice Analyst' });
  browser = await launchChromium();
  alice = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true })).newPage();
  errors = [collectPageErrors(alice)];
  await alice.goto(asAlice.url);
  await alice.getByRole('heading', { name: 'Runs' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await asAlice?.stop();
  await asBob?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('review and the 4-eye check in a browser', () => {
  it('makes alice, the first user, admin; she takes the analyst role and adds bob as approver', async () => {
    await setUpUsers(alice, 'alice', ['analyst'], [{ userId: 'bob', roles: ['approver'] }]);
    await alice.getByLabel('Current user').filter({ hasText: 'alice · admin, analyst' }).waitFor();
    expect(await alice.locator('input[aria-label="bob approver"]').isChecked()).toBe(true);
    expect(await alice.locator('input[aria-label="bob analyst"]').isChecked()).toBe(false);
  });

  it('runs a recon from generated files and filters the grid', async () => {
    await openSection(alice, 'Runs');
    await fillNewRun(alice, { aPath: gen.aPath, bPath: gen.bPath, name: 'Trades vs custodian (review e2e)', tolerances: { Price: { abs: '0.00001' }, Notional: { abs: '0.005', rel: '0.0001' } } });
    await runAndWait(alice);
    await alice.getByRole('button', { name: 'Open run' }).click();
    await alice.keyboard.press('b');
    await alice.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').waitFor();
    const total = await settledCount(alice);
    await pickFacet(alice, 'Diff type', 'MISMATCH');
    expect(await settledCount(alice)).toBeLessThan(total);
    const types = await alice.locator('.ag-row .ag-cell[col-id="diffType"]').allTextContents();
    expect(new Set(types)).toEqual(new Set(['MISMATCH']));
  });

  it('accepts the selected break with "a": its status shows ACCEPTED and the Status facet counts it', async () => {
    await pickFacet(alice, 'Status', 'AUTO');
    const n = await settledCount(alice);
    await alice.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').click();
    await alice.keyboard.press('a');
    await alice.locator('.grid-flash', { hasText: 'accepted as' }).waitFor();
    // The AUTO view no longer holds it.
    await waitForCount(alice, n - 1);
    await expect.poll(() => facetCount(alice, 'Status', 'ACCEPTED')).toBe(1);
  });

  it('opens a break and overrides it (o): a proposal, PROPOSED, in its history', async () => {
    await alice.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').click();
    await alice.keyboard.press('Enter');
    await alice.getByRole('table', { name: 'Records A and B side by side' }).waitFor();
    overridden = { key: (await alice.locator('#break-title .mono').first().textContent())!, breakId: (await alice.locator('#break-title').textContent())!.match(/#(\d+)/)![1]! };
    const suggested = (await alice.locator('.review-panel .mono').first().textContent())!.trim();
    await overrideBreak(alice, suggested === 'FX_DIFF' ? 'TIMING_DIFF' : 'FX_DIFF', 'Custodian books this trade in EUR; ours in USD');
    await alice.locator('.review-panel .pill', { hasText: 'PROPOSED' }).waitFor();
    await alice.getByLabel('History').getByText('PROPOSED').waitFor();
  });

  it('offers alice, the maker, Withdraw on her own proposal, never Approve or Reject (the engine refuses her anyway: four-eye.test.ts)', async () => {
    const review = alice.getByLabel('Review');
    await review.getByRole('button', { name: 'Withdraw' }).waitFor();
    expect(await review.getByRole('button', { name: /^(Approve|Reject proposal)/ }).count()).toBe(0);
    expect(await review.textContent()).toContain('a different person with the approver role must approve it');
  });

  it('lets bob, in his own process on the same workspace, approve it from his queue with the evidence', async () => {
    asBob = await serve(workspace, { RECON_USER: 'bob' });
    bob = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    errors.push(collectPageErrors(bob));
    await bob.goto(asBob.url);
    await bob.getByLabel('Current user').filter({ hasText: 'bob · approver' }).waitFor();
    await openSection(bob, 'Approvals');
    const card = bob.getByRole('article', { name: 'Proposal by alice' });
    await card.waitFor();
    expect(await card.getByRole('table', { name: 'Evidence' }).textContent()).toContain(overridden.key);
    expect(await card.textContent()).toContain('Custodian books this trade in EUR');
    await approveProposalBy(bob, 'alice', 'Checked the FX ticket');
    await bob.getByText('Nothing waiting for you.').waitFor();
  });

  it("shows alice the break OVERRIDDEN once bob approved, with bob's approval in its history", async () => {
    await alice.keyboard.press('Escape');
    await alice.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').waitFor();
    await pickFacet(alice, 'Status', 'OVERRIDDEN');
    await waitForCount(alice, 1);
    expect((await alice.locator('.ag-row[row-index="0"] .ag-cell[col-id="status"]').textContent())?.trim()).toBe('OVERRIDDEN');
    await alice.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').click();
    await alice.keyboard.press('Enter');
    await alice.getByLabel('History').getByText('approved the proposal').waitFor();
    expect(await alice.locator('#break-title').textContent()).toContain(`#${overridden.breakId}`);
  });

  it('verifies the audit trail, filters it by actor and exports it as NDJSON', async () => {
    await openSection(alice, 'Audit trail');
    const status = alice.getByLabel('Chain verification');
    await status.getByText('VERIFIED').waitFor();
    const events = Number(((await status.textContent()) ?? '').match(/([\d,]+) events/)![1]!.replaceAll(',', ''));
    expect(events).toBeGreaterThan(5);
    await alice.getByLabel('Actor filter').selectOption('bob');
    await alice.getByRole('table', { name: 'Audit events' }).getByText('proposal.approved').waitFor();
    const actors = await alice.locator('.audit-table tbody tr td:nth-child(2)').allTextContents();
    expect(new Set(actors)).toEqual(new Set(['bob']));
    const [download] = await Promise.all([alice.waitForEvent('download'), alice.getByRole('button', { name: 'Download NDJSON' }).click()]);
    const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(events);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ action: expect.any(String), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await alice.locator('.audit-export .notice.ok', { hasText: `Exported ${events} events` }).waitFor();
    // The export is itself an audited action, and the chain still verifies.
    await status.getByText(`${events + 1} events`).waitFor();
  });

  it('logged no console error or CSP violation in either browser', () => {
    expect(errors.flat()).toEqual([]);
  });
});
