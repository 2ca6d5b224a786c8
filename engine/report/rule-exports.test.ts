/**
 * The detailed break exports (CSV and XLSX) name the reason rule that gave a
 * break its reason, its version and id, and the model's own reason beside
 * it; breaks the model attributed leave them empty. A run file from before
 * rules (version 1: no rule columns) still exports, the columns empty.
 */
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB } from '../duckdb/open.ts';
import { readRun, ruleWorkspace, runRule, type RuleWorkspace } from '../rules/testing/rule-runs.ts';
import { ALICE } from '../workflow/testing/fixtures.ts';
import { exportRun, type ExportFormat } from './export.ts';
import { parseCsv } from './testing/fixture.ts';

const RULE_HEADERS = ['Reason rule', 'Rule version', 'Rule ID', "Model's own reason"];
let ws: RuleWorkspace;
let ruled = '';
let old = '';
let want: Map<string, { rule_id: string | null; rule_name: string | null; rule_version: number | null; model_reason: string | null }>;

beforeAll(async () => {
  ws = await ruleWorkspace();
  const rule = runRule('r-export', { name: 'Notional, "timing"', reason: 'TIMING_DIFF', conditions: { field: 'Notional', diffType: 'MISMATCH' } }, 3);
  const s = await ws.run([rule], 'run-ruled');
  ruled = s.runId;
  const rows = await readRun<{ break_id: bigint; rule_id: string | null; rule_name: string | null; rule_version: number | null; model_reason: string | null }>(
    s.database,
    'SELECT break_id, rule_id, rule_name, rule_version, model_reason FROM attributions ORDER BY break_id',
  );
  want = new Map(rows.map((r) => [String(r.break_id), r]));
  // A run file as written before reason rules (version 1): no rule columns, no rules-in-force table.
  const o = await ws.run([], 'run-old');
  old = o.runId;
  const db = await openDuckDB({ path: o.database });
  try {
    for (const c of ['rule_id', 'rule_name', 'rule_version', 'model_reason', 'model_confidence', 'model_status']) await db.connection.run(`ALTER TABLE attributions DROP COLUMN ${c}`);
    await db.connection.run('DROP TABLE reason_rules_in_force');
    await db.connection.run('DROP TABLE run_file_version');
  } finally {
    db.close();
  }
}, 120_000);

afterAll(async () => ws?.dispose());

const exp = (runId: string, format: ExportFormat, file: string) => exportRun({ workspace: ws.workspace, runId, format, out: join(ws.dir, file), actor: ALICE, store: ws.store });

describe('reason rules in the break exports', () => {
  it('the CSV names the rule, its version and id, and the model’s own reason where a rule applied', async () => {
    const r = await exp(ruled, 'csv', 'ruled.csv');
    const rows = parseCsv(readFileSync(r.path, 'utf8').replace(/^\uFEFF/, ''));
    const header = rows[0]!;
    expect(header.slice(-RULE_HEADERS.length)).toEqual(RULE_HEADERS);
    const at = (h: string) => header.indexOf(h);
    let matched = 0;
    for (const row of rows.slice(1)) {
      const w = want.get(row[0]!)!;
      if (w.rule_id === null) {
        expect(RULE_HEADERS.map((h) => row[at(h)])).toEqual(['', '', '', '']);
        continue;
      }
      matched++;
      expect(RULE_HEADERS.map((h) => row[at(h)])).toEqual(['Notional, "timing"', '3', 'r-export', w.model_reason ?? '']);
      expect(row[at('Reason')]).toBe('TIMING_DIFF');
    }
    expect(matched).toBeGreaterThan(0);
  });

  it('the XLSX has the same columns', async () => {
    const r = await exp(ruled, 'xlsx', 'ruled.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.path);
    const sheet = wb.getWorksheet('Breaks')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    expect(header.slice(-RULE_HEADERS.length)).toEqual(RULE_HEADERS);
    const col = (h: string) => header.indexOf(h) + 1;
    const id = [...want.values()].find((w) => w.rule_id !== null)!;
    const row = sheet.getRow(Number((id as unknown as { break_id: bigint }).break_id) + 1);
    expect(row.getCell(col('Reason rule')).text).toBe('Notional, "timing"');
    expect(Number(row.getCell(col('Rule version')).value)).toBe(3);
  });

  it('a run file from before rules still exports, its rule columns empty', async () => {
    const r = await exp(old, 'csv', 'old.csv');
    const rows = parseCsv(readFileSync(r.path, 'utf8').replace(/^\uFEFF/, ''));
    expect(rows.length - 1).toBe(r.rows);
    expect(r.rows).toBeGreaterThan(0);
    const at = rows[0]!.indexOf('Reason rule');
    expect(rows.slice(1).every((row) => row.slice(at).every((v) => v === ''))).toBe(true);
    const x = await exp(old, 'xlsx', 'old.xlsx');
    expect(x.rows).toBe(r.rows);
  });
});
