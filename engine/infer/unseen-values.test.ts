import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRuleProposals, columnWideProposals } from './apply-rules.ts';
import { inferDefinition } from './infer.ts';
import { runAndReadBreaks } from './testing/compare-runs.ts';
import { rng } from './testing/unseen-pairs.ts';

/**
 * Values that broke inference on files it had never seen: numbers with more
 * digits than a DECIMAL(38) holds at the scale the other values ask for,
 * zero-padded numbers on one side only, and a headerless mainframe export
 * (padded numbers, implied decimals, yyyymmdd dates, trailing spaces).
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-infer-values-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('numbers too long for the scale the other values ask for', () => {
  it('never fails on them: the scale leaves room for the integer digits, and the run agrees', async () => {
    const a = write('bigA.csv', ['id,amount', 'X1,1000000000000000000000', 'X2,0.30000000000000004', 'X3,7.25']);
    const b = write('bigB.csv', ['id,amount', 'X1,1000000000000000000000.00', 'X2,0.30', 'X3,7.25']);
    const { definition, report } = await inferDefinition({ aPath: a, bPath: b });
    const amount = definition.fields?.find((f) => f.name === 'amount');
    expect(amount).toMatchObject({ type: 'decimal' });
    // 22 integer digits leave 16 of a DECIMAL(38)'s places.
    expect(amount?.scale).toBeLessThanOrEqual(16);
    expect(report.columns.a.find((c) => c.column === 'amount')?.reason).toMatch(/integer digits leave room/);
    const run = await runAndReadBreaks(a, b, definition);
    expect(run.summary.counts).toMatchObject({ missingInA: 0, missingInB: 0 });
  });

  it('types whole numbers beyond 38 digits as text, and still maps them', async () => {
    const huge = '1'.repeat(40);
    const a = write('hugeA.csv', ['id,amount', `X1,${huge}`, 'X2,0.5', 'X3,7.25']);
    const b = write('hugeB.csv', ['id,amount', `X1,${huge}.00`, 'X2,0.50', 'X3,7.25']);
    const { report } = await inferDefinition({ aPath: a, bPath: b });
    expect(report.columns.a.find((c) => c.column === 'amount')).toMatchObject({ type: 'string' });
    expect(report.columns.a.find((c) => c.column === 'amount')?.reason).toMatch(/more than a 38-digit decimal/);
  });

  it('reads a spreadsheet’s float noise (0.1 + 0.2) and 1e21 against a CSV without failing', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Payments');
    ws.addRow(['PayRef', 'Amount']);
    const amounts = [100.1, 0.1 + 0.2, 1e21, 5, 123456789.125, -0.005];
    amounts.forEach((x, i) => ws.addRow([`P${i + 1}`, x]));
    const a = join(dir, 'pay.xlsx');
    await wb.xlsx.writeFile(a);
    const b = write('payB.csv', ['PayRef,Amount', 'P1,100.10', 'P2,0.30', 'P3,1000000000000000000000', 'P4,5.00', 'P5,123456789.13', 'P6,-0.01']);
    const { definition } = await inferDefinition({ aPath: a, bPath: b });
    expect(definition.key).toEqual(['PayRef']);
    expect(definition.fields?.find((f) => f.name === 'Amount')?.b ?? 'Amount').toBe('Amount');
  });
});

describe('zero-padded numbers on one side', () => {
  it('finds the key Ticket + Desk ↔ ticket_no + desk_code, types Ticket integer, maps Notional, and the run matches', async () => {
    const r = rng(7);
    const desks = ['TKY-EQ', 'NY-FX', 'LDN-RATES'];
    const rowsA = ['Desk,Ticket,Ccy,Notional'];
    const rowsB = ['desk_code|ticket_no|currency|notional_amt'];
    for (let t = 1; t <= 150; t++) {
      for (const desk of desks) {
        const n = (r() * 300_000).toFixed(2);
        const ccy = r() < 0.5 ? 'USD' : 'EUR';
        rowsA.push(`${desk},${String(t).padStart(5, '0')},${ccy},${n}`);
        rowsB.push(`${desk}|${t}|${ccy}|${n}`);
      }
    }
    const a = write('cpA.csv', rowsA);
    const b = write('cpB.csv', rowsB);
    const { definition, report } = await inferDefinition({ aPath: a, bPath: b });
    expect([...(definition.key ?? [])].sort()).toEqual(['Desk', 'Ticket']);
    expect([...report.key.bColumns].sort()).toEqual(['desk_code', 'ticket_no']);
    expect(report.key.overlap).toBe(1);
    expect(definition.fields?.find((f) => f.name === 'Ticket')?.type).toBe('integer');
    expect(definition.fields?.find((f) => f.name === 'Notional')).toMatchObject({ b: 'notional_amt', type: 'decimal' });
    const run = await runAndReadBreaks(a, b, definition);
    expect(run.summary.counts).toMatchObject({ missingInA: 0, missingInB: 0 });
    expect(run.breaks).toEqual([]);
  });

  it('compares by number when the other file pads to another width, or pads other columns of its own', async () => {
    const rowsA = ['Ref,Branch,Amount'];
    const rowsB = ['ref_no;branch_code;amount'];
    for (let i = 1; i <= 60; i++) {
      const branch = String(1 + (i % 7)).padStart(3, '0');
      rowsA.push(`${String(i * 13).padStart(6, '0')},${branch},${i}.25`);
      rowsB.push(`${String(i * 13).padStart(9, '0')};${branch};${i}.25`);
    }
    const a = write('widthA.csv', rowsA);
    const b = write('widthB.csv', rowsB);
    const { definition, report } = await inferDefinition({ aPath: a, bPath: b });
    expect(definition.key).toEqual(['Ref']);
    expect(report.key.overlap).toBe(1);
    expect(definition.fields?.find((f) => f.name === 'Ref')?.type).toBe('integer');
    // The branch codes are padded alike on both sides: text, as written.
    expect(definition.fields?.find((f) => f.name === 'Branch')).toMatchObject({ b: 'branch_code' });
    expect(definition.fields?.find((f) => f.name === 'Branch')?.type ?? 'string').toBe('string');
    const run = await runAndReadBreaks(a, b, definition);
    expect(run.summary.counts).toMatchObject({ missingInA: 0, missingInB: 0 });
    expect(run.breaks).toEqual([]);
  });

  it('keeps padded identifiers as text when both files pad them', async () => {
    const a = write('padA.csv', ['id,qty', ...Array.from({ length: 30 }, (_, i) => `${String(i + 1).padStart(6, '0')},${i}`)]);
    const b = write('padB.csv', ['ref,qty', ...Array.from({ length: 30 }, (_, i) => `${String(i + 1).padStart(6, '0')},${i}`)]);
    const { definition } = await inferDefinition({ aPath: a, bPath: b });
    expect(definition.key).toEqual(['id']);
    expect(definition.fields?.find((f) => f.name === 'id')?.type ?? 'string').toBe('string');
  });
});

describe('a headerless mainframe export', () => {
  it('finds the key and every field by values, yyyymmdd dates and implied decimals, and reconciles every record', async () => {
    const r = rng(11);
    const rowsA: string[] = [];
    const rowsB = ['account_number,branch_code,ledger_balance,as_of,name'];
    for (let i = 0; i < 300; i++) {
      const acct = 10_000_000 + Math.floor(r() * 89_999_999);
      const branch = 1 + Math.floor(r() * 30);
      const cents = Math.floor(r() * 40_000_000_000) - 5_000_000_000;
      const day = new Date(Date.UTC(2024, 0, 1 + Math.floor(r() * 28)));
      const ymd = day.toISOString().slice(0, 10);
      const name = `ACCT NAME ${i}`;
      const abs = String(Math.abs(cents)).padStart(15, '0');
      rowsA.push(`${String(acct).padStart(10, '0')}|${String(branch).padStart(3, '0')}|${cents < 0 ? '-' : ''}${abs} |${ymd.replaceAll('-', '')}|${name.padEnd(30, ' ')}`);
      rowsB.push(`${acct},${branch},${(cents / 100).toFixed(2)},${ymd},${name}`);
    }
    const a = write('mfA.txt', rowsA);
    const b = write('mfB.csv', rowsB);
    const { definition, report } = await inferDefinition({ aPath: a, bPath: b });
    expect(report.files.a.header.value).toBe(false);
    expect(report.key.bColumns).toEqual(['account_number']);
    expect(report.key.overlap).toBe(1);
    const byB = Object.fromEntries((definition.fields ?? []).map((f) => [f.b ?? f.name, f]));
    expect(Object.keys(byB).sort()).toEqual(['account_number', 'as_of', 'branch_code', 'ledger_balance', 'name']);
    expect(byB['as_of']).toMatchObject({ type: 'date' });
    expect(report.files.a.dateFormats.map((d) => d.format.value)).toEqual(['%Y%m%d']);
    expect(byB['ledger_balance']).toMatchObject({ type: 'decimal' });
    const scale = report.rules.find((x) => x.field === byB['ledger_balance']?.name && x.kind === 'scale');
    expect(scale?.columnWide).toBe(true);
    const accepted = applyRuleProposals(definition, columnWideProposals(report.rules));
    const run = await runAndReadBreaks(a, b, accepted);
    expect(run.summary.counts).toMatchObject({ missingInA: 0, missingInB: 0 });
    expect(run.breaks).toEqual([]);
  });
});

describe('JSON columns that mix strings and numbers', () => {
  it('are read as a run reads them: a string by its value, not its quoted JSON text', async () => {
    const a = join(dir, 'mixed.ndjson');
    writeFileSync(a, `${Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: i % 3 === 0 ? i : `K${i}`, amt: i % 2 === 0 ? `${i}.50` : i + 0.25 })).join('\n')}\n`);
    const b = write('mixedB.csv', ['id,amt', ...Array.from({ length: 30 }, (_, i) => `${i % 3 === 0 ? i : `K${i}`},${i % 2 === 0 ? `${i}.50` : `${i}.25`}`)]);
    const { definition, report } = await inferDefinition({ aPath: a, bPath: b });
    expect(definition.key).toEqual(['id']);
    // Quoted, two thirds of the keys ("K1") would not be found in B, and "10.50" would be no number.
    expect(report.key.overlap).toBe(1);
    expect(definition.fields?.find((f) => f.name === 'amt')).toMatchObject({ type: 'decimal', scale: 2 });
    const run = await runAndReadBreaks(a, b, definition);
    expect(run.summary.counts).toMatchObject({ matched: 30, missingInA: 0, missingInB: 0 });
    expect(run.summary.breaks.total).toBe(0);
  });
});
