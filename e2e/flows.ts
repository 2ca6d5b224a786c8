/** The UI flows the e2e tests and the screenshot script walk through, as a person would. */
import type { Page } from 'playwright-core';

export interface NewRunInput {
  aPath: string;
  bPath: string;
  name: string;
  /** Tolerances to type into the mapping table, by A column. */
  tolerances?: Record<string, { abs?: string; rel?: string }>;
}

/** New run: paths, previews, mapping (inferred by the engine), tolerances, name, save and run; waits for the form to be ready to run. */
export async function fillNewRun(page: Page, input: NewRunInput): Promise<void> {
  await page.getByRole('button', { name: 'New run' }).first().click();
  await page.getByRole('heading', { name: 'New run' }).waitFor();
  await page.locator('#source-a-path').fill(input.aPath);
  await page.locator('#source-a-path').press('Enter');
  await page.getByRole('table', { name: 'Preview of source A' }).waitFor();
  await page.locator('#source-b-path').fill(input.bPath);
  await page.locator('#source-b-path').press('Enter');
  await page.getByRole('table', { name: 'Preview of source B' }).waitFor();
  // The mapping comes from the engine's inference of both files: wait for it to land.
  await page.getByLabel('Suggested key').waitFor();
  await page.getByRole('table', { name: 'Column mapping' }).waitFor();
  for (const [column, t] of Object.entries(input.tolerances ?? {})) {
    if (t.abs !== undefined) await page.getByLabel(`Absolute tolerance of ${column}`).fill(t.abs);
    if (t.rel !== undefined) await page.getByLabel(`Relative tolerance of ${column}`).fill(t.rel);
  }
  await page.locator('#definition-name').fill(input.name);
}

/** Saves and runs the filled-in draft; resolves with the run id once it has completed. */
export async function runAndWait(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Save and run' }).click();
  const progress = page.locator('.run-progress');
  await progress.waitFor();
  await progress.locator('.pill.status-completed').waitFor({ timeout: 120_000 });
  const text = (await progress.locator('.mono').first().textContent()) ?? '';
  return text.replace(/^Run\s+/, '').trim();
}

/** Opens a facet's menu above the grid (Field, Diff type, Reason, Status) and returns it (the list of its values). */
export async function openFacet(page: Page, facet: string) {
  const menu = page.getByRole('group', { name: `${facet} values` });
  if (!(await menu.isVisible())) await page.getByLabel(`${facet} facet`).click();
  await menu.waitFor();
  return menu;
}

/** A facet value's checkbox in its open menu ("Notional · 1,234"). */
export function facetValue(menu: Awaited<ReturnType<typeof openFacet>>, value: string) {
  return menu.getByRole('checkbox', { name: new RegExp(`^${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ·`) });
}

/** Closes any open facet menu (its summary toggles it, as a click outside does). */
async function closeFacets(page: Page): Promise<void> {
  const open = page.locator('details.facet[open] > summary');
  while ((await open.count()) > 0) await open.first().click();
}

/** Makes `value` the only pick of a facet above the grid (Field, Diff type, Reason, Status). */
export async function pickFacet(page: Page, facet: string, value: string): Promise<void> {
  const menu = await openFacet(page, facet);
  if (await menu.getByRole('button', { name: /^Any / }).isEnabled()) await menu.getByRole('button', { name: /^Any / }).click();
  await facetValue(menu, value).check();
  await closeFacets(page);
}

/** Adds `value` to a facet's picks (several values per facet). */
export async function addFacetValue(page: Page, facet: string, value: string): Promise<void> {
  await facetValue(await openFacet(page, facet), value).check();
  await closeFacets(page);
}

/** Clears a facet's picks (every value). */
export async function clearFacet(page: Page, facet: string): Promise<void> {
  const menu = await openFacet(page, facet);
  await menu.getByRole('button', { name: /^Any / }).click();
  await closeFacets(page);
}

/** A facet's menu element, open or not (its values are in the page either way). */
const facetMenu = (page: Page, facet: string) => page.locator('details.facet').filter({ has: page.locator(`summary[aria-label="${facet} facet"]`) });

/** The values picked on a facet, as its checked boxes read ("Notional", …), without opening it. */
export async function facetPicks(page: Page, facet: string): Promise<string[]> {
  const labels = await facetMenu(page, facet).locator('label:has(input:checked)').allTextContents();
  return labels.map((l) => l.replace(/ · [\d,]+$/, '').trim());
}

/** The count a facet shows for a value ("ACCEPTED · 1" → 1), or null when it does not list the value; without opening it. */
export async function facetCount(page: Page, facet: string, value: string): Promise<number | null> {
  for (const label of await facetMenu(page, facet).locator('label').allTextContents()) {
    const m = / · ([\d,]+)$/.exec(label.trim());
    if (m && label.trim().slice(0, -m[0].length) === value) return Number(m[1]!.replaceAll(',', ''));
  }
  return null;
}

/** The grid's count once its view has loaded and stopped changing for a moment (after a filter or a decision). */
export async function settledCount(page: Page): Promise<number> {
  let last = NaN;
  for (let i = 0; i < 100; i++) {
    const n = await gridCount(page);
    if (!Number.isNaN(n) && n === last) return n;
    last = n;
    await page.waitForTimeout(150);
  }
  throw new Error(`the grid count did not settle (last: ${last})`);
}

/** The number the grid's counter shows ("1,234 of 5,678 breaks" → 1234). */
export async function gridCount(page: Page): Promise<number> {
  const text = (await page.locator('.grid-count').textContent()) ?? '';
  return Number(text.trim().split(' ')[0]!.replaceAll(',', ''));
}

/** Waits until the grid shows `n` rows in its counter and has drawn its first row. */
export async function waitForCount(page: Page, n: number): Promise<void> {
  // A function, not a string: the page's CSP forbids eval. It runs in the page,
  // and this file is type-checked without the DOM, hence the narrow cast.
  await page.waitForFunction(
    (expected: number) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
      const text = doc.querySelector('.grid-count')?.textContent ?? '';
      return Number(text.trim().split(' ')[0]!.replaceAll(',', '')) === expected;
    },
    n,
    { timeout: 30_000 },
  );
  if (n > 0) await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').first().waitFor();
}

/** New run from a saved definition, picked by its name in "Start from a saved definition". */
export async function startFromSaved(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New run' }).first().click();
  await page.getByRole('heading', { name: 'New run' }).waitFor();
  const picker = page.getByLabel('Start from a saved definition');
  const option = picker.locator('option', { hasText: new RegExp(`^${name} ·`) });
  await option.waitFor({ state: 'attached' });
  await picker.selectOption((await option.getAttribute('value')) ?? name);
  await page.getByRole('table', { name: 'Column mapping' }).waitFor();
}

/** The text of a grid cell (row index, column id), once the row is drawn. */
export async function gridCell(page: Page, rowIndex: number, colId: string): Promise<string> {
  const cell = page.locator(`.ag-row[row-index="${rowIndex}"] .ag-cell[col-id="${colId}"]`).first();
  await cell.waitFor();
  return ((await cell.textContent()) ?? '').trim();
}

/** The row index of the grid's focused cell, or -1. */
export async function focusedRowIndex(page: Page): Promise<number> {
  const row = page.locator('.ag-row:has(.ag-cell-focus)');
  if ((await row.count()) === 0) return -1;
  return Number(await row.first().getAttribute('row-index'));
}

/** The grid body's vertical scroll offset (px): its scrolling viewport is the element that scrolls. */
export async function gridScrollTop(page: Page): Promise<number> {
  return page.locator('.grid-host').evaluate((host) => {
    const els = [...host.querySelectorAll('.ag-grid-viewport, .ag-body-viewport')];
    const scrolling = els.find((el) => el.scrollHeight > el.clientHeight) ?? els[0];
    return scrolling?.scrollTop ?? 0;
  });
}
