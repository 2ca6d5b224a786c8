/**
 * The review flow and its clarity (issue 13), in Debian's Chromium against
 * `recon serve`: a saved definition with a wrong B column fails, is fixed on
 * its row and run again into the same file; the overview says why the gate
 * failed and groups the largest differences by currency; the grid says what
 * its confidence figure is; the detail shows every row of a key with its
 * file line, a rejected row with its raw values and reason, steps through the
 * grid's own rows with [ and ], and Back lands on the same row; the reason
 * code form shows its errors beside the field.
 *
 * The data: generated extracts with a few breaks the model cannot explain
 * (so UNKNOWN/REVIEW rows), a multi-line record near the top of A (so file
 * lines differ from record positions), a B value that does not cast (a
 * REJECTED_IN_B break) and the generator's duplicated keys.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExtracts, type GenerateResult } from '../engine/generate/generate-extracts.ts';
import { clearFacet, facetPicks, focusedRowIndex, gridCell, gridScrollTop, pickFacet, settledCount, startFromSaved, waitForCount } from './flows.ts';
import { openWorkstation, savedDefinition, type Workstation } from './harness.ts';
import { openSection, setUpUsers } from './review-flows.ts';

let dir: string;
let gen: GenerateResult;
let ws: Workstation;
let page: Page;
let workspace: string;
/** Key → the physical lines (1-based) it starts on, per file. */
let linesA: Map<string, number[]>;
let linesB: Map<string, number[]>;
/** Key → currency, from A. */
let currencyOf: Map<string, string>;
const REJECTED_KEY = 'T00000050';

/** Lines that start a record, by key: the first field up to the delimiter (continuation lines of a quoted value start otherwise). */
function keyLines(text: string, delimiter: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  text.split('\n').forEach((line, i) => {
    const key = line.split(delimiter)[0]!;
    if (!/^T\d+$/.test(key)) return;
    out.set(key, [...(out.get(key) ?? []), i + 1]);
  });
  return out;
}

async function writeData(): Promise<void> {
  gen = await generateExtracts({ rows: 3000, outDir: join(dir, 'data'), seed: 13 });
  // A: the first record's counterparty spans two lines, so every later record's line is its position + 2.
  const a = (await readFile(gen.aPath, 'utf8')).split('\n');
  a[1] = a[1]!.replace('INITECH INTERNATIONAL', '"INITECH\nINTERNATIONAL"');
  await writeFile(gen.aPath, a.join('\n'));
  // B: every 97th line changed in a way no known reason explains; one quantity that does not cast.
  const b = (await readFile(gen.bPath, 'utf8')).split('\n');
  for (let n = 97; n < b.length; n += 97) {
    const p = b[n]!.split(';');
    if (p.length < 11 || p[0] === REJECTED_KEY) continue;
    const k = (n / 97) % 3;
    if (k === 0) p[6] = String(Number(p[6]) + 137);
    else if (k === 1) p[8] = (Number(p[8]!.replace(',', '.')) * 1.2345 + 17).toFixed(2).replace('.', ',');
    else p[7] = (Number(p[7]!.replace(',', '.')) + 3.3).toFixed(4).replace('.', ',');
    b[n] = p.join(';');
  }
  const r = b.findIndex((l) => l.startsWith(`${REJECTED_KEY};`));
  const p = b[r]!.split(';');
  p[6] = '12x';
  b[r] = p.join(';');
  await writeFile(gen.bPath, b.join('\n'));
  const aText = a.join('\n');
  linesA = keyLines(aText, ',');
  linesB = keyLines(b.join('\n'), ';');
  currencyOf = new Map(aText.split('\n').flatMap((l) => (/^T\d+,/.test(l) ? [[l.split(',')[0]!, l.split(',').at(-2)!] as [string, string]] : [])));

  // A definition saved where the new-run screen saved before (imported into the store at open), whose file name is not its name's, with a B column that does not exist.
  const def = JSON.parse(await readFile(gen.definitionPath, 'utf8')) as { name: string; fields: { name: string; b?: string }[] };
  def.name = 'Clarity e2e';
  def.fields.find((f) => f.name === 'Quantity')!.b = 'qty_wrong';
  await mkdir(join(workspace, 'definitions'), { recursive: true });
  await writeFile(join(workspace, 'definitions', 'clarity.json'), `${JSON.stringify(def, null, 2)}\n`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-clarity-'));
  workspace = join(dir, 'workspace');
  await writeData();
  ws = await openWorkstation(workspace, { RECON_USER: 'alice' });
  page = ws.page;
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
});

afterAll(async () => {
  await ws?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The records table's column headings after Field and Type. */
async function recordHeadings(): Promise<string[]> {
  const heads = page.getByRole('table', { name: 'Records A and B side by side' }).locator('thead th');
  await heads.first().waitFor();
  return (await heads.allTextContents())
    .slice(2)
    .map((t) => t.replace(/\s+/g, ' ').trim())
    .filter((t) => t !== '');
}

const detailBreakId = async (): Promise<number> => Number(((await page.locator('#break-title').textContent()) ?? '').match(/#(\d+)/)![1]);

describe('reason codes: errors beside the field', () => {
  it('keeps an invalid code in its field and says what is wrong beside it', async () => {
    await setUpUsers(page, 'alice', ['analyst'], []);
    const code = page.getByLabel('New reason code');
    await code.fill('bad code!');
    await page.getByLabel('New reason description').fill('Something');
    await page.getByRole('button', { name: 'Add code' }).click();
    const err = page.locator('#new-reason-code-error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/UPPER_SNAKE_CASE/);
    expect(await code.inputValue()).toBe('bad code!');
    expect(await code.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.settings-panel', { hasText: 'Reason codes' }).textContent()).not.toContain('reasons.add:');
    // A code that exists: said beside the code, the input kept.
    await code.fill('FX_DIFF');
    await page.getByRole('button', { name: 'Add code' }).click();
    await page.locator('#new-reason-code-error', { hasText: 'already exists' }).waitFor();
    expect(await code.inputValue()).toBe('FX_DIFF');
    expect(await page.getByLabel('New reason description').inputValue()).toBe('Something');
  });
});

describe('a saved definition with a wrong B column', () => {
  it('fails with COLUMN_NOT_FOUND when run without a preview', async () => {
    await openSection(page, 'Runs');
    await startFromSaved(page, 'Clarity e2e');
    await page.locator('#source-a-path').fill(gen.aPath);
    await page.locator('#source-b-path').fill(gen.bPath);
    await page.getByRole('button', { name: 'Save and run' }).click();
    await page.locator('.run-progress .pill.status-failed').waitFor({ timeout: 60_000 });
    expect(await page.locator('.run-progress').getByRole('alert').textContent()).toContain('COLUMN_NOT_FOUND');
  });

  it('shows the missing column on its row and in the problems list once B is previewed', async () => {
    await page.locator('#source-b-path').press('Enter');
    await page.getByRole('table', { name: 'Preview of source B' }).waitFor();
    const select = page.getByLabel('B column for Quantity');
    // The saved column, not "(not compared)".
    expect(await select.inputValue()).toBe('qty_wrong');
    expect(await select.locator('option:checked').textContent()).toContain('qty_wrong');
    expect(await page.getByLabel('Problem with Quantity').textContent()).toContain('"qty_wrong" is not a column of B');
    expect(await page.locator('.save-run .problems').textContent()).toContain('qty_wrong');
    expect(await page.getByRole('button', { name: 'Save and run' }).isDisabled()).toBe(true);
  });

  it('runs again once the column is fixed, saving a new version of the definition; the file it was imported from stays', async () => {
    await page.getByLabel('B column for Quantity').selectOption('qty');
    await page.getByLabel('Problem with Quantity').waitFor({ state: 'detached' });
    const run = page.getByRole('button', { name: 'Save and run' });
    expect(await run.isEnabled()).toBe(true);
    await run.click();
    await page.locator('.run-progress .pill.status-completed').waitFor({ timeout: 120_000 });
    expect(await readdir(join(workspace, 'definitions'))).toEqual(['clarity.json']);
    const saved = savedDefinition(workspace, 'Clarity e2e');
    expect(saved.name).toBe('Clarity e2e');
    expect(saved.fields?.find((f) => f.name === 'Quantity')?.b).toBe('qty');
  });
});

describe('the run overview', () => {
  it('says on the quality gate pill which checks failed and the unknown rate against its limit', async () => {
    await page.getByRole('button', { name: 'Open run' }).click();
    await page.getByRole('table', { name: 'Integrity checks' }).waitFor();
    const pill = page.getByRole('button', { name: /Quality gate FAIL/ });
    expect(await pill.getAttribute('title')).toMatch(/key_unique_b/);
    await pill.click();
    const why = page.getByRole('region', { name: 'Why the quality gate failed' });
    await why.waitFor();
    const text = (await why.textContent()) ?? '';
    expect(text).toContain('key_unique_a');
    expect(text).toContain('A: 2 key(s) appear on 4 rows');
    expect(text).toMatch(/Unknown rate \d+(\.\d+)?% is above the limit of 5(\.0+)?%/);
  });

  it('groups the largest differences by currency', async () => {
    const table = page.getByRole('table', { name: 'Largest differences by currency' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ ccy: tr.querySelector('[data-col="ccy"]')?.textContent ?? '', key: tr.querySelector('[data-col="key"]')?.textContent ?? '' })),
    );
    expect(rows.length).toBeGreaterThan(2);
    const seen: string[] = [];
    for (const r of rows) {
      // Each row's currency is its record's, and a currency's rows are together.
      expect(r.ccy).toBe(currencyOf.get(r.key));
      if (seen.at(-1) !== r.ccy) {
        expect(seen).not.toContain(r.ccy);
        seen.push(r.ccy);
      }
    }
    expect(seen.length).toBeGreaterThan(1);
  });
});

describe('the breaks grid and the detail', () => {
  it('says what the confidence figure is, and does not colour REVIEW rows as fine', async () => {
    await page.keyboard.press('b');
    await settledCount(page);
    await pickFacet(page, 'Reason', 'UNKNOWN');
    const n = await settledCount(page);
    expect(n).toBeGreaterThan(5);
    expect(await page.getByRole('columnheader', { name: /guess/i }).getAttribute('col-id')).toBe('confidence');
    const cells = page.locator('.ag-row .ag-cell[col-id="confidence"]');
    const texts = await cells.allTextContents();
    expect(texts.every((t) => /^(guess [A-Z_]+|no known pattern) · \d+%$/.test(t.trim()))).toBe(true);
    expect(texts.some((t) => t.startsWith('no known pattern'))).toBe(true);
    expect(await page.locator('.ag-row .ag-cell[col-id="confidence"].conf-high').count()).toBe(0);
  });

  it('steps with [ and ] through the grid rows in its filter and sort order', async () => {
    const header = page.locator('.ag-header-cell[col-id="key"] .ag-header-cell-label');
    await header.click();
    await header.click();
    await page.locator('.ag-header-cell[col-id="key"][aria-sort="descending"]').waitFor();
    await page.waitForTimeout(300);
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push(Number(await gridCell(page, i, 'breakId')));
    const keys: string[] = [];
    for (let i = 0; i < 4; i++) keys.push(await gridCell(page, i, 'key'));
    expect([...keys].sort().reverse()).toEqual(keys);
    await page.locator('.ag-row[row-index="1"] .ag-cell[col-id="key"]').click();
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Records A and B side by side' }).waitFor();
    expect(await detailBreakId()).toBe(ids[1]);
    await page.keyboard.press(']');
    await page.locator('#break-title', { hasText: `#${ids[2]} ` }).waitFor();
    await page.keyboard.press(']');
    await page.locator('#break-title', { hasText: `#${ids[3]} ` }).waitFor();
    await page.keyboard.press('[');
    await page.locator('#break-title', { hasText: `#${ids[2]} ` }).waitFor();
    // The detail says what the model's figure is.
    expect(await page.locator('.attribution').textContent()).toMatch(/confidence in (its|this) best guess/i);
  });

  it('comes back (Esc) to the row of the break it showed, its filter and sort kept', async () => {
    const id = await detailBreakId();
    await page.keyboard.press('Escape');
    await page.locator('.ag-row[row-index="2"] .ag-cell-focus').waitFor();
    expect(await gridCell(page, 2, 'breakId')).toBe(String(id));
    expect(await facetPicks(page, 'Reason')).toEqual(['UNKNOWN']);
    expect(await page.getByRole('columnheader', { name: 'Key' }).getAttribute('aria-sort')).toBe('descending');
  });

  it('comes back to the same row and scroll position deep in the grid', async () => {
    await clearFacet(page, 'Reason');
    const total = await settledCount(page);
    expect(total).toBeGreaterThan(80);
    await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').click();
    for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowDown');
    const at = await focusedRowIndex(page);
    expect(at).toBe(60);
    const id = await gridCell(page, at, 'breakId');
    const top = await gridScrollTop(page);
    expect(top).toBeGreaterThan(0);
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'Records A and B side by side' }).waitFor();
    expect(String(await detailBreakId())).toBe(id);
    await page.keyboard.press('Escape');
    await page.locator(`.ag-row[row-index="${at}"] .ag-cell-focus`).waitFor();
    expect(await focusedRowIndex(page)).toBe(at);
    expect(Math.abs((await gridScrollTop(page)) - top)).toBeLessThan(40);
    // The keyboard carries on from there.
    await page.keyboard.press('j');
    await page.locator(`.ag-row[row-index="${at + 1}"] .ag-cell-focus`).waitFor();
  });

  it('shows every row of a key duplicated in B, on both sides, with its file line, from each of its rows', async () => {
    await pickFacet(page, 'Diff type', 'DUPLICATE_KEY');
    const n = await settledCount(page);
    await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').first().waitFor();
    // The rows drawn (the grid draws what fits): a key's breaks are consecutive, by break id.
    const drawn = Math.min(n, await page.locator('.ag-row[row-index] .ag-cell[col-id="key"]').count());
    const keys: string[] = [];
    for (let i = 0; i < drawn; i++) keys.push(await gridCell(page, i, 'key'));
    // A key twice in B and once in A: three breaks, the A row's and each B row's.
    const key = keys.find((k) => linesB.get(k)?.length === 2 && linesA.get(k)?.length === 1)!;
    expect(key).toBeDefined();
    const rows = keys.flatMap((k, i) => (k === key ? [i] : []));
    expect(rows).toHaveLength(3);
    const [b1, b2] = linesB.get(key)!;
    for (const index of rows) {
      await page.locator(`.ag-row[row-index="${index}"] .ag-cell[col-id="key"]`).click();
      await page.keyboard.press('Enter');
      const headings = await recordHeadings();
      expect(headings).toHaveLength(3);
      expect(headings[0]).toContain(`A · line ${linesA.get(key)![0]}`);
      expect(headings[1]).toContain(`B · line ${b1}`);
      expect(headings[2]).toContain(`B · line ${b2}`);
      expect(headings.join(' ')).not.toMatch(/not in|no record/);
      await page.keyboard.press('Escape');
      await page.locator(`.ag-row[row-index="${index}"] .ag-cell-focus`).waitFor();
    }
  });

  it('shows a rejected counterpart with its raw values, line and reason', async () => {
    await pickFacet(page, 'Diff type', 'REJECTED_IN_B');
    await waitForCount(page, 1);
    await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').click();
    await page.keyboard.press('Enter');
    const headings = await recordHeadings();
    expect(headings[0]).toContain(`A · line ${linesA.get(REJECTED_KEY)![0]}`);
    expect(headings[1]).toContain(`B · line ${linesB.get(REJECTED_KEY)![0]}`);
    expect(headings[1]).toContain('rejected');
    const table = page.getByRole('table', { name: 'Records A and B side by side' });
    expect(await table.locator('tr', { hasText: 'Quantity' }).textContent()).toContain('12x');
    expect(await page.getByRole('list', { name: 'Why the row was rejected' }).textContent()).toMatch(/qty.*expected a whole number.*12x/);
    await page.keyboard.press('Escape');
  });

  it('gives file lines, not record positions, for a mismatch', async () => {
    await pickFacet(page, 'Diff type', 'MISMATCH');
    await settledCount(page);
    const key = await gridCell(page, 0, 'key');
    await page.locator('.ag-row[row-index="0"] .ag-cell[col-id="key"]').click();
    await page.keyboard.press('Enter');
    const headings = await recordHeadings();
    expect(headings[0]).toContain(`A · line ${linesA.get(key)![0]}`);
    expect(headings[1]).toContain(`B · line ${linesB.get(key)![0]}`);
    expect(headings.join(' ')).not.toMatch(/record \d/);
  });

  it('logged no console error or CSP violation', () => {
    expect(ws.errors).toEqual([]);
  });
});
