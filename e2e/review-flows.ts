/** Review and governance flows the e2e tests and the screenshot script walk through, as a person would. */
import type { Page } from 'playwright-core';

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
