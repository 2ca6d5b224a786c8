/**
 * Issue 13 item 10, in Debian's Chromium: alice's screens follow workflow
 * changes made by other processes on her workspace, with no Refresh.
 * - Bob, through his own `recon serve`, approves one of alice's proposals and
 *   rejects another: her Approvals screen drops both from "Your proposals".
 * - Bob then approves the last one from the command line (`recon review
 *   approve`, a third process): her run overview's Decided tile counts it.
 * - A reason code added by yet another process shows in her open Settings.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunFixture, serviceOn, type RunFixture } from '../engine/host/testing/run-fixture.ts';
import { openStore } from '../engine/store/open.ts';
import { listProposals } from '../engine/workflow/approvals.ts';
import { addReasonCode } from '../engine/workflow/reason-codes.ts';
import { addUser, grantRole } from '../engine/workflow/roles.ts';
import { buildRenderer, ROOT, type Served } from './harness.ts';
import { openSection, openTwoDesks, proposeOverrides } from './review-flows.ts';

const ALICE = { userId: 'alice', displayName: 'Alice Analyst' };
let fx: RunFixture;
let asAlice: Served;
let asBob: Served;
let browser: Browser;
let alice: Page;
let bob: Page;
const errors: string[][] = [];
let proposed: number[] = [];

beforeAll(async () => {
  buildRenderer();
  fx = await createRunFixture(2000, 9);
  grantRole(fx.store, ALICE, 'alice', 'admin');
  grantRole(fx.store, ALICE, 'alice', 'analyst');
  addUser(fx.store, ALICE, { userId: 'bob', displayName: 'Bob Approver', roles: ['approver'] });
  const probe = serviceOn(fx);
  const rows = (await probe.invoke('breaks.page', { runId: fx.summary.runId, startRow: 0, endRow: 1000 })).rows;
  await probe.close();
  proposed = rows.filter((r) => r.status === 'AUTO' && r.diffType === 'MISMATCH' && r.reason !== 'STATIC_DATA').slice(0, 3).map((r) => r.breakId);
  await proposeOverrides(fx, proposed);
  fx.store.close();
  ({ asAlice, asBob, browser, alice, bob } = await openTwoDesks(fx.workspace, errors));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await asAlice?.stop();
  await asBob?.stop();
  await fx?.dispose().catch(() => undefined);
});

const mine = (): ReturnType<Page['getByRole']> => alice.getByRole('article', { name: 'Proposal by alice' });

describe("another process's changes show on alice's open screens", () => {
  it("bob settles two of alice's proposals in his own recon serve: her Approvals screen follows, no Refresh", async () => {
    await openSection(alice, 'Approvals');
    await expect.poll(() => mine().count()).toBe(3);
    await openSection(bob, 'Approvals');
    const cardOf = (breakId: number) => bob.getByRole('article', { name: 'Proposal by alice' }).filter({ hasText: `spelling of break ${breakId}.` });
    const rejected = cardOf(proposed[0]!);
    await rejected.getByRole('button', { name: 'Reject…' }).click();
    await rejected.getByLabel('Comment').fill('not a spelling difference');
    await rejected.getByRole('button', { name: /^Reject proposal/ }).click();
    await bob.locator('.notice.ok', { hasText: 'Rejected' }).waitFor();
    const approved = cardOf(proposed[1]!);
    await approved.getByRole('button', { name: 'Approve…' }).click();
    await approved.getByLabel('Comment').fill('checked');
    await approved.getByRole('button', { name: /^Approve/ }).click();
    await bob.locator('.notice.ok', { hasText: 'Approved' }).waitFor();
    await expect.poll(() => mine().count(), { timeout: 10_000 }).toBe(1);
    await alice.getByRole('table', { name: 'Recently settled proposals' }).getByRole('row', { name: 'Proposal by alice, rejected by bob' }).waitFor();
  });

  it("bob approves the last one with the CLI: the Decided tile of alice's open run overview counts it", async () => {
    await openSection(alice, 'Runs');
    await alice.getByRole('button', { name: fx.summary.definition }).first().click();
    await alice.getByRole('tab', { name: /Overview/ }).waitFor();
    const tile = alice.locator('.tile', { has: alice.locator('.tile-label', { hasText: /^Decided$/ }) }).locator('.tile-value');
    await expect.poll(async () => (await tile.textContent())?.trim()).toBe('1');
    const decisionId = pendingProposalOn(proposed[2]!);
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/recon.mjs'), 'review', 'approve', '--proposal', decisionId, '--comment', 'from the terminal', '--workspace', fx.workspace], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, RECON_USER: 'bob' },
    });
    expect(cli.status, cli.stderr).toBe(0);
    await expect.poll(async () => (await tile.textContent())?.trim(), { timeout: 10_000 }).toBe('2');
  });

  it("a reason code added on the workspace by another process shows in alice's open Settings", async () => {
    await openSection(alice, 'Settings');
    const table = alice.getByRole('table', { name: 'Reason codes' });
    await table.waitFor();
    const store = openStore(fx.workspace);
    try {
      addReasonCode(store, ALICE, { code: 'BOOKING_LAG', description: 'Booked a day late', category: 'NOISE' });
    } finally {
      store.close();
    }
    await table.getByRole('cell', { name: 'BOOKING_LAG', exact: true }).waitFor({ timeout: 10_000 });
  });

  it('logged no console error or CSP violation in either browser', () => {
    expect(errors.flat()).toEqual([]);
  });
});

/** The id of alice's pending proposal on a break (each proposal's comment names its break), read from the store. */
function pendingProposalOn(breakId: number): string {
  const store = openStore(fx.workspace);
  try {
    return listProposals(store, { pendingOnly: true }).find((p) => p.comment === `spelling of break ${breakId}.`)!.decisionId;
  } finally {
    store.close();
  }
}
