import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { sql } from '../store/sql.ts';
import { approveProposal } from '../workflow/approvals.ts';
import { decide } from '../workflow/decisions.ts';
import { openBreakSource } from '../run-file/break-source.ts';
import { ALICE, BOB } from '../workflow/testing/fixtures.ts';
import { EXPORT_COLUMNS } from './columns.ts';
import { exportRun, type ExportFormat } from './export.ts';
import { HOSTILE_COLUMN, HOSTILE_NAME, hostileRun, parseCsv, type FixtureRun } from './testing/fixture.ts';

/**
 * Every export of a run whose keys, values, column name and definition name
 * try formula and markup injection, with reviewer decisions in the store:
 * CSV in both profiles, the streamed XLSX read back, the narrative's HTML.
 */

let run: FixtureRun;
let out: string;
// eslint-disable-next-line no-control-regex -- NUL is one of the formula triggers under test
const TRIGGER = /^[=+\-@\t\r\u0000]/;
/** What Excel shows for a stored string: OOXML "_xHHHH_" escapes decoded (exceljs's reader leaves them). */
const excelText = (s: string): string => s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

beforeAll(async () => {
  run = await hostileRun();
  out = mkdtempSync(join(tmpdir(), 'recon-exports-'));
  const source = await openBreakSource(run.summary.database);
  try {
    const rejected = await decide(run.store, source, ALICE, { runId: run.runId, breakId: 1, kind: 'REJECT', comment: '=HYPERLINK("http://evil.example","see")' });
    expect(rejected.breakCount).toBe(1);
    const proposal = await decide(run.store, source, ALICE, { runId: run.runId, breakId: 2, kind: 'OVERRIDE', reason: 'STATIC_DATA', comment: 'spelling' });
    approveProposal(run.store, BOB, proposal.decisionId, 'ok');
  } finally {
    source.close();
  }
});
afterAll(() => run.store.close());

const exp = (format: ExportFormat, file: string, extra: Partial<Parameters<typeof exportRun>[0]> = {}) =>
  exportRun({ workspace: run.workspace, runId: run.runId, format, out: join(out, file), actor: ALICE, store: run.store, ...extra });

async function dbBreaks(): Promise<{ break_id: string; key: string; value_a: string | null; value_b: string | null; delta: string | null }[]> {
  const db = await openDuckDB({ path: run.summary.database, readOnly: true });
  try {
    return await queryRows(db.connection, 'SELECT break_id, key, value_a, value_b, delta FROM breaks ORDER BY break_id');
  } finally {
    db.close();
  }
}

describe('CSV exports', () => {
  it('machine profile: no cell starts with a trigger except our strict numbers; values round-trip', async () => {
    const r = await exp('csv', 'breaks.csv');
    const text = readFileSync(r.path, 'utf8');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(EXPORT_COLUMNS.map((c) => c.header));
    const db = await dbBreaks();
    expect(rows.length - 1).toBe(db.length);
    const col = (h: string): number => EXPORT_COLUMNS.findIndex((c) => c.header === h);
    for (const row of rows.slice(1)) {
      row.forEach((cell, i) => {
        if (!TRIGGER.test(cell)) return;
        const c = EXPORT_COLUMNS[i]!;
        expect(c.kind === 'number' && !c.input && /^-?\d+(\.\d+)?$/.test(cell), `${c.header}: ${JSON.stringify(cell)}`).toBe(true);
      });
    }
    const unprefix = (s: string): string | null => (s === '' ? null : s.startsWith("'") && TRIGGER.test(s.slice(1).trimStart()) ? s.slice(1) : s);
    expect(rows.slice(1).map((r2) => [unprefix(r2[col('Key')]!), unprefix(r2[col('Value A')]!), unprefix(r2[col('Value B')]!)])).toEqual(db.map((b) => [b.key, b.value_a, b.value_b]));
    // A negative delta we computed stays a number for programs.
    expect(rows.slice(1).map((r2) => r2[col('Delta')])).toContain('-5.00');
    // Decisions: the rejection with its (hostile) comment, the approved override with both people.
    const first = rows[1]!;
    expect(first[col('Status')]).toBe('REJECTED');
    expect(first[col('Decided by')]).toBe('alice');
    expect(first[col('Comment')]).toBe(`'=HYPERLINK("http://evil.example","see")`);
    const second = rows[2]!;
    expect([second[col('Status')], second[col('Reason')], second[col('Decided by')], second[col('Approved by')]]).toEqual(['OVERRIDDEN', 'STATIC_DATA', 'alice', 'bob']);
  });

  it('Excel profile: BOM, the locale’s delimiter and decimal comma, everything neutralized', async () => {
    const de = await exp('csv-excel', 'de.csv', { locale: 'de-DE' });
    const text = readFileSync(de.path, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const rows = parseCsv(text.slice(1), ';');
    expect(rows[0]).toEqual(EXPORT_COLUMNS.map((c) => c.header));
    for (const row of rows.slice(1)) for (const cell of row) expect(TRIGGER.test(cell), JSON.stringify(cell)).toBe(false);
    const delta = rows.slice(1).map((r2) => r2[EXPORT_COLUMNS.findIndex((c) => c.header === 'Delta')]);
    expect(delta).toContain("'-5,00");
    const us = await exp('csv-excel', 'us.csv', { locale: 'en-US' });
    expect(readFileSync(us.path, 'utf8').split('\r\n')[0]).toMatch(/^\uFEFFBreak ID,Key,/);
    const tab = await exp('csv-excel', 'tab.csv', { locale: 'de-DE', delimiter: '\t' });
    expect(readFileSync(tab.path, 'utf8').split('\r\n')[0]).toMatch(/^\uFEFFBreak ID\tKey\t/);
  });
});

describe('XLSX export', () => {
  it('writes input values as text cells, computed numbers as numbers, with frozen header and filters', async () => {
    const r = await exp('xlsx', 'breaks.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.path);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Breaks', 'Resolved', 'Rejects']);
    const ws = wb.getWorksheet('Breaks')!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
    const db = await dbBreaks();
    expect(ws.rowCount).toBe(db.length + 1);
    const col = (h: string): number => EXPORT_COLUMNS.findIndex((c) => c.header === h) + 1;
    db.forEach((b, i) => {
      const row = ws.getRow(i + 2);
      const text = (c: number): string | null => {
        const cell = row.getCell(c);
        if (cell.value === null || cell.value === undefined) return null;
        expect(cell.type, `row ${i + 2} col ${c}`).toBe(ExcelJS.ValueType.RichText);
        expect(cell.formula).toBeUndefined();
        return excelText(cell.text);
      };
      expect([text(col('Key')), text(col('Value A')), text(col('Value B'))]).toEqual([b.key, b.value_a, b.value_b]);
      expect(row.getCell(col('Break ID')).value).toBe(Number(b.break_id));
      if (b.delta !== null) {
        expect(row.getCell(col('Delta')).type).toBe(ExcelJS.ValueType.Number);
        expect(row.getCell(col('Delta')).value).toBe(Number(b.delta));
        expect(row.getCell(col('Delta')).numFmt).toBe('#,##0.00');
      }
    });
    expect(ws.getRow(2).getCell(col('Comment')).text).toBe('=HYPERLINK("http://evil.example","see")');
    const summary = wb.getWorksheet('Summary')!;
    const items = new Map<string, unknown>();
    summary.eachRow((row) => items.set(row.getCell(1).text, row.getCell(2).value));
    expect(items.get('Breaks')).toBe(db.length);
    expect(items.get('Definition')).toMatchObject({ richText: [{ text: HOSTILE_NAME }] });
  });
});

describe('narrative and summary', () => {
  it('escapes run data in HTML and Markdown', async () => {
    const html = readFileSync((await exp('narrative-html', 'n.html')).path, 'utf8');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; &amp; co');
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
    const md = readFileSync((await exp('narrative-md', 'n.md')).path, 'utf8');
    expect(md).not.toMatch(/<script|<img/);
    expect(md).toContain('&lt;script&gt;');
  });

  it('writes the summary as JSON or text; each export is one audit event', async () => {
    const before = run.store.read((tx) => tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM audit_events WHERE action = 'export.written'`))!.n;
    const json = JSON.parse(readFileSync((await exp('summary', 's.json')).path, 'utf8')) as { breaks: { total: number; byField: Record<string, number> }; review: { decided: number; decidedByStatus: Record<string, number> } };
    expect(json.breaks.total).toBe((await dbBreaks()).length);
    expect(json.breaks.byField[HOSTILE_COLUMN]).toBe(1);
    expect(json.review).toMatchObject({ decided: 2, decidedByStatus: { ACCEPTED: 0, OVERRIDDEN: 1, REJECTED: 1 } });
    const text = readFileSync((await exp('summary', 's.txt')).path, 'utf8');
    expect(text).toMatch(/Breaks: \d+ \(/);
    const after = run.store.read((tx) => tx.all<{ after: string }>(sql`SELECT after FROM audit_events WHERE action = 'export.written' ORDER BY seq`));
    expect(after.length).toBe(before + 2);
    expect(JSON.parse(after.at(-1)!.after)).toMatchObject({ kind: 'summary', runId: 'hostile' });
  });

  it('fails clearly for a missing run or an unknown format, leaving no file', async () => {
    await expect(exportRun({ workspace: run.workspace, runId: 'nope', format: 'csv', out: join(out, 'x.csv'), actor: ALICE })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await expect(exportRun({ workspace: run.workspace, runId: '../x', format: 'csv', out: join(out, 'x.csv'), actor: ALICE })).rejects.toBeInstanceOf(ReconError);
    await expect(exp('pdf' as ExportFormat, 'x.pdf')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
