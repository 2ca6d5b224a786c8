import ExcelJS from 'exceljs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionReader } from './decisions.ts';
import { openFinishedRun, type FinishedRun } from '../run-file/finished-run.ts';
import { buildSummary } from './summary.ts';
import { hostileRun, type FixtureRun } from './testing/fixture.ts';
import { numberCell, textCell, writeBreaksXlsx } from './xlsx.ts';

/** The XLSX cell rules and the sheet split past Excel's row limit. */

let run: FixtureRun;
let file: FinishedRun;
beforeAll(async () => {
  run = await hostileRun();
  file = await openFinishedRun(run.workspace, run.runId);
});
afterAll(() => {
  file.close();
  run.store.close();
});

describe('XLSX cells', () => {
  it('keeps text literal: XML-invalid characters replaced, "_xHHHH_" and CR escaped, long text cut at Excel’s limit', () => {
    expect(textCell('a\u0001b')).toEqual({ richText: [{ text: 'a\uFFFDb' }] });
    expect(textCell('_x0041_')).toEqual({ richText: [{ text: '_x005F_x0041_' }] });
    expect(textCell('a\rb')).toEqual({ richText: [{ text: 'a_x000D_b' }] });
    expect(textCell('x'.repeat(40_000)).richText[0]!.text.length).toBe(32_767);
  });

  it('writes exact numbers as numbers with their decimals, and as text when a double would round them', () => {
    expect(numberCell('-17874.91')).toEqual({ value: -17874.91, numFmt: '#,##0.00' });
    expect(numberCell('3')).toEqual({ value: 3, numFmt: '#,##0' });
    expect(numberCell('12345678901234567.89').numFmt).toBe('@');
  });
});

describe('XLSX sheets', () => {
  it('continues on "Breaks (2)" when a sheet is full, each sheet with its own header and filter', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'recon-xlsx-')), 'split.xlsx');
    const summary = await buildSummary(file, decisionReader(run.store, run.runId));
    const rows = await writeBreaksXlsx(file, summary, decisionReader(run.store, run.runId), out, { maxRowsPerSheet: 3 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const sheets = wb.worksheets.filter((w) => w.name.startsWith('Breaks'));
    expect(sheets.map((w) => w.name)).toEqual(['Breaks', ...Array.from({ length: sheets.length - 1 }, (_, i) => `Breaks (${i + 2})`)]);
    expect(sheets.reduce((n, w) => n + w.rowCount - 1, 0)).toBe(rows);
    for (const w of sheets) {
      expect(w.getRow(1).getCell(1).text).toBe('Break ID');
      expect(w.autoFilter).toBeTruthy();
    }
  });
});
