import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinitionFile } from '../definition/load.ts';
import { definitionSchema, type DefinitionInput } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { generateExtracts } from '../generate/generate-extracts.ts';
import { runRecon } from '../run/run-recon.ts';

/**
 * The long-form staging and compare of wide definitions (wide.ts,
 * diff/wide.ts) against the regular one-column-per-field path, forced on
 * ordinary files (RECON_WIDE_MIN_FIELDS): everything a run writes is the
 * same — breaks and their order, counts, checks, control totals, rejects
 * with their lines and reasons, warnings, attribution, and every field of
 * every record the breaks name, and every rejected one, in the views `a` and `b`.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-wide-same-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runWith(minFields: number, aPath: string, bPath: string, def: DefinitionInput, name: string): Promise<{ data: Record<string, unknown>; longForm: boolean }> {
  const before = process.env['RECON_WIDE_MIN_FIELDS'];
  process.env['RECON_WIDE_MIN_FIELDS'] = String(minFields);
  try {
    const s = await runRecon({ aPath, bPath, definition: definitionSchema.parse(def), workspace: join(dir, name) });
    const db = await openDuckDB({ path: s.database, readOnly: true });
    try {
      const q = (sql: string): Promise<Record<string, unknown>[]> => queryRows(db.connection, sql);
      const columns = (t: string): string => `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '${t}' ORDER BY column_index`;
      const longForm = (await q(`SELECT 1 FROM duckdb_tables() WHERE table_name = 'a_vals'`)).length === 1;
      const data = {
        breaks: await q('SELECT * FROM breaks ORDER BY break_id'),
        checks: await q('SELECT * FROM checks ORDER BY ALL'),
        rejects: await q('SELECT * FROM rejects ORDER BY ALL'),
        attributions: await q('SELECT break_id, reason, confidence, status, suggested_reason FROM attributions ORDER BY break_id'),
        columnsA: await q(columns('a')),
        columnsB: await q(columns('b')),
        // The records a reader reaches: a regular run staged in memory keeps only these (normalize/break-records.ts).
        a: await q('SELECT * FROM a WHERE __bad OR __rid IN (SELECT rid_a FROM breaks) ORDER BY __rid'),
        b: await q('SELECT * FROM b WHERE __bad OR __rid IN (SELECT rid_b FROM breaks) ORDER BY __rid'),
        summary: { ...s, runId: '', startedAt: '', finishedAt: '', database: '', timings: {}, attribution: { ...s.attribution, timings: {} } },
      };
      return { data, longForm };
    } finally {
      db.close();
    }
  } finally {
    if (before === undefined) delete process.env['RECON_WIDE_MIN_FIELDS'];
    else process.env['RECON_WIDE_MIN_FIELDS'] = before;
  }
}

async function expectSame(aPath: string, bPath: string, def: DefinitionInput, name: string): Promise<Record<string, unknown>> {
  const regular = await runWith(1_000_000, aPath, bPath, def, `${name}-regular`);
  const wide = await runWith(1, aPath, bPath, def, `${name}-wide`);
  expect([regular.longForm, wide.longForm]).toEqual([false, true]);
  for (const k of Object.keys(regular.data)) expect(wide.data[k], k).toEqual(regular.data[k]);
  return wide.data;
}

const A = `id,amt,qty,px,d,ts,flag,ccy,side,name,note,cents,sd
K01,10.00,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,USD,BUY,acme,n1,12.34,2024-01-02
K02,10.00,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,USD,BUY,acme,n1,12.34,2024-01-02
K03,10.00,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,EUR,BUY,acme,n1,12.34,2024-01-02
K04,10.00,12x,1.2345,2024-01-02,2024-01-02 10:00:00,yes,EUR,BUY,acme,n1,12.34,2024-01-02
K05,,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,EUR,BUY,acme,n1,12.34,2024-01-02
K06,10.00,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,,BUY,acme,n1,12.34,2024-01-02
K07,10.005,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,USD,BUY,acme,n1,12.34,2024-01-02
K08,1.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K10,1.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K10,2.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K11,3.00,N/A,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K12,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K13,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K14,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K15,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,acme,n,1.00,2024-01-02
K16,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K17,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,one note,1.00,2024-01-02
K18,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,12.34,2024-01-02
K19,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,12.34,2024-01-02
K20,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K21,12345678901234567890.12,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K22,12345678901234567890.12,99999999999999999999,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K23,(12.50),1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,SELL,x,n,1.00,2024-01-02
K24,  7.25\t,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,GBP,SELL,x,n,1.00,2024-01-02
`;

const B = `ID,AMT,QTY,PX,D,TS,FLAG,CCY,SIDE,NAME,NOTE,CENTS,SD
K24,7.25,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,GBP,S,x,n,100,2024-01-03
K01,10.00,5,1.2345,2024-01-02,2024-01-02 10:00:00,Y,USD,B,ACME,n1,1234,2024-01-03
K02,10.01,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,USD,B,acme,n1,1234,2024-01-03
K03,10.50,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,EUR,B,acme,n1,1234,2024-01-03
K04,10.00,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,EUR,B,acme,n1,1234,2024-01-03
K05,,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,EUR,B,acme,n1,1234,2024-01-03
K06,10.00,5,1.23456,2024-01-02,2024-01-02 10:00:00,yes,,B,acme,n1,1234,2024-01-03
K07,10.01,5,1.2345,2024-01-02,2024-01-02 10:00:00,yes,USD,B,acme,n1,1234,2024-01-03
K09,1.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,100,2024-01-03
K10,1.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,100,2024-01-03
,1.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,100,2024-01-03
K11,3.00,,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,100,2024-01-03
K12,3.00,1,1.0000,2024-13-01,2024-01-02 10:00:00,no,USD,S,x,n,100,2024-01-03
K13,3.00,1,1.0000,2024-01-02,2024-01-03 10:00:00,no,USD,S,x,n,100,2024-01-03
K14,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,true,USD,S,x,n,100,2024-01-03
K15,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,Acme,n,100,2024-01-03
K16,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,B,x,n,100,2024-01-03
K17,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,another note,100,2024-01-03
K18,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,1234,2024-01-03
K19,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,1299,2024-01-03
K20,3.00,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,100,2024-01-05
K21,12345678901234567890.12,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,100,2024-01-03
K22,12345678901234567890.13,99999999999999999998,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,100,2024-01-03
K23,-12.5,1,1.0000,2024-01-02,2024-01-02 10:00:00,no,USD,S,x,n,100,2024-01-03
`;

const mixed: DefinitionInput = {
  name: 'every kind of field',
  key: ['id'],
  sources: { a: { nullValues: ['N/A'] } },
  fields: [
    { name: 'amt', type: 'decimal', scale: 2, tolerance: { abs: '0.01' } },
    { name: 'qty', type: 'integer' },
    { name: 'px', type: 'decimal', scale: 4, rounding: 'reject' },
    { name: 'd', type: 'date' },
    { name: 'ts', type: 'timestamp', tolerance: { days: 1 } },
    { name: 'flag', type: 'boolean' },
    { name: 'ccy', type: 'string' },
    { name: 'side', type: 'string', map: { b: { B: 'BUY', S: 'SELL' } } },
    { name: 'name', type: 'string', case: 'upper' },
    { name: 'note', type: 'string', compare: false },
    { name: 'cents', type: 'decimal', scale: 2, adjust: { b: { multiply: '0.01' } } },
    { name: 'sd', type: 'date', adjust: { b: { shiftDays: -1 } } },
  ],
};

describe('wide staging gives what the regular staging gives', () => {
  it('on a file with every kind of field, reject, rule and difference', async () => {
    writeFileSync(join(dir, 'a.csv'), A);
    writeFileSync(join(dir, 'b.csv'), B);
    const wide = await expectSame(join(dir, 'a.csv'), join(dir, 'b.csv'), mixed, 'mixed');
    // The fixture exercises what it claims to.
    const types = new Set((wide['breaks'] as { diff_type: string }[]).map((b) => b.diff_type));
    expect([...types].sort()).toEqual(['DUPLICATE_KEY', 'MISMATCH', 'MISSING_IN_A', 'MISSING_IN_B', 'REJECTED_IN_A', 'REJECTED_IN_B']);
    const summary = wide['summary'] as { counts: { rejectedA: number; rejectedB: number }; warnings: { a: string[] }; withinTolerance: { byField: Record<string, number> } };
    expect(summary.counts.rejectedA).toBeGreaterThan(0);
    expect(summary.counts.rejectedB).toBeGreaterThan(0);
    expect(summary.warnings.a.some((w) => w.startsWith('amt: '))).toBe(true);
    expect(Object.keys(summary.withinTolerance.byField).sort()).toEqual(['amt', 'ts']);
  }, 60_000);

  it('with a composite key whose empty parts match, and B as Parquet', async () => {
    const db = await openDuckDB({ path: ':memory:' });
    try {
      await db.connection.run(`COPY (SELECT * FROM read_csv('${join(dir, 'b.csv')}', all_varchar = true)) TO '${join(dir, 'b.parquet')}' (FORMAT parquet)`);
    } finally {
      db.close();
    }
    const composite: DefinitionInput = { ...mixed, name: 'composite', key: ['id', 'ccy'], emptyKeyParts: 'match' };
    await expectSame(join(dir, 'a.csv'), join(dir, 'b.parquet'), composite, 'composite');
  }, 60_000);

  it('when no field but the key is compared', async () => {
    const carried: DefinitionInput = { ...mixed, name: 'carried', fields: mixed.fields!.map((f) => ({ ...f, compare: false })) };
    await expectSame(join(dir, 'a.csv'), join(dir, 'b.csv'), carried, 'carried');
  }, 60_000);

  it('on generated trade extracts, listed fields and compareUnlisted', async () => {
    const g = await generateExtracts({ rows: 1500, outDir: join(dir, 'gen'), seed: 7 });
    const def = JSON.parse(readFileSync(g.definitionPath, 'utf8')) as DefinitionInput;
    await loadDefinitionFile(g.definitionPath);
    await expectSame(g.aPath, g.bPath, def, 'generated');
    await expectSame(g.aPath, g.aPath, { name: 'unlisted', key: ['TradeID'], compareUnlisted: true }, 'unlisted');
  }, 60_000);
});
