import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput, SourceOptions } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { isInputError, ReconError } from '../errors/recon-error.ts';
import { runRecon } from '../run/run-recon.ts';
import { loadSource, prepareSource } from './load-source.ts';
import { jsonTextRelation } from './load-typed.ts';
import { REJECTS_DDL } from './rejects.ts';
import { tempDirsPerTest } from './testing/temp-dirs.ts';

/**
 * What a file holds decides how it is read: JSON values (not their JSON text), binary
 * content never read as text, an empty sheet named as such, and a spreadsheet formula
 * with no computed value rejected rather than read as empty.
 */

const tempDir = tempDirsPerTest('recon-content-');

function write(dir: string, name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** The raw text values a source loads, column by column, in file order. */
async function rawValues(path: string, options: SourceOptions = {}): Promise<Record<string, string | null>[]> {
  const db = await openDuckDB({ path: ':memory:' });
  try {
    await db.connection.run(REJECTS_DDL);
    const ctx = { conn: db.connection, scratchDir: tempDir() };
    const prepared = await prepareSource(ctx, 'a', path, options);
    const loaded = await loadSource(ctx, prepared);
    return await queryRows<Record<string, string | null>>(db.connection, `SELECT * FROM ${loaded.rawRelation}`);
  } finally {
    db.close();
  }
}

interface RejectOut {
  side: string;
  line: number | null;
  column: string | null;
  raw: string | null;
  reason: string;
  type: string;
}

async function recon(aPath: string, bPath: string, def: DefinitionInput) {
  const summary = await runRecon({ aPath, bPath, definition: validateDefinition(def), workspace: join(tempDir(), 'ws') });
  const db = await openDuckDB({ path: summary.database });
  try {
    const rejects = await queryRows<{ side: string; line: string | null; column_name: string | null; raw_value: string | null; reason: string; error_type: string }>(
      db.connection,
      'SELECT side, line, column_name, raw_value, reason, error_type FROM rejects ORDER BY side, line',
    );
    const breaks = await queryRows<{ key: string; field: string; diff_type: string }>(db.connection, 'SELECT key, field, diff_type FROM breaks ORDER BY break_id');
    return {
      summary,
      rejects: rejects.map((r): RejectOut => ({ side: r.side, line: r.line === null ? null : Number(r.line), column: r.column_name, raw: r.raw_value, reason: r.reason, type: r.error_type })),
      breaks,
    };
  } finally {
    db.close();
  }
}

async function reconError(aPath: string, bPath: string, def: DefinitionInput): Promise<ReconError> {
  const err = await runRecon({ aPath, bPath, definition: validateDefinition(def), workspace: join(tempDir(), 'ws') }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReconError);
  return err as ReconError;
}

async function workbook(dir: string, name: string, build: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  const p = join(dir, name);
  await wb.xlsx.writeFile(p);
  return p;
}

const ID_AMT: DefinitionInput = { name: 'content', key: ['id'], fields: [{ name: 'id', type: 'string' }, { name: 'amt', type: 'decimal', scale: 2 }] };

describe('JSON and NDJSON values', () => {
  it('a column mixing strings and numbers matches the same values in CSV (the tester\'s case)', async () => {
    const dir = tempDir();
    const a = write(dir, 'a.ndjson', '{"id":"A1","amt":"10.50"}\n{"id":"A2","amt":20.25}\n{"id":3,"amt":30}\n');
    const b = write(dir, 'b.csv', 'id,amt\nA1,10.50\nA2,20.25\n3,30\n');
    const r = await recon(a, b, ID_AMT);
    expect(r.summary.counts).toMatchObject({ a: 3, b: 3, matched: 3, matchedExact: 3, rejectedA: 0, missingInA: 0, missingInB: 0 });
    expect(r.rejects).toEqual([]);
    expect(r.breaks).toEqual([]);
  });

  const RECORDS = [
    '{"id":"A1","s":"a\\"b \\u00e9\\\\n","n":"0.1","m":0.1,"big":12345678901234567890123,"b":true,"o":{"x":[1.50,"y"]},"z":null}',
    '{"id":"A2","s":"plain","n":20.25,"m":20.250,"big":"7","b":"yes","o":[1,2],"z":"x"}',
    '{"id":3,"s":"}{[","n":-7,"m":12345678901234567.89,"big":-9007199254740993,"b":false,"o":"text"}',
  ];
  const EXPECTED = [
    { id: 'A1', s: 'a"b é\\n', n: '0.1', m: '0.1', big: '12345678901234567890123', b: 'true', o: '{"x":[1.50,"y"]}', z: null },
    { id: 'A2', s: 'plain', n: '20.25', m: '20.250', big: '7', b: 'yes', o: '[1,2]', z: 'x' },
    // A float would make 12345678901234567.89 into 12345678901234568; an absent member is NULL.
    { id: '3', s: '}{[', n: '-7', m: '12345678901234567.89', big: '-9007199254740993', b: 'false', o: 'text', z: null },
  ];

  it.each([
    ['ndjson', `${RECORDS.join('\n')}\n`],
    ['json', `[\n${RECORDS.join(',\n')}\n]\n`],
  ])('%s: strings by their value, numbers, booleans and nested values by their text', async (ext, text) => {
    const path = write(tempDir(), `a.${ext}`, text);
    expect(await rawValues(path)).toEqual(EXPECTED);
  });

  it('members differing only in case are columns of their own, each with its values', async () => {
    const path = write(tempDir(), 'a.ndjson', '{"id":"1","Amt":1}\n{"id":"2","amt":2.50}\n');
    expect(await rawValues(path)).toEqual([
      { id: '1', Amt: '1', amt_2: null },
      { id: '2', Amt: null, amt_2: '2.50' },
    ]);
  });

  it('a file without records is empty, not a file without columns', async () => {
    const dir = tempDir();
    const err = await reconError(write(dir, 'a.json', '[]'), write(dir, 'b.csv', 'id,amt\n1,1\n'), ID_AMT);
    expect(err.code).toBe('INPUT_EMPTY');
    expect(err.message).toMatch(/a\.json: source A has no records with named values/);
  });

  it('jsonTextRelation (for inference and preview) gives strings by their value too', async () => {
    const path = write(tempDir(), 'a.ndjson', '{"id":"A1","amt":"10.50"}\n{"id":"A2","amt":20.25,"o":{"k":"v"}}\n{"id":3,"amt":30,"b":true}\n');
    const db = await openDuckDB({ path: ':memory:' });
    try {
      const rows = await queryRows(db.connection, `SELECT * FROM ${jsonTextRelation(path, 'ndjson', ['id', 'amt', 'o', 'b'], (_, i) => `c${i}`)}`);
      expect(rows).toEqual([
        { c0: 'A1', c1: '10.50', c2: null, c3: null },
        { c0: 'A2', c1: '20.25', c2: '{"k":"v"}', c3: null },
        { c0: '3', c1: '30', c2: null, c3: 'true' },
      ]);
    } finally {
      db.close();
    }
  });

  it('reads records across the reader\'s 1 MB chunks, every one and in order', async () => {
    const n = 30_000;
    const lines = Array.from({ length: n }, (_, i) => `{"id":"k${i}","amt":${i}.${String(i % 100).padStart(2, '0')},"pad":"${'x'.repeat(i % 37)}\\"}"}`);
    const path = write(tempDir(), 'big.json', `[${lines.join(',\n')}]`);
    const rows = await rawValues(path);
    expect(rows).toHaveLength(n);
    expect(rows[n - 1]).toEqual({ id: `k${n - 1}`, amt: `${n - 1}.99`, pad: `${'x'.repeat((n - 1) % 37)}"}` });
    expect(rows.every((r, i) => r.id === `k${i}`)).toBe(true);
  });

  it.each([
    ['a.ndjson', '{"id":"1","amt":1}\n{"id":"2","amt":}\n', 'line 2, column 17: cannot be read as NDJSON: not valid JSON: unexpected "}"'],
    ['a.ndjson', '{"id":"1","amt":1}\n[1,2]\n', 'line 2, column 1: cannot be read as NDJSON: expected a record (an object of named values, "{…}"), found an array'],
    ['a.json', '[{"id":"1","amt":1} {"id":"2","amt":2}]', 'line 1, column 21: cannot be read as JSON: expected "," or "]" after a record in the array'],
    ['a.json', '[{"id":"1","amt":1},\n {"id":"2","amt":2}', 'line 2, column 19: cannot be read as JSON: the file ends before the top-level array is closed with "]"'],
  ])('%s that is not valid: INPUT_PARSE_ERROR at its line and column (%#)', async (name, text, message) => {
    const dir = tempDir();
    const a = write(dir, name, text);
    const b = write(dir, 'b.csv', 'id,amt\n1,1\n');
    const err = await reconError(a, b, ID_AMT);
    expect(err.code).toBe('INPUT_PARSE_ERROR');
    expect(err.message).toBe(`${a}, ${message}`);
  });
});

describe('binary content is never read as another format', () => {
  const xlsxBytes = async (): Promise<Buffer> =>
    readFileSync(
      await workbook(tempDir(), 'w.xlsx', (wb) => {
        wb.addWorksheet('S').addRow(['id', 'amt']);
      }),
    );

  it('an XLSX named .csv is refused as a spreadsheet by its content (INPUT_PARSE_ERROR, exit 2)', async () => {
    const dir = tempDir();
    const a = write(dir, 'a.csv', await xlsxBytes());
    const b = write(dir, 'b.csv', 'id,amt\n1,1.00\n');
    const err = await reconError(a, b, ID_AMT);
    expect(err.code).toBe('INPUT_PARSE_ERROR');
    expect(isInputError(err.code)).toBe(true); // exit 2
    expect(err.message).toBe(
      `${a}: source A is a ZIP archive (an XLSX spreadsheet?) by its content, but its extension says delimited text; if it is a spreadsheet, name it .xlsx or set "format": "xlsx"; else unzip it`,
    );
    expect(err.details).toMatchObject({ file: a, side: 'a' });
  });

  it.each([
    ['Parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(20)]), 'b.csv', {}, /is a Parquet file by its content, but its extension says delimited text/],
    ['gzip', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), 'b.json', {}, /is a gzip-compressed file by its content, but its extension says JSON; decompress it first/],
    ['XLS', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'b.xlsx', {}, /is an Excel 97-2003 \(\.xls\) workbook .* but its extension says an XLSX spreadsheet; save it as \.xlsx or CSV/],
    ['ZIP declared csv', Buffer.from([0x50, 0x4b, 3, 4, 0, 0]), 'b.dat', { format: 'csv' }, /is a ZIP archive .* but "format": "csv" says delimited text/],
  ] as const)('%s content in a file read as another format is refused', async (_, content, name, options, message) => {
    const dir = tempDir();
    const a = write(dir, 'a.csv', 'id,amt\n1,1.00\n');
    const b = write(dir, name, content);
    const err = await reconError(a, b, { ...ID_AMT, sources: { b: options } });
    expect(err.code).toBe('INPUT_PARSE_ERROR');
    expect(err.message.startsWith(`${b}: source B is `)).toBe(true);
    expect(err.message).toMatch(message);
  });

  it('content that fits the format is read as before', async () => {
    const path = await workbook(tempDir(), 'ok.xlsx', (wb) => {
      wb.addWorksheet('S').addRows([['id', 'amt'], ['1', 1.5]]);
    });
    expect((await rawValues(path)).map((r) => ({ id: r.id, amt: r.amt }))).toEqual([{ id: '1', amt: '1.5' }]);
  });
});

describe('spreadsheets', () => {
  it('an empty sheet is reported as empty, naming the sheet and the file', async () => {
    const dir = tempDir();
    const a = await workbook(dir, 'a.xlsx', (wb) => {
      wb.addWorksheet('Empty');
    });
    const b = write(dir, 'b.csv', 'id,amt\n1,1.00\n');
    const err = await reconError(a, b, ID_AMT);
    expect(err.code).toBe('INPUT_EMPTY');
    expect(isInputError(err.code)).toBe(true); // exit 2
    expect(err.message).toBe(`${a}: sheet "Empty" of source A is empty; expected a header row and data rows`);
    expect(err.details).toMatchObject({ file: a, side: 'a', sheet: 'Empty' });
  });

  it('rejects a row whose formula has no computed value, with its row, column and reason (never an empty value)', async () => {
    const dir = tempDir();
    // As /tmp/probe/mkx.js: a tool that writes formulas without calculating them.
    const a = await workbook(dir, 'a.xlsx', (wb) => {
      const ws = wb.addWorksheet('Payments');
      ws.addRow(['id', 'amt', 'note']);
      ws.addRow(['P1', 100.1, 'plain']);
      ws.addRow(['P2', { formula: 'B2*2', result: 200.2 }, 'with result']);
      ws.addRow(['P3', { formula: 'B2+0.2' }, 'no result']);
      ws.addRow(['P4', { formula: 'B2-0.1' }, { formula: 'A5&"x"' }]);
      ws.addRow(['P5', 5, { formula: 'IF(TRUE,"","")', result: '' }]);
    });
    const b = write(dir, 'b.csv', 'id,amt,note\nP1,100.10,plain\nP2,200.20,with result\nP3,100.30,no result\nP4,100.00,\nP5,5.00,\n');
    const r = await recon(a, b, { ...ID_AMT, fields: [...ID_AMT.fields!, { name: 'note' }] });
    expect(r.summary.counts).toMatchObject({ a: 5, b: 5, rejectedA: 2, matched: 3, matchedExact: 3, matchedWithBreaks: 0 });
    expect(r.rejects).toEqual([
      { side: 'a', line: 4, column: 'amt', raw: 'B4: =B2+0.2', reason: 'cell B4 is a formula without a computed value: open and save the file in Excel, or export values', type: 'FORMULA_WITHOUT_VALUE' },
      {
        side: 'a',
        line: 5,
        column: 'amt',
        raw: 'B5: =B2-0.1; C5: =A5&"x"',
        reason: 'cells B5, C5 are formula without a computed value: open and save the file in Excel, or export values',
        type: 'FORMULA_WITHOUT_VALUE',
      },
    ]);
    expect(r.breaks.map((x) => x.diff_type)).not.toContain('MISMATCH');
    // The rejected rows keep their keys (the cells before the formula): B's P3 and P4 were rejected on A, not missing.
    expect(r.breaks.map((x) => `${x.key}:${x.diff_type}`)).toEqual(['P3:REJECTED_IN_A', 'P4:REJECTED_IN_A']);
    expect(r.summary.checks.filter((c) => !c.passed)).toEqual([]);
    expect(r.summary.warnings.a).toEqual(expect.arrayContaining([expect.stringContaining('2 row(s) rejected: formula cells without a computed value')]));
  });
});
