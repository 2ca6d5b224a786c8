/**
 * Issue 13, items 18 and 21 in Chromium through `recon serve`:
 *   - record context: a field of the break's record (A or B) added as a grid
 *     column, then filtered, sorted and quick-searched, paged by the host;
 *   - facets: several values per facet, and counts that follow the other
 *     facets' picks, the quick filter and the column filters.
 * Expected figures come from the run file itself, read before the host opens it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionSchema } from '../engine/definition/schema.ts';
import { openDuckDB, queryRows } from '../engine/duckdb/open.ts';
import { generateExtracts } from '../engine/generate/generate-extracts.ts';
import { registerRunFromSummaryFile } from '../engine/host/testing/register-run.ts';
import { runRecon } from '../engine/run/run-recon.ts';
import { addFacetValue, facetCount, facetPicks, gridCell, pickFacet, waitForCount } from './flows.ts';
import { openWorkstation, type Workstation } from './harness.ts';

let dir: string;
let ws: Workstation;
let page: Page;
let total: number;
/** Figures of the run file. */
let eurInA: number;
let byField: Map<string, number>;
/** Diff types of the Notional and Price breaks. */
let diffTypesOfTwoFields: Map<string, number>;
/** A currency of A that some, not all, of the Notional and Price breaks have, and how many. */
let someOfTwoFields: { currency: string; breaks: number };
/** A counterparty in B, and how many breaks have a B record with it. */
let cpty: { value: string; breaks: number };
/** The smallest and the largest Notional of A among the breaks' records. */
let notionalRange: { min: string; max: string };

const count = async (path: string, sql: string): Promise<{ k: string | null; n: number }[]> => {
  const db = await openDuckDB({ path, readOnly: true });
  try {
    return (await queryRows<{ k: string | null; n: string }>(db.connection, sql)).map((r) => ({ k: r.k, n: Number(r.n) }));
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-ctx-'));
  const gen = await generateExtracts({ rows: 3000, outDir: join(dir, 'data'), seed: 23 });
  const workspace = join(dir, 'workspace');
  const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
  const summary = await runRecon({ aPath: gen.aPath, bPath: gen.bPath, definition, workspace });
  await registerRunFromSummaryFile(workspace, summary.runId);
  const file = join(workspace, 'runs', `${summary.runId}.duckdb`);
  total = summary.breaks.total;
  eurInA = (await count(file, `SELECT NULL AS k, count(*) AS n FROM breaks b JOIN a ON a.__rid = b.rid_a WHERE CAST(a.Currency AS VARCHAR) = 'EUR'`))[0]!.n;
  byField = new Map((await count(file, 'SELECT field AS k, count(*) AS n FROM breaks GROUP BY 1')).map((r) => [r.k!, r.n]));
  diffTypesOfTwoFields = new Map((await count(file, `SELECT diff_type AS k, count(*) AS n FROM breaks WHERE field IN ('Notional', 'Price') GROUP BY 1`)).map((r) => [r.k!, r.n]));
  const ccys = await count(file, `SELECT CAST(a.Currency AS VARCHAR) AS k, count(*) AS n FROM breaks b JOIN a ON a.__rid = b.rid_a WHERE b.field IN ('Notional', 'Price') GROUP BY 1 ORDER BY n DESC, k`);
  const two = (byField.get('Notional') ?? 0) + (byField.get('Price') ?? 0);
  const some = ccys.find((c) => c.n < two)!;
  someOfTwoFields = { currency: some.k!, breaks: some.n };
  // A counterparty that appears in no key nor value, so only the context column can find it.
  const cpties = await count(
    file,
    `SELECT CAST(cb.Counterparty AS VARCHAR) AS k, count(*) AS n FROM breaks b JOIN b cb ON cb.__rid = b.rid_b
      WHERE cb.Counterparty IS NOT NULL GROUP BY 1 ORDER BY n DESC, k`,
  );
  const quiet = [];
  for (const c of cpties) {
    const [hits] = await count(file, `SELECT NULL AS k, count(*) AS n FROM breaks WHERE contains(lower(key || coalesce(value_a, '') || '|' || coalesce(value_b, '')), lower('${c.k!.replaceAll("'", "''")}'))`);
    if (hits!.n === 0) quiet.push(c);
    if (quiet.length > 0) break;
  }
  cpty = { value: quiet[0]!.k!, breaks: quiet[0]!.n };
  const range = await count(file, `SELECT CAST(min(a.Notional) AS VARCHAR) || '|' || CAST(max(a.Notional) AS VARCHAR) AS k, 0 AS n FROM breaks b JOIN a ON a.__rid = b.rid_a`);
  const [min, max] = range[0]!.k!.split('|') as [string, string];
  notionalRange = { min, max };

  ws = await openWorkstation(workspace);
  page = ws.page;
  await page.locator('.runs-table tbody tr').first().getByRole('button').first().click();
  await page.keyboard.press('b');
  await waitForCount(page, total);
});

afterAll(async () => {
  await ws?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Adds a record field as a grid column from the "Record fields" menu. */
async function addContextColumn(field: string, side: 'a' | 'b'): Promise<void> {
  if ((await page.locator('details.context-picker[open]').count()) === 0) await page.locator('details.context-picker > summary').click();
  await page.getByLabel('Record field', { exact: true }).selectOption(field);
  await page.getByLabel('Record side').selectOption(side);
  await page.getByRole('button', { name: 'Add column' }).click();
  await page.locator('details.context-picker > summary').click();
}

const header = (colId: string) => page.locator(`[role="columnheader"][col-id="${colId}"]`);

describe('record context in the breaks grid (issue 13, item 18)', () => {
  it("adds a field of the record from side A as a column, showing each break's value", async () => {
    await addContextColumn('Currency', 'a');
    await header('ctx:a:Currency').waitFor();
    expect(await header('ctx:a:Currency').textContent()).toContain('Currency (A)');
    await expect.poll(() => gridCell(page, 0, 'ctx:a:Currency')).toMatch(/^[A-Z]{3}$/);
  });

  it('filters on it with the column filter: the host counts only breaks whose A record has that currency', async () => {
    await page.getByRole('textbox', { name: 'Currency (A) Filter Input' }).fill('EUR');
    await waitForCount(page, eurInA);
    expect(eurInA).toBeGreaterThan(0);
    expect(eurInA).toBeLessThan(total);
    for (let i = 0; i < Math.min(5, eurInA); i++) expect(await gridCell(page, i, 'ctx:a:Currency')).toBe('EUR');
    await page.getByRole('textbox', { name: 'Currency (A) Filter Input' }).fill('');
    await waitForCount(page, total);
  });

  it('sorts by a number field of the record as a number', async () => {
    await addContextColumn('Notional', 'a');
    await header('ctx:a:Notional').waitFor();
    await header('ctx:a:Notional').locator('.ag-header-cell-label').click();
    await expect.poll(() => gridCell(page, 0, 'ctx:a:Notional')).toBe(notionalRange.min);
    await header('ctx:a:Notional').locator('.ag-header-cell-label').click();
    await expect.poll(() => gridCell(page, 0, 'ctx:a:Notional')).toBe(notionalRange.max);
    expect(await header('ctx:a:Notional').getAttribute('aria-sort')).toBe('descending');
  });

  it('the quick filter finds a value that is only in a context column, once that column is shown', async () => {
    await page.getByPlaceholder(/Filter key or values/).fill(cpty.value);
    await waitForCount(page, 0);
    await addContextColumn('Counterparty', 'b');
    await waitForCount(page, cpty.breaks);
    expect(await gridCell(page, 0, 'ctx:b:Counterparty')).toBe(cpty.value);
    await page.getByPlaceholder(/Filter key or values/).fill('');
    await waitForCount(page, total);
  });
});

describe('facets with several values, counts following the other filters (issue 13, item 21)', () => {
  it('picks two fields: the grid shows both, the Field facet still lists every field', async () => {
    await pickFacet(page, 'Field', 'Notional');
    await waitForCount(page, byField.get('Notional')!);
    await addFacetValue(page, 'Field', 'Price');
    await waitForCount(page, byField.get('Notional')! + byField.get('Price')!);
    expect(await facetPicks(page, 'Field')).toEqual(['Notional', 'Price']);
    expect(await page.getByLabel('Field facet').textContent()).toContain('Notional +1');
    // The Field facet ignores its own picks: every field, with its full count.
    for (const [field, n] of byField) expect(await facetCount(page, 'Field', field === '*' ? '(record)' : field)).toBe(n);
  });

  it("the Diff type facet counts only the picked fields' breaks", async () => {
    for (const [type, n] of diffTypesOfTwoFields) await expect.poll(() => facetCount(page, 'Diff type', type)).toBe(n);
    // A type no Notional or Price break has is not offered.
    expect(await facetCount(page, 'Diff type', 'MISSING_IN_A')).toBeNull();
  });

  it('the facets follow a column filter on a context column too', async () => {
    await page.getByRole('textbox', { name: 'Currency (A) Filter Input' }).fill(someOfTwoFields.currency);
    await waitForCount(page, someOfTwoFields.breaks);
    expect(someOfTwoFields.breaks).toBeLessThan(byField.get('Notional')! + byField.get('Price')!);
    await expect.poll(async () => ((await facetCount(page, 'Field', 'Notional')) ?? 0) + ((await facetCount(page, 'Field', 'Price')) ?? 0)).toBe(someOfTwoFields.breaks);
    await page.getByRole('textbox', { name: 'Currency (A) Filter Input' }).fill('');
  });

  it('logged no console error or CSP violation', () => {
    expect(ws.errors).toEqual([]);
  });
});
