/** Review and governance flows the e2e tests and the screenshot script walk through, as a person would. */
import type { Browser, Page } from 'playwright-core';
import type { RunFixture } from '../engine/host/testing/run-fixture.ts';
import { decide } from '../engine/workflow/decisions.ts';
import { openBreakSource } from '../engine/run-file/break-source.ts';
import { collectPageErrors, launchChromium, serve, type Served } from './harness.ts';

const ALICE = { userId: 'alice', displayName: 'Alice Analyst' };

/** Opens a section from the navigation (Runs, Approvals, Audit trail, Settings). */
export async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name }).click();
}

/**
 * Settings as the first user of a new workspace: become its admin, take the
 * extra roles, and add the other users with theirs.
 */
export async function setUpUsers(page: Page, me: string, myRoles: string[], others: { userId: string; roles: string[] }[]): Promise<void> {
  await openSection(page, 'Settings');
  await page.getByRole('button', { name: `Become admin as ${me}` }).click();
  await page.getByLabel(`${me} admin`).waitFor();
  for (const role of myRoles) {
    // The box is controlled: it shows checked once the engine granted the role and the list reloaded.
    await page.getByLabel(`${me} ${role}`).click();
    await page.locator(`input[aria-label="${me} ${role}"]:checked`).waitFor();
  }
  for (const u of others) {
    await page.getByLabel('New user id').fill(u.userId);
    for (const role of ['analyst', 'approver', 'admin']) await page.getByLabel(`New user ${role}`).setChecked(u.roles.includes(role));
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByLabel(`${u.userId} ${u.roles[0]}`).waitFor();
  }
}

/** On a break's detail: override (o) with a reason and a comment; waits for the PROPOSED status. */
export async function overrideBreak(page: Page, reason: string, comment: string): Promise<void> {
  await page.keyboard.press('o');
  await page.getByLabel('Reason code').selectOption(reason);
  await page.getByLabel('Comment').fill(comment);
  await page.keyboard.press('Control+Enter');
  await page.locator('.review-panel .notice.ok', { hasText: 'proposed' }).waitFor();
}

/** On the Approvals screen: approves the proposal made by `maker`, with a comment. */
export async function approveProposalBy(page: Page, maker: string, comment: string): Promise<void> {
  const card = page.getByRole('article', { name: `Proposal by ${maker}` }).first();
  await card.getByRole('button', { name: 'Approve…' }).click();
  await card.getByLabel('Comment').fill(comment);
  await card.getByRole('button', { name: /^Approve/ }).click();
  await page.locator('.notice.ok', { hasText: 'Approved' }).waitFor();
}

/** Alice (admin, analyst) and Bob (approver), each in a `recon serve` of their own on one workspace, each with a Chromium page. */
export interface TwoDesks {
  asAlice: Served;
  asBob: Served;
  browser: Browser;
  alice: Page;
  bob: Page;
}

/** Starts both hosts and pages, collects page errors into `errors`, and waits until each page names its user. */
export async function openTwoDesks(workspace: string, errors: string[][]): Promise<TwoDesks> {
  const asAlice = await serve(workspace, { RECON_USER: 'alice', RECON_USER_NAME: 'Alice Analyst' });
  const asBob = await serve(workspace, { RECON_USER: 'bob' });
  const browser = await launchChromium();
  const alice = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const bob = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  errors.push(collectPageErrors(alice), collectPageErrors(bob));
  await alice.goto(asAlice.url);
  await bob.goto(asBob.url);
  await alice.getByLabel('Current user').filter({ hasText: 'alice · admin, analyst' }).waitFor();
  await bob.getByLabel('Current user').filter({ hasText: 'bob · approver' }).waitFor();
  return { asAlice, asBob, browser, alice, bob };
}

/** Alice proposes an override to STATIC_DATA on each break, straight in the workflow store (as the CLI would). */
export async function proposeOverrides(fx: RunFixture, breakIds: readonly number[]): Promise<void> {
  const source = await openBreakSource(fx.summary.database);
  try {
    for (const breakId of breakIds) {
      await decide(fx.store, source, ALICE, { runId: fx.summary.runId, breakId, kind: 'OVERRIDE', reason: 'STATIC_DATA', comment: `spelling of break ${breakId}.` });
    }
  } finally {
    source.close();
  }
}
