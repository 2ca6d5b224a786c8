/** The matching view's steps the e2e test takes, as a person would. */
import type { Page } from 'playwright-core';

/** Types into the matching view's text filter (it applies after a short pause). */
export async function filterText(page: Page, text: string): Promise<void> {
  await page.getByLabel('Text filter').fill(text);
}

/** The text of a cell of the matched groups grid. */
export async function groupCell(page: Page, rowIndex: number, colId: string): Promise<string> {
  const cell = page.getByRole('region', { name: 'Matched groups' }).locator(`.ag-row[row-index="${rowIndex}"] .ag-cell[col-id="${colId}"]`);
  return ((await cell.textContent({ timeout: 5000 }).catch(() => '')) ?? '').trim();
}

/** The text of a cell of one side's unmatched grid. */
export async function unmatchedCell(page: Page, side: 'A' | 'B', rowIndex: number, colId: string): Promise<string> {
  const cell = page.getByRole('region', { name: `Unmatched ${side}` }).locator(`.ag-row[row-index="${rowIndex}"] .ag-cell[col-id="${colId}"]`);
  return ((await cell.textContent({ timeout: 5000 }).catch(() => '')) ?? '').trim();
}

/** On the Approvals screen: approves the manual match `maker` made, with a comment. */
export async function approveMatchBy(page: Page, maker: string, comment: string): Promise<void> {
  const card = page.getByRole('article', { name: `Manual match by ${maker}` }).first();
  await card.getByRole('button', { name: 'Approve…' }).click();
  await card.getByLabel('Comment').fill(comment);
  await card.getByRole('button', { name: 'Approve match' }).click();
  await page.locator('.notice.ok', { hasText: 'Approved manual match' }).waitFor();
}
