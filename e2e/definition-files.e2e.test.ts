/**
 * Issue 13 item 22, in Debian's Chromium against `recon serve`: the new-run
 * screen imports a definition file and exports the form as one.
 * - A file the schema refuses is named with each problem's JSON path.
 * - A definition using options the form has no control for (rounding,
 *   emptyKeyParts, normalize.*, a field's trim, map.a…) imports, and
 *   exports back equal to the file, plus what was edited in the form.
 * - FX rates for attribution are entered in the form, and the run started
 *   from it uses them (attribution.fxRates of the run's definition).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExtracts, type GenerateResult } from '../engine/generate/generate-extracts.ts';
import { GENERATED_DEFINITION } from '../engine/generate/definition.ts';
import { runAndWait } from './flows.ts';
import { openWorkstation, savedDefinition, type Workstation } from './harness.ts';

let dir: string;
let gen: GenerateResult;
let ws: Workstation;
let page: Page;

/** The generated definition with options the form does not edit, and one FX rate short (it is added in the form). */
const someRates: Record<string, string> = Object.fromEntries(Object.entries(GENERATED_DEFINITION.attribution.fxRates).filter(([pair]) => pair !== 'AUDUSD'));
const original = {
  ...GENERATED_DEFINITION,
  name: 'Imported trades',
  description: 'every option the form does not edit',
  emptyKeyParts: 'reject',
  fields: GENERATED_DEFINITION.fields.map((f) =>
    f.name === 'Notional' ? { ...f, rounding: 'round' } : f.name === 'Side' ? { ...f, map: { a: { Buy: 'BUY' }, b: f.map.b } } : f.name === 'Counterparty' ? { ...f, trim: true } : f.name === 'ISIN' ? { ...f, case: 'none' } : f,
  ),
  normalize: { trim: true, case: 'none', rounding: 'round' },
  attribution: { ...GENERATED_DEFINITION.attribution, fxRates: someRates },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-definitions-'));
  gen = await generateExtracts({ rows: 600, outDir: join(dir, 'data'), seed: 21 });
  await writeFile(join(dir, 'original.json'), JSON.stringify(original, null, 2));
  await writeFile(join(dir, 'invalid.json'), JSON.stringify({ ...original, fields: [{ name: 'TradeID', type: 'money' }, ...original.fields.slice(1)], attribution: { fxRates: { 'EUR/USD': '1.1' } } }, null, 2));
  ws = await openWorkstation(join(dir, 'workspace'), { RECON_USER: 'ada' });
  page = ws.page;
}, 180_000);

afterAll(async () => {
  await ws?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const fileField = () => page.locator('#definition-file-path');
const notice = () => page.locator('.definition-file .notice.ok');

describe('definition files on the new-run screen', () => {
  it('refuses a file the schema refuses, naming each problem by its JSON path', async () => {
    await page.getByRole('button', { name: 'New run' }).first().click();
    await page.getByRole('heading', { name: 'New run' }).waitFor();
    await fileField().fill(join(dir, 'invalid.json'));
    await page.getByRole('button', { name: 'Import' }).click();
    const problems = page.getByRole('list', { name: 'Problems in the definition file' });
    await problems.waitFor();
    const items = await problems.getByRole('listitem').allTextContents();
    expect(items).toEqual(expect.arrayContaining([expect.stringMatching(/^fields\[0\]\.type: /), expect.stringMatching(/^attribution\.fxRates\.EUR\/USD: /)]));
    expect(await page.locator('.definition-file').getByRole('alert').textContent()).toContain('DEFINITION_INVALID');
    expect(await page.getByRole('table', { name: 'Column mapping' }).count()).toBe(0);
  });

  it('imports a valid file into the form: its name, its mapping and its FX rates', async () => {
    await fileField().fill(join(dir, 'original.json'));
    await page.getByRole('button', { name: 'Import' }).click();
    await notice().filter({ hasText: `Imported ${join(dir, 'original.json')}` }).waitFor();
    await page.getByRole('table', { name: 'Column mapping' }).waitFor();
    expect(await page.locator('#definition-name').inputValue()).toBe('Imported trades');
    const rates = page.getByRole('table', { name: 'FX rates' });
    expect(await rates.getByRole('row').count()).toBe(1 + Object.keys(someRates).length);
    expect(await page.getByLabel('FX pair 1', { exact: true }).inputValue()).toBe('EURUSD');
    expect(await page.getByLabel('FX rate 1', { exact: true }).inputValue()).toBe('1.0850');
  });

  it('takes an FX rate typed in the form; exports the form equal to the file plus that rate; asks before replacing', async () => {
    await page.getByRole('button', { name: 'Add FX rate' }).click();
    const n = Object.keys(someRates).length + 1;
    await page.getByLabel(`FX pair ${n}`, { exact: true }).fill('audusd');
    await page.getByLabel(`FX rate ${n}`, { exact: true }).fill('0.6550');
    const out = join(dir, 'exported', 'trades.json');
    await fileField().fill(out);
    await page.getByRole('button', { name: 'Export' }).click();
    await notice().filter({ hasText: `Exported the definition to ${out}` }).waitFor();
    const expected = { ...original, attribution: { ...original.attribution, fxRates: { ...someRates, AUDUSD: '0.6550' } } };
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(expected);

    await page.getByRole('button', { name: 'Export' }).click();
    await page.locator('.definition-file').getByRole('alert').filter({ hasText: 'EXPORT_PATH_EXISTS' }).waitFor();
    await page.getByLabel('Replace the file if it exists').check();
    await page.getByRole('button', { name: 'Export' }).click();
    await notice().filter({ hasText: `Exported the definition to ${out}` }).waitFor();

    // What was exported imports back and exports again the same.
    await page.getByRole('button', { name: 'Import' }).click();
    await notice().filter({ hasText: `Imported ${out}` }).waitFor();
    const again = join(dir, 'exported', 'again.json');
    await fileField().fill(again);
    await page.getByRole('button', { name: 'Export' }).click();
    await notice().filter({ hasText: `Exported the definition to ${again}` }).waitFor();
    expect(JSON.parse(await readFile(again, 'utf8'))).toEqual(expected);
  });

  it('runs with the FX rates of the form: the run\'s definition holds them', async () => {
    await page.locator('#source-a-path').fill(gen.aPath);
    await page.locator('#source-b-path').fill(gen.bPath);
    const runId = await runAndWait(page);
    expect(runId).not.toBe('');
    const saved = savedDefinition(join(dir, 'workspace'), original.name) as typeof original;
    expect(saved.attribution.fxRates).toEqual({ ...someRates, AUDUSD: '0.6550' });
    expect(saved).toMatchObject({ emptyKeyParts: 'reject', normalize: { trim: true, case: 'none', rounding: 'round' } });
  });

  it('logged no console error or CSP violation', () => {
    expect(ws.errors).toEqual([]);
  });
});
