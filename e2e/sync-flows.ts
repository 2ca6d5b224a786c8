/** Team-sync flows the e2e tests walk through, as a person would: Settings → Team connection, the status-bar badge. */
import type { Locator, Page } from 'playwright-core';
import { openSection } from './review-flows.ts';

export interface TeamConnectionInput {
  host: string;
  port: number;
  database: string;
  user: string;
  tls: 'disable' | 'require' | 'verify-full';
  caFile?: string;
}

/** The status-bar badge; its accessible name is "Team sync: <state> · <queue>". */
export function syncBadge(page: Page): Locator {
  return page.getByRole('button', { name: /^Team sync: / });
}

/** Waits until the badge's name matches `re` (e.g. /Online · synced/). */
export async function waitForBadge(page: Page, re: RegExp, timeout = 60_000): Promise<string> {
  const badge = page.getByRole('button', { name: new RegExp(`^Team sync: .*${re.source}`) });
  await badge.waitFor({ timeout });
  return (await badge.getAttribute('aria-label')) ?? '';
}

/** Settings → Team connection: types the connection and saves it (admin only). */
export async function configureTeam(page: Page, c: TeamConnectionInput): Promise<void> {
  await openSection(page, 'Settings');
  const form = page.getByRole('form', { name: 'Team server' });
  await form.getByLabel('Team server host').fill(c.host);
  await form.getByLabel('Team server port').fill(String(c.port));
  await form.getByLabel('Team database').fill(c.database);
  await form.getByLabel('Team login').fill(c.user);
  await form.getByLabel('TLS mode').selectOption(c.tls);
  if (c.caFile !== undefined) await form.getByLabel('CA file').fill(c.caFile);
  await form.getByRole('button', { name: 'Save connection' }).click();
  // Saved: the panel shows the sync facts of a configured connection.
  await page.getByLabel('Sync status').waitFor();
}

/** Settings → Team connection: types the password and sends it to the OS keychain. */
export async function enterTeamPassword(page: Page, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Store the team password' });
  await form.getByLabel('Team password').fill(password);
  await form.getByRole('button', { name: 'Save to keychain' }).click();
}
