import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from './export.ts';
import { registeredRun, type FixtureRun } from './testing/fixture.ts';
import { ALICE } from '../workflow/testing/fixtures.ts';

/** Every rejected input row is in the workbook, not only the summary's sample of 20. */
let run: FixtureRun;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'recon-rejects-sheet-'));
  const a = ['id,amount', ...Array.from({ length: 30 }, (_, i) => `K${i},${i < 25 ? `bad${i}` : '1.00'}`), 'K99,1.00,extra'];
  writeFileSync(join(dir, 'a.csv'), `${a.join('\n')}\n`);
  writeFileSync(join(dir, 'b.csv'), 'id,amount\nK29,1.00\n');
  run = await registeredRun(join(dir, 'a.csv'), join(dir, 'b.csv'), { name: 'rejects', key: ['id'], fields: [{ name: 'id' }, { name: 'amount', type: 'decimal', scale: 2 }] }, 'rejects');
});
afterAll(() => {
  run.store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the XLSX export', () => {
  it('lists every rejected row with its line, column, value and reason', async () => {
    const out = join(dir, 'run.xlsx');
    await exportRun({ workspace: run.workspace, runId: run.runId, format: 'xlsx', out, actor: ALICE, store: run.store });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.getWorksheet('Rejects')!;
    expect(ws.getRow(1).values).toEqual([undefined, 'Side', 'File', 'Line', 'Column', 'Value', 'Reason']);
    const rows = Array.from({ length: ws.rowCount - 1 }, (_, i) => ws.getRow(i + 2));
    // 25 amounts that are not numbers and one record with a field too many: more than the summary's sample.
    expect(rows).toHaveLength(26);
    const byLine = new Map(rows.map((r) => [r.getCell(3).value, r]));
    expect(byLine.get(2)!.getCell(4).text).toBe('amount');
    expect(byLine.get(2)!.getCell(5).text).toBe('bad0');
    expect(byLine.get(2)!.getCell(6).text).toMatch(/expected a decimal number/);
    expect(byLine.get(32)!.getCell(1).text).toBe('A');
  });

  it('and the narrative says the gate passed with records nobody compared', async () => {
    const out = join(dir, 'run.md');
    await exportRun({ workspace: run.workspace, runId: run.runId, format: 'narrative-md', out, actor: ALICE, store: run.store });
    expect(readFileSync(out, 'utf8')).toContain('The gate warns: A: 26 record(s) rejected, not compared (see rejects).');
  });
});
