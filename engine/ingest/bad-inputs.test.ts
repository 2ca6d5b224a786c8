import { describe, it, expect } from 'vitest';
import ExcelJS from 'exceljs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import { resolveDefinition } from '../definition/resolve.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { loadSource, prepareSource } from './load-source.ts';
import { REJECTS_DDL } from './rejects.ts';
import { stageSource } from '../normalize/stage.ts';
import { runRecon } from '../run/run-recon.ts';
import type { RunSummary } from '../contract/index.ts';
import { literal } from '../sql/quote.ts';
import { tempDirsPerTest } from './testing/temp-dirs.ts';

/**
 * A corpus of bad and awkward inputs, built at test time. Each case ends in
 * a correct result (exact counts, rejects with line/column/reason, breaks) or
 * a clear ReconError naming the file; never a crash, never a silent drop.
 */

const tempDir = tempDirsPerTest('recon-bad-');

type Content = string | Buffer;

interface Files {
  a: Content;
  b: Content;
  /** File names (the extension picks the format); default a.csv / b.csv. */
  aName?: string;
  bName?: string;
}

interface RejectOut {
  side: string;
  line: number | null;
  column: string | null;
  raw: string | null;
  reason: string;
  type: string;
}

interface BreakOut {
  key: string;
  field: string;
  a: string | null;
  b: string | null;
  type: string;
}

interface Outcome {
  summary: RunSummary;
  aPath: string;
  bPath: string;
  stagedA: number;
  stagedB: number;
  rejects: RejectOut[];
  breaks: BreakOut[];
}

/** Writes the files, runs a recon and reads back what the run database holds. */
async function recon(files: Files, def: DefinitionInput): Promise<Outcome> {
  const dir = tempDir();
  const aPath = join(dir, files.aName ?? 'a.csv');
  const bPath = join(dir, files.bName ?? 'b.csv');
  writeFileSync(aPath, files.a);
  writeFileSync(bPath, files.b);
  const summary = await runRecon({ aPath, bPath, definition: validateDefinition(def), workspace: join(dir, 'ws') });
  const db = await openDuckDB({ path: summary.database });
  try {
    const conn = db.connection;
    // The rows the run counted in its staged tables, from its source-rows check ("N source rows = S staged + R rejected"):
    // a run staged in memory keeps in its file only the records its breaks name (normalize/break-records.ts).
    const stagedOf = (side: 'a' | 'b'): number => {
      const message = summary.checks.find((c) => c.name === `source_rows_${side}`)?.message ?? '';
      const m = / (\d+) staged \+ /.exec(message);
      if (!m) throw new Error(`no staged count in "${message}"`);
      return Number(m[1]);
    };
    const rejects = await queryRows<{ side: string; line: string | null; column_name: string | null; raw_value: string | null; reason: string; error_type: string }>(
      conn,
      'SELECT side, line, column_name, raw_value, reason, error_type FROM rejects ORDER BY side, line, column_name',
    );
    const breaks = await queryRows<{ key: string; field: string; value_a: string | null; value_b: string | null; diff_type: string }>(
      conn,
      'SELECT key, field, value_a, value_b, diff_type FROM breaks ORDER BY break_id',
    );
    const outcome: Outcome = {
      summary,
      aPath,
      bPath,
      stagedA: stagedOf('a'),
      stagedB: stagedOf('b'),
      rejects: rejects.map((r) => ({
        side: r.side,
        line: r.line === null ? null : Number(r.line),
        column: r.column_name,
        raw: r.raw_value,
        reason: r.reason,
        type: r.error_type,
      })),
      breaks: breaks.map((r) => ({ key: r.key, field: r.field, a: r.value_a, b: r.value_b, type: r.diff_type })),
    };
    expectAccounted(outcome);
    return outcome;
  } finally {
    db.close();
  }
}

/** Every input row is accounted for: source rows = staged + rejected, on both sides. */
function expectAccounted({ summary, stagedA, stagedB }: Outcome): void {
  const c = summary.counts;
  for (const [side, staged, rejected, source] of [
    ['a', stagedA, c.rejectedA, c.a],
    ['b', stagedB, c.rejectedB, c.b],
  ] as const) {
    const check = summary.checks.find((x) => x.name === `source_rows_${side}`);
    expect(check, `source_rows_${side}`).toBeDefined();
    expect(check!.passed, check!.message).toBe(true);
    expect(check!.expected).toBe(String(source));
    expect(staged + rejected).toBe(source);
  }
}

/** The ReconError a run fails with (anything else fails the test). */
async function reconError(files: Partial<Files> & { aPath?: string; bPath?: string }, def: DefinitionInput): Promise<ReconError> {
  const dir = tempDir();
  const aPath = files.aPath ?? join(dir, files.aName ?? 'a.csv');
  const bPath = files.bPath ?? join(dir, files.bName ?? 'b.csv');
  if (files.a !== undefined) writeFileSync(aPath, files.a);
  if (files.b !== undefined) writeFileSync(bPath, files.b);
  const err = await runRecon({ aPath, bPath, definition: validateDefinition(def), workspace: join(dir, 'ws') }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReconError);
  return err as ReconError;
}

const missing = (key: string): BreakOut => ({ key, field: '*', a: null, b: null, type: 'MISSING_IN_A' });
/** B's record whose A row (at `line`) was rejected for `column`: the break names the reject. */
const rejectedInA = (key: string, line: number, column: string): BreakOut => ({
  key,
  field: '*',
  a: expect.stringMatching(new RegExp(`^line ${line}: column "${column}": expected `)) as unknown as string,
  b: null,
  type: 'REJECTED_IN_A',
});
/** A's rejected record whose key B has no record of: a break of its own, naming the reject. */
const rejectedAlone = (key: string, link: RegExp): BreakOut => ({ key, field: '*', a: expect.stringMatching(link) as unknown as string, b: null, type: 'REJECTED_IN_A' });
const mismatch = (key: string, field: string, a: string | null, b: string | null): BreakOut => ({ key, field, a, b, type: 'MISMATCH' });

/** id, amount, trade date: the shape most cases use. */
const DEF: DefinitionInput = {
  name: 'bad inputs',
  key: ['id'],
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amt', type: 'decimal', scale: 2 },
    { name: 'd', type: 'date' },
  ],
};
const GOOD = 'id,amt,d\n1,1.00,2024-01-01\n2,2.00,2024-01-02\n3,3.00,2024-01-03\n4,4.00,2024-01-04\n';

/** A definition with a string column `name` besides id and amt (for text/encoding cases). */
const TEXT_DEF: DefinitionInput = {
  name: 'text',
  key: ['id'],
  fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }, { name: 'name' }],
};
const TEXT = 'id,amt,name\n1,1.00,Café\n2,2.00,Zoë €\n3,3.00,plain\n';

describe('structure of delimited text', () => {
  it('rejects ragged rows (too few / too many fields) at their line', async () => {
    const r = await recon({ a: 'id,amt,d\n1,1.00,2024-01-01\n2,2.00\n3,3.00,2024-01-03,extra\n4,4.00,2024-01-04\n', b: GOOD }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 4, b: 4, rejectedA: 2, rejectedB: 0, matched: 2 });
    expect([r.stagedA, r.stagedB]).toEqual([2, 4]);
    expect(r.rejects).toEqual([
      { side: 'a', line: 3, column: 'd', raw: '2,2.00', reason: expect.stringMatching(/^too few fields/), type: 'MISSING_COLUMNS' },
      { side: 'a', line: 4, column: null, raw: '3,3.00,2024-01-03,extra', reason: expect.stringMatching(/^too many fields/), type: 'TOO_MANY_COLUMNS' },
    ]);
    // The rejected records keep their keys: B's 2 and 3 were rejected on A, not missing.
    expect(r.breaks).toEqual([
      { key: '2', field: '*', a: expect.stringMatching(/^line 3: column "d": too few fields/), b: null, type: 'REJECTED_IN_A' },
      { key: '3', field: '*', a: expect.stringMatching(/^line 4: too many fields/), b: null, type: 'REJECTED_IN_A' },
    ]);
  });

  it('counts an unterminated quote as one rejected record from its line to the end', async () => {
    const r = await recon({ a: 'id,amt,d\n1,1.00,2024-01-01\n2,"2.00,2024-01-02\n3,3.00,2024-01-03\n', b: GOOD }, DEF);
    // The open quote swallows the rest of the file: 2 records, not 3.
    expect(r.summary.counts).toMatchObject({ a: 2, rejectedA: 1 });
    expect(r.stagedA).toBe(1);
    expect(r.rejects).toEqual([
      { side: 'a', line: 3, column: 'amt', raw: expect.stringContaining('2,"2.00'), reason: expect.stringMatching(/unterminated or misplaced quote/), type: 'UNQUOTED_VALUE' },
    ]);
    expect(r.breaks).toEqual([
      { key: '2', field: '*', a: expect.stringMatching(/^line 3: column "amt": unterminated or misplaced quote/), b: null, type: 'REJECTED_IN_A' },
      missing('3'),
      missing('4'),
    ]);
  });

  it('fails a 0-byte file with INPUT_EMPTY naming the file', async () => {
    const err = await reconError({ a: '', b: GOOD }, DEF);
    expect(err.code).toBe('INPUT_EMPTY');
    expect(err.message).toContain(join('a.csv'));
    expect(err.details).toMatchObject({ file: expect.stringMatching(/a\.csv$/), side: 'a' });
  });

  it('reads a header-only file as zero records', async () => {
    const r = await recon({ a: 'id,amt,d\n', b: GOOD }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 0, b: 4, matched: 0, missingInA: 4, rejectedA: 0 });
    expect(r.stagedA).toBe(0);
    expect(r.rejects).toEqual([]);
    expect(r.breaks).toEqual([missing('1'), missing('2'), missing('3'), missing('4')]);
  });

  it('skips blank lines inside the data, reports them, and keeps physical line numbers', async () => {
    const r = await recon({ a: 'id,amt,d\n1,1.00,2024-01-01\n\n2,2.00,2024-01-02\n\n\n3,bad,2024-01-03\n4,4.00,2024-01-04\n\n', b: GOOD }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 4, rejectedA: 1 });
    expect(r.stagedA).toBe(3);
    expect(r.summary.warnings.a).toEqual(['4 blank line(s) skipped']);
    expect(r.rejects).toEqual([{ side: 'a', line: 7, column: 'amt', raw: 'bad', reason: expect.stringContaining('expected a decimal number'), type: 'CAST' }]);
    expect(r.breaks).toEqual([rejectedInA('3', 7, 'amt')]);
  });

  it('numbers structural rejects after blank lines and multi-line records by physical line', async () => {
    // DuckDB counts a blank line as an entry and a multi-line record as one; people count lines.
    const a = 'id,amt,d\n\n\n1,1.00,2024-01-01\n\n2,2.00\n3,"x\ny",2024-01-03\n\n4,4\n';
    const r = await recon({ a, b: GOOD }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 4, rejectedA: 3, matched: 1 });
    expect(r.rejects.map((x) => [x.line, x.raw, x.type])).toEqual([
      [6, '2,2.00', 'MISSING_COLUMNS'],
      [7, 'x\ny', 'CAST'],
      [10, '4,4', 'MISSING_COLUMNS'],
    ]);
  });

  it('skips blank lines before the header instead of reading the header as data', async () => {
    const r = await recon({ a: '\n\nid,amt,d\n1,1.00,2024-01-01\n2,x,2024-01-02\n', b: GOOD }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 2, rejectedA: 1, matched: 1, matchedExact: 1 });
    expect(r.rejects.map((x) => [x.line, x.column, x.raw])).toEqual([[5, 'amt', 'x']]);
  });

  it('takes a quote inside an unquoted value literally, and one after spaces as opening a quoted value', async () => {
    // Only a quote at the start of a field opens quoting; 12"5 must not swallow the lines after it.
    const a = 'id,amt,d\n1, "1.00" ,2024-01-01\n2,2"0,2024-01-02\n3,3.00,2024-01-03\n4,4\n';
    const r = await recon({ a, b: GOOD }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 4, rejectedA: 2, matched: 2, matchedExact: 2 });
    expect(r.rejects.map((x) => [x.line, x.column, x.raw, x.type])).toEqual([
      [3, 'amt', '2"0', 'CAST'],
      [5, 'd', '4,4', 'MISSING_COLUMNS'],
    ]);
  });

  it('reads old Mac files whose lines end in a lone CR', async () => {
    const a = 'id,amt,d\r1,1.00,2024-01-01\r2,2.00\r3,"x\ry",2024-01-03\r4,4.00,2024-01-04\r';
    const r = await recon({ a, b: GOOD }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 4, rejectedA: 2, matched: 2, matchedExact: 2 });
    expect(r.rejects.map((x) => [x.line, x.column, x.raw])).toEqual([
      [3, 'd', '2,2.00'],
      [4, 'amt', 'x\ry'],
    ]);
  });

  it('fails mixed line ends (which DuckDB cannot split) with a clear error naming the line', async () => {
    const crInside = await reconError({ a: 'id,amt,d\n1,1.00,2024-01-01\n2,2.\r00,2024-01-02\n', b: GOOD }, DEF);
    expect(crInside.code).toBe('INPUT_PARSE_ERROR');
    expect(crInside.message).toMatch(/a\.csv, line 3: cannot be read as delimited text: line 3 ends in a lone CR but line 1 in LF;/);
    expect(crInside.details).toMatchObject({ side: 'a', line: 3 });
    const crlfLast = await reconError({ a: GOOD, b: 'id,amt,d\n1,1.00,"x\r\ny"\n2,2.00,2024-01-02\r\n' }, DEF);
    expect(crlfLast.code).toBe('INPUT_PARSE_ERROR');
    expect(crlfLast.message).toMatch(/b\.csv, line 4: cannot be read as delimited text: line 4 ends in CRLF but line 1 in LF;/);
  });

  it('renames duplicate header names and lets the definition address both', async () => {
    const def: DefinitionInput = { ...DEF, fields: [...DEF.fields!, { name: 'amt_2', b: 'other', type: 'decimal', scale: 2 }] };
    const r = await recon(
      { a: 'id,amt,d,AMT\n1,1.00,2024-01-01,9\n2,2.00,2024-01-02,8\n', b: 'id,amt,d,other\n1,1.00,2024-01-01,9\n2,2.00,2024-01-02,7\n' },
      def,
    );
    expect(r.summary.warnings.a).toEqual(['header "AMT" appears more than once; column 4 renamed "AMT_2"']);
    expect(r.summary.counts).toMatchObject({ a: 2, b: 2, matched: 2 });
    expect(r.breaks).toEqual([mismatch('2', 'amt_2', '8.00', '7.00')]);
  });

  it('names a blank header cell and compares it like any unlisted column', async () => {
    const r = await recon(
      { a: 'id,amt,d,\n1,1.00,2024-01-01,x\n2,2.00,2024-01-02,y\n', b: 'id,amt,d,column4\n1,1.00,2024-01-01,x\n2,2.00,2024-01-02,z\n' },
      DEF,
    );
    expect(r.summary.warnings.a).toEqual(['header cell 4 is blank; named it "column4"']);
    expect(r.breaks).toEqual([mismatch('2', 'column4', 'y', 'z')]);
  });

  it('reads a UTF-8 BOM and CRLF line ends without leaking into names or values', async () => {
    const a = '\ufeffid,amt,d,note\r\n1,1.00,2024-01-01,last\r\n2,2.00\r\n3,3.00,2024-01-03,end\r\n';
    const r = await recon({ a, b: 'id,amt,d,note\n1,1.00,2024-01-01,last\n3,3.00,2024-01-03,end\n' }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 3, b: 2, matched: 2, rejectedA: 1 });
    expect(r.rejects).toEqual([{ side: 'a', line: 3, column: 'd', raw: '2,2.00', reason: expect.stringMatching(/^too few fields/), type: 'MISSING_COLUMNS' }]);
    // "id" matched through the BOM; "last" has no trailing \r. B has no record 2: A's rejected one is a break alone.
    expect(r.breaks).toEqual([rejectedAlone('2', /^line 3: column "d": too few fields/)]);
  });

  it('keeps delimiters and newlines inside quotes and reports rejects after them at the physical line', async () => {
    const a = [
      'id,amt,d,note',
      '1,1.00,2024-01-01,"a, b"', // line 2
      '2,2.00,2024-01-02,"line1', // lines 3-5: one record
      'line2, with comma',
      'line3"',
      '3,bad,2024-01-03,x', // line 6
      '4,4.00,2024-01-04,"p', // lines 7-8
      'q"',
      '5,5.00', // line 9
      '6,6.00,not-a-date,"""quoted"""', // line 10
      '',
    ].join('\n');
    const b = 'id,amt,d,note\n1,1.00,2024-01-01,"a, b"\n2,2.00,2024-01-02,"line1\nline2, with comma\nline3"\n4,4.00,2024-01-04,"p\nq"\n';
    const r = await recon({ a, b }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 6, b: 3, matched: 3, rejectedA: 3 });
    expect(r.stagedA).toBe(3);
    expect(r.rejects).toEqual([
      { side: 'a', line: 6, column: 'amt', raw: 'bad', reason: 'expected a decimal number with "." as decimal separator, got "bad"', type: 'CAST' },
      { side: 'a', line: 9, column: 'd', raw: '5,5.00', reason: expect.stringMatching(/^too few fields/), type: 'MISSING_COLUMNS' },
      { side: 'a', line: 10, column: 'd', raw: 'not-a-date', reason: 'expected a date as yyyy-mm-dd, got "not-a-date"', type: 'CAST' },
    ]);
    // B has none of 3, 5 and 6: each rejected record is a break alone.
    expect(r.breaks).toEqual([
      rejectedAlone('3', /^line 6: column "amt": expected a decimal/),
      rejectedAlone('5', /^line 9: column "d": too few fields/),
      rejectedAlone('6', /^line 10: column "d": expected a date/),
    ]);
  });

  it('reads tab-delimited .tsv', async () => {
    const r = await recon({ a: GOOD.replaceAll(',', '\t'), aName: 'a.tsv', b: GOOD }, DEF);
    expect(r.summary.inputs.a.format).toBe('tsv');
    expect(r.summary.counts).toMatchObject({ a: 4, matched: 4, matchedExact: 4 });
    expect(r.breaks).toEqual([]);
  });

  it('sniffs the delimiter of a pipe-delimited .txt', async () => {
    const a = 'id|amt|d|note\n1|1.00|2024-01-01|a, b\n2|2.00|2024-01-02|c; d\n3|3.00|2024-01-03|e\n4|4.00|2024-01-04|f\n';
    const b = 'id,amt,d,note\n1,1.00,2024-01-01,"a, b"\n2,2.00,2024-01-02,c; d\n3,3.00,2024-01-03,e\n4,4.50,2024-01-04,f\n';
    const r = await recon({ a, aName: 'a.txt', b }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 4, b: 4, matched: 4 });
    expect(r.breaks).toEqual([mismatch('4', 'amt', '4.00', '4.50')]);
  });

  it('reads a headerless file with header:false and columns', async () => {
    const def: DefinitionInput = { ...DEF, sources: { a: { header: false, columns: ['id', 'amt', 'd'] } } };
    const r = await recon({ a: '1,1.00,2024-01-01\n2,2.00,2024-01-02\n3,x,2024-01-03\n4,4.00,2024-01-04\n', b: GOOD }, def);
    expect(r.summary.counts).toMatchObject({ a: 4, rejectedA: 1, matched: 3 });
    expect(r.rejects).toEqual([{ side: 'a', line: 3, column: 'amt', raw: 'x', reason: expect.stringContaining('expected a decimal'), type: 'CAST' }]);
    expect(r.breaks).toEqual([rejectedInA('3', 3, 'amt')]);
  });
});

describe('values that do not cast', () => {
  it('rejects bad dates, bad numbers and empty keys cell by cell, and counts rows once', async () => {
    const a = 'id,amt,d\n1,abc,2024-01-01\n2,2.00,2024-13-45\n,3.00,2024-01-03\n  ,4.00,2024-01-04\n5,1.2.3,31/12/2024\n6,6.00,2024-01-06\n';
    const b = `${GOOD}5,5.00,2024-12-31\n6,6.00,2024-01-06\n`;
    const r = await recon({ a, b }, DEF);
    expect(r.summary.counts).toMatchObject({ a: 6, b: 6, rejectedA: 5, matched: 1, missingInA: 2, rejectedInA: 3 });
    expect(r.stagedA).toBe(1);
    const decimal = 'expected a decimal number with "." as decimal separator';
    expect(r.rejects).toEqual([
      { side: 'a', line: 2, column: 'amt', raw: 'abc', reason: `${decimal}, got "abc"`, type: 'CAST' },
      { side: 'a', line: 3, column: 'd', raw: '2024-13-45', reason: 'expected a date as yyyy-mm-dd, got "2024-13-45"', type: 'CAST' },
      { side: 'a', line: 4, column: 'id', raw: null, reason: 'key field "id" is empty', type: 'EMPTY_KEY' },
      { side: 'a', line: 5, column: 'id', raw: '  ', reason: 'key field "id" is empty, got "  "', type: 'EMPTY_KEY' },
      { side: 'a', line: 6, column: 'amt', raw: '1.2.3', reason: `${decimal}, got "1.2.3"`, type: 'CAST' },
      { side: 'a', line: 6, column: 'd', raw: '31/12/2024', reason: 'expected a date as yyyy-mm-dd, got "31/12/2024"', type: 'CAST' },
    ]);
    expect(r.breaks.map((x) => `${x.key}:${x.type}`)).toEqual(['1:REJECTED_IN_A', '2:REJECTED_IN_A', '3:MISSING_IN_A', '4:MISSING_IN_A', '5:REJECTED_IN_A']);
  });

  it('reads accounting negatives and thousands separators, and rejects grouping that is not in threes', async () => {
    const def: DefinitionInput = { ...TEXT_DEF, sources: { a: { thousandsSeparator: ',' } } };
    const a = 'id,amt,name\n1,(12.50),x\n2,"1,234,567.89",x\n3,3.00-,x\n4,"(1,000.00)",x\n5,"12,5",x\n6,1234.5,x\n';
    const b = 'id,amt,name\n1,-12.50,x\n2,1234567.89,x\n3,-3,x\n4,-1000,x\n5,125,x\n6,1234.50,x\n';
    const r = await recon({ a, b }, def);
    // "12,5" is 12.5 written with a decimal comma as often as it is 125 with a misplaced separator: a reject, not a guess.
    expect(r.summary.counts).toMatchObject({ a: 6, b: 6, matched: 5, matchedExact: 5, rejectedA: 1, rejectedInA: 1 });
    expect(r.rejects).toEqual([
      { side: 'a', line: 6, column: 'amt', raw: '12,5', reason: 'expected a decimal number with "." as decimal separator and "," grouping, got "12,5"', type: 'CAST' },
    ]);
    expect(r.breaks).toEqual([rejectedInA('5', 6, 'amt')]);
  });

  it('reads decimal commas and rejects a value the definition does not expect', async () => {
    const def: DefinitionInput = { ...TEXT_DEF, sources: { b: { delimiter: ';', decimalSeparator: ',', thousandsSeparator: '.' } } };
    const r = await recon({ a: TEXT, b: 'id;amt;name\n1;1,00;Café\n2;2.000,50;Zoë €\n3;3,0,0;plain\n' }, def);
    expect(r.summary.counts).toMatchObject({ rejectedB: 1, matched: 2 });
    expect(r.rejects).toEqual([
      {
        side: 'b',
        line: 4,
        column: 'amt',
        raw: '3,0,0',
        reason: 'expected a decimal number with "," as decimal separator and "." grouping, got "3,0,0"',
        type: 'CAST',
      },
    ]);
    expect(r.breaks).toEqual([mismatch('2', 'amt', '2.00', '2000.50'), { key: '3', field: '*', a: null, b: expect.stringMatching(/^line 4: column "amt": expected a decimal number/), type: 'REJECTED_IN_B' }]);
  });

  it('rounds a decimal with more places than the scale, half away from zero', async () => {
    const a = 'id,amt,name\n1,1.005,x\n2,-1.005,x\n3,2.0049999,x\n4,0.0050,x\n5,7.125,x\n';
    const b = 'id,amt,name\n1,1.01,x\n2,-1.01,x\n3,2.00,x\n4,0.01,x\n5,7.12,x\n';
    const r = await recon({ a, b }, TEXT_DEF);
    expect(r.summary.counts).toMatchObject({ matched: 5, matchedExact: 4, matchedWithBreaks: 1 });
    expect(r.breaks).toEqual([mismatch('5', 'amt', '7.13', '7.12')]);
  });

  it('treats NULL against NULL as equal and NULL against a value as a break', async () => {
    const a = 'id,amt,name\n1,,\n2,,x\n3,3.00,\n4,  ,  \n';
    const b = 'id,amt,name\n1,,\n2,2.00,x\n3,,y\n4,,\n';
    const r = await recon({ a, b }, TEXT_DEF);
    expect(r.summary.counts).toMatchObject({ matched: 4, matchedExact: 2, matchedWithBreaks: 2 });
    expect(r.breaks).toEqual([mismatch('2', 'amt', null, '2.00'), mismatch('3', 'amt', '3.00', null), mismatch('3', 'name', null, 'y')]);
  });
});

describe('number spellings, whitespace and rounding (issue 12)', () => {
  const NUM_DEF: DefinitionInput = {
    name: 'spellings',
    key: ['id'],
    fields: [{ name: 'id' }, { name: 'qty', type: 'integer' }, { name: 'amt', type: 'decimal', scale: 2 }],
  };
  const whole = 'expected a whole number with "." as decimal separator';
  const decimal = 'expected a decimal number with "." as decimal separator';

  it('rejects, with line, column and reason, the spellings DuckDB casts would take or round', async () => {
    // [qty, amt] per record; B holds what a silent cast would have made of A.
    const cells: [string, string, string, string][] = [
      ['5', '1.50', '5', '1.50'],
      ['1.5', '1.00', '2', '1.00'],
      ['2.5', '1.00', '3', '1.00'],
      ['-1.5', '1.00', '-2', '1.00'],
      ['0x10', '1.00', '16', '1.00'],
      ['1_000', '1.00', '1000', '1.00'],
      ['1e3', '1.00', '1000', '1.00'],
      ['2.00', '1.00', '2', '1.00'],
      ['+5', '0x10', '5', '16'],
      ['5', '1e3', '5', '1000'],
      ['5', 'nan', '5', ''],
      ['5', 'inf', '5', ''],
      ['5', '1_000.5', '5', '1000.50'],
      ['5', '"1.5 "', '5', '1.50'],
      ['5', '" -1.5"', '5', '-1.50'],
      ['5', '- 1.5', '5', '-1.50'],
      ['"5 5"', '1.00', '55', '1.00'],
      ['"(5)"', '(1.5)', '-5', '-1.50'],
      ['0b101', '+.5', '5', '0.50'],
    ];
    const a = `id,qty,amt\n${cells.map(([q, m], i) => `${i + 1},${q},${m}`).join('\n')}\n`;
    const b = `id,qty,amt\n${cells.map(([, , q, m], i) => `${i + 1},${q},${m}`).join('\n')}\n`;
    const r = await recon({ a, b }, NUM_DEF);
    const rej = (id: number, column: 'qty' | 'amt', raw: string): RejectOut => ({
      side: 'a', line: id + 1, column, raw, reason: `${column === 'qty' ? whole : decimal}, got "${raw}"`, type: 'CAST',
    });
    expect(r.rejects).toEqual([
      rej(2, 'qty', '1.5'), rej(3, 'qty', '2.5'), rej(4, 'qty', '-1.5'), rej(5, 'qty', '0x10'), rej(6, 'qty', '1_000'), rej(7, 'qty', '1e3'),
      rej(9, 'amt', '0x10'), rej(10, 'amt', '1e3'), rej(11, 'amt', 'nan'), rej(12, 'amt', 'inf'), rej(13, 'amt', '1_000.5'), rej(16, 'amt', '- 1.5'),
      rej(17, 'qty', '5 5'), rej(19, 'qty', '0b101'),
    ]);
    expect(r.summary.counts).toMatchObject({ a: 19, b: 19, rejectedA: 14, rejectedB: 0, matched: 5, matchedExact: 5, rejectedInA: 14 });
    expect(r.breaks.map((x) => `${x.key}:${x.type}`).sort()).toEqual(
      [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16, 17, 19].map((k) => `${k}:REJECTED_IN_A`).sort(),
    );
    // Every row accounted for (the control total of A fails, as it should: amounts sit in rejected rows).
    expect(r.summary.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['control_total_a_amt_ALL']);
  });

  it('rejects an integer that is not whole even with a tolerance that would cover the rounding', async () => {
    const def: DefinitionInput = { ...NUM_DEF, fields: [{ name: 'id' }, { name: 'qty', type: 'integer', tolerance: { abs: '1' } }] };
    const r = await recon({ a: 'id,qty\n1,1.5\n2,2\n', b: 'id,qty\n1,2\n2,2.0\n' }, def);
    expect(r.rejects).toEqual([{ side: 'a', line: 2, column: 'qty', raw: '1.5', reason: `${whole}, got "1.5"`, type: 'CAST' }]);
    expect(r.summary.counts).toMatchObject({ matched: 1, matchedExact: 1, rejectedA: 1 });
  });

  it('trims CR, LF, tabs, no-break and other Unicode spaces and BOMs around values and keys; the key hash still agrees', async () => {
    const a = [
      'id,name,qty,amt',
      '"1\r","A\r","1\r\n","1.00\r\n"',
      '"\r\n2","\r\nB","\u00a02","\u00a02.00"',
      '"\ufeff3","C\n","3\u3000","3.00\u3000"',
      '"4\t","\u2028D\u2029","\v4\f","\t4.00\u200b"',
      '"\u20605","\u00a0E\u202f","\u20035\u2003","5.00\u0085"',
      '6,"F\r\nG",6,6.00',
      '',
    ].join('\n');
    const b = 'id,name,qty,amt\n1,A,1,1.00\n2,B,2,2.00\n3,C,3,3.00\n4,D,4,4.00\n5,E,5,5.00\n6,"F\nG",6,6.00\n';
    const def: DefinitionInput = { ...NUM_DEF, fields: [{ name: 'id' }, { name: 'name' }, { name: 'qty', type: 'integer' }, { name: 'amt', type: 'decimal', scale: 2 }] };
    const r = await recon({ a, b }, def);
    expect(r.rejects).toEqual([]);
    // Inner line breaks are data: "F\r\nG" is not "F\nG".
    expect(r.breaks).toEqual([mismatch('6', 'name', 'F\r\nG', 'F\nG')]);
    expect(r.summary.counts).toMatchObject({ a: 6, b: 6, matched: 6, matchedExact: 5, matchedWithBreaks: 1 });
    expect(r.summary.checks.filter((c) => !c.passed)).toEqual([]);
    expect(r.summary.checks.filter((c) => c.name.startsWith('key_hash_')).map((c) => c.passed)).toEqual([true, true]);
  });

  const ROUND_A = 'id,amt,px\n1,1.005,1.5\n2,2.001,2\n3,3.10,1.000000004\n4,4.000,1.000000003\n5,5.1000000,2.0000000000\n';
  const ROUND_B = 'id,amt,px\n1,1.01,1.5\n2,2.00,2\n3,3.1,1.000000003\n4,4,1.000000004\n5,5.1,2\n';
  const ROUND_DEF: DefinitionInput = { name: 'rounding', key: ['id'], fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }, { name: 'px', type: 'decimal' }] };

  it('counts, per field and side, the values that rounding to the scale changed, as warnings', async () => {
    const r = await recon({ a: ROUND_A, b: ROUND_B }, ROUND_DEF);
    expect(r.breaks).toEqual([]);
    expect(r.summary.counts).toMatchObject({ matched: 5, matchedExact: 5, rejectedA: 0, rejectedB: 0 });
    expect(r.summary.warnings.a).toEqual([
      'amt: 2 value(s) had more than 2 decimals and were rounded to 2',
      'px: 2 value(s) had more than 6 decimals and were rounded to 6',
    ]);
    expect(r.summary.warnings.b).toEqual(['px: 2 value(s) had more than 6 decimals and were rounded to 6']);
  });

  it('"rounding": "reject" rejects a value with more decimals than the scale, with its line, column and reason', async () => {
    const def: DefinitionInput = { ...ROUND_DEF, fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }, { name: 'px', type: 'decimal', rounding: 'reject' }] };
    const r = await recon({ a: ROUND_A, b: ROUND_B }, def);
    const rej = (side: 'a' | 'b', line: number, raw: string, n: number): RejectOut => ({
      side, line, column: 'px', raw, reason: `has ${n} decimals; the field's scale is 6, got "${raw}"`, type: 'CAST',
    });
    expect(r.rejects).toEqual([rej('a', 4, '1.000000004', 9), rej('a', 5, '1.000000003', 9), rej('b', 4, '1.000000003', 9), rej('b', 5, '1.000000004', 9)]);
    expect(r.summary.counts).toMatchObject({ matched: 3, rejectedA: 2, rejectedB: 2 });
    // Only staged values count: a rejected row's rounding is of no consequence.
    expect(r.summary.warnings.a).toEqual(['amt: 2 value(s) had more than 2 decimals and were rounded to 2']);
    expect(r.summary.warnings.b).toEqual([]);
  });

  it('takes the definition-wide default from normalize.rounding, which a field can override', async () => {
    const def: DefinitionInput = {
      ...ROUND_DEF,
      normalize: { rounding: 'reject' },
      fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }, { name: 'px', type: 'decimal', rounding: 'round' }],
    };
    const r = await recon({ a: ROUND_A, b: ROUND_B }, def);
    expect(r.rejects.map((x) => `${x.side}:${x.line}:${x.column}:${x.reason}`)).toEqual([
      `a:2:amt:has 3 decimals; the field's scale is 2, got "1.005"`,
      `a:3:amt:has 3 decimals; the field's scale is 2, got "2.001"`,
    ]);
    expect(r.summary.warnings.a).toEqual(['px: 2 value(s) had more than 6 decimals and were rounded to 6']);
    expect(r.summary.warnings.b).toEqual(['px: 2 value(s) had more than 6 decimals and were rounded to 6']);
  });

  it('refuses "rounding" on a field that is not decimal', () => {
    expect(() => validateDefinition({ ...ROUND_DEF, fields: [{ name: 'id', rounding: 'reject' }] })).toThrow(/rounding applies to decimal fields only/);
  });

  it('reads the exponent form of binary floating point from Parquet, and counts its rounding', async () => {
    const dir = tempDir();
    const file = join(dir, 't.parquet');
    const db = await openDuckDB({ path: ':memory:' });
    try {
      await db.connection.run(
        `COPY (SELECT * FROM (VALUES ('1', 0.00001::DOUBLE, 100.0::DOUBLE), ('2', 0.1::DOUBLE + 0.2::DOUBLE, 1e16::DOUBLE), ('3', 1e-7::FLOAT::DOUBLE, 3::DOUBLE)) t(id, rate, n))
           TO ${literal(file)} (FORMAT parquet)`,
      );
    } finally {
      db.close();
    }
    const def: DefinitionInput = { name: 'parquet', key: ['id'], fields: [{ name: 'id' }, { name: 'rate', type: 'decimal' }, { name: 'n', type: 'integer' }] };
    const r = await recon({ a: readFileSync(file), aName: 'a.parquet', b: 'id,rate,n\n1,0.00001,100\n2,0.3,10000000000000000\n3,0.0000001,3\n' }, def);
    expect(r.rejects).toEqual([]);
    expect(r.breaks).toEqual([]);
    expect(r.summary.warnings.a).toEqual(['rate: 2 value(s) had more than 6 decimals and were rounded to 6']);
  });
});

describe('encodings', () => {
  const cp1252 = Buffer.concat([
    Buffer.from('id,amt,name\n1,1.00,Caf'),
    Buffer.from([0xe9]), // é
    Buffer.from('\n2,2.00,Zo'),
    Buffer.from([0xeb, 0x20, 0x80]), // ë €
    Buffer.from('\n3,3.00,plain\n4,x'),
    Buffer.from([0x80]),
    Buffer.from(',bad\n'),
  ]);

  it('transcodes windows-1252 when declared, keeping line numbers', async () => {
    const r = await recon({ a: cp1252, b: TEXT }, { ...TEXT_DEF, sources: { a: { encoding: 'windows-1252' } } });
    expect(r.summary.counts).toMatchObject({ a: 4, rejectedA: 1, matched: 3, matchedExact: 3 });
    expect(r.rejects).toEqual([{ side: 'a', line: 5, column: 'amt', raw: 'x€', reason: expect.stringContaining('got "x€"'), type: 'CAST' }]);
    expect(r.breaks).toEqual([rejectedAlone('4', /^line 5: column "amt": expected a decimal/)]);
  });

  it('detects UTF-16LE by its BOM', async () => {
    const a = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]);
    const r = await recon({ a, b: TEXT }, TEXT_DEF);
    expect(r.summary.counts).toMatchObject({ a: 3, matched: 3, matchedExact: 3 });
    expect(r.breaks).toEqual([]);
  });

  it('rejects, and explains, lines that are not UTF-8 when no encoding is declared', async () => {
    const r = await recon({ a: cp1252, b: TEXT }, TEXT_DEF);
    expect(r.summary.counts).toMatchObject({ a: 4, rejectedA: 3, matched: 1 });
    const reason = 'not valid UTF-8 text; set sources.a.encoding (e.g. "windows-1252")';
    expect(r.rejects.map((x) => [x.line, x.reason, x.type])).toEqual([
      [2, reason, 'INVALID_ENCODING'],
      [3, reason, 'INVALID_ENCODING'],
      [5, reason, 'INVALID_ENCODING'],
    ]);
    // The keys come before the bad bytes: B's 1 and 2 were rejected on A; A's 4 has no B record.
    expect(r.breaks).toEqual([
      { key: '1', field: '*', a: expect.stringMatching(/^line 2: column "name": not valid UTF-8/), b: null, type: 'REJECTED_IN_A' },
      { key: '2', field: '*', a: expect.stringMatching(/^line 3: column "name": not valid UTF-8/), b: null, type: 'REJECTED_IN_A' },
      rejectedAlone('4', /^line 5: column "amt": not valid UTF-8/),
    ]);
  });
});

describe('spreadsheets', () => {
  async function workbook(dir: string): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Cover').getRow(1).values = ['Generated by the custodian'];
    const ws = wb.addWorksheet('Trades');
    ws.getRow(1).values = ['id', 'amt', 'd'];
    ws.getRow(2).values = ['1', 1, '2024-01-01'];
    // row 3 is blank
    ws.getRow(4).values = ['2', 2, new Date(Date.UTC(2024, 0, 2))];
    ws.getCell('C4').numFmt = 'yyyy-mm-dd';
    ws.getRow(5).values = ['3', 'oops', '2024-01-03'];
    // row 6 is blank, row 7 blank but styled
    ws.getRow(7).getCell(1).numFmt = '0.00';
    ws.getRow(8).values = [4, 4.004, '2024-01-04'];
    const file = join(dir, 'book.xlsx');
    await wb.xlsx.writeFile(file);
    return readFileSync(file);
  }

  it('reads a named sheet, skips blank rows and reports rejects at the sheet row', async () => {
    const a = await workbook(tempDir());
    const r = await recon({ a, aName: 'a.xlsx', b: GOOD }, { ...DEF, sources: { a: { sheet: 'Trades' } } });
    expect(r.summary.inputs.a.format).toBe('xlsx');
    expect(r.summary.counts).toMatchObject({ a: 4, rejectedA: 1, matched: 3, matchedExact: 3 });
    // 4.004 at scale 2 is the rounding that made row 8 an exact match.
    expect(r.summary.warnings.a).toEqual(['3 blank row(s) in sheet "Trades" skipped', 'amt: 1 value(s) had more than 2 decimals and were rounded to 2']);
    expect(r.rejects).toEqual([{ side: 'a', line: 5, column: 'amt', raw: 'oops', reason: expect.stringContaining('got "oops"'), type: 'CAST' }]);
    expect(r.breaks).toEqual([rejectedInA('3', 5, 'amt')]);
  });

  it('names the sheets a workbook has when the named one is missing', async () => {
    const a = await workbook(tempDir());
    const err = await reconError({ a, aName: 'a.xlsx', b: GOOD }, { ...DEF, sources: { a: { sheet: 'Positions' } } });
    expect(err.code).toBe('INPUT_PARSE_ERROR');
    expect(err.message).toMatch(/a\.xlsx: .*"Positions".*"Cover", "Trades"/);
  });
});

describe('typed formats', () => {
  async function writeTyped(dir: string): Promise<Record<'parquet' | 'ndjson' | 'json', Buffer>> {
    const db = await openDuckDB({ path: ':memory:' });
    const files = { parquet: join(dir, 't.parquet'), ndjson: join(dir, 't.ndjson'), json: join(dir, 't.json') };
    try {
      const rows = `SELECT * FROM (VALUES ('1', 1.00::DECIMAL(10, 2), DATE '2024-01-01'), ('2', 2.50, DATE '2024-01-02'),
                      ('3', NULL, DATE '2024-01-03'), ('4', 4.00, NULL)) t(id, amt, d)`;
      await db.connection.run(`COPY (${rows}) TO ${literal(files.parquet)} (FORMAT parquet)`);
      await db.connection.run(`COPY (${rows}) TO ${literal(files.ndjson)} (FORMAT json)`);
      await db.connection.run(`COPY (${rows}) TO ${literal(files.json)} (FORMAT json, ARRAY true)`);
    } finally {
      db.close();
    }
    return { parquet: readFileSync(files.parquet), ndjson: readFileSync(files.ndjson), json: readFileSync(files.json) };
  }

  it.each(['parquet', 'ndjson', 'json'] as const)('reads %s with every row accounted for', async (format) => {
    const typed = await writeTyped(tempDir());
    const r = await recon({ a: typed[format], aName: `a.${format}`, b: GOOD }, DEF);
    expect(r.summary.inputs.a.format).toBe(format);
    expect(r.summary.counts).toMatchObject({ a: 4, b: 4, matched: 4, matchedExact: 1, matchedWithBreaks: 3, rejectedA: 0 });
    expect(r.breaks).toEqual([mismatch('2', 'amt', '2.50', '2.00'), mismatch('3', 'amt', null, '3.00'), mismatch('4', 'd', null, '2024-01-04')]);
  });

  it('fails a file that is not Parquet with a clear error', async () => {
    const err = await reconError({ a: 'not parquet', aName: 'a.parquet', b: GOOD }, DEF);
    expect(err.code).toBe('INPUT_PARSE_ERROR');
    expect(err.message).toMatch(/a\.parquet: cannot be read as parquet/);
  });
});

describe('files and definitions that cannot run', () => {
  it('fails a missing file with INPUT_NOT_FOUND naming the path', async () => {
    const dir = tempDir();
    const aPath = join(dir, 'nowhere', 'a.csv');
    const err = await reconError({ aPath, b: GOOD }, DEF);
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(err.message).toContain(aPath);
    expect(err.details).toMatchObject({ file: aPath, side: 'a' });
  });

  it('fails a directory given as a file with INPUT_UNREADABLE naming the path', async () => {
    const dir = tempDir();
    const bPath = join(dir, 'folder.csv');
    mkdirSync(bPath);
    const err = await reconError({ a: GOOD, bPath }, DEF);
    expect(err.code).toBe('INPUT_UNREADABLE');
    expect(err.message).toBe(`${bPath}: source B is a directory; expected a data file`);
  });

  it('fails a definition naming a column the file lacks, listing the columns it has', async () => {
    const err = await reconError({ a: GOOD, b: 'id,amount,d\n1,1.00,2024-01-01\n' }, DEF);
    expect(err.code).toBe('COLUMN_NOT_FOUND');
    expect(err.message).toMatch(/b\.csv: source B has no column "amt" \(field "amt"\)\. Its columns are: "id", "amount", "d"$/);
    expect(err.details).toMatchObject({ side: 'b', column: 'amt', columns: ['id', 'amount', 'd'] });
  });

  it('fails an invalid definition before reading any file, naming the setting', () => {
    const bad = { ...DEF, fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', tolerance: { abs: 'a penny' } }] };
    let err: unknown;
    try {
      validateDefinition(bad, 'def.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReconError);
    expect((err as ReconError).code).toBe('DEFINITION_INVALID');
    expect((err as ReconError).message).toMatch(/^def\.json: invalid recon definition:\n {2}- fields\[1\]\.tolerance\.abs: /);
  });
});

describe('loading inside an open transaction', () => {
  it('still locates cast rejects at their line (rowids of tables made there start near 2^55, not 0)', async () => {
    const dir = tempDir();
    const path = join(dir, 'a.csv');
    writeFileSync(path, 'id,amt,d\n1,1.00,2024-01-01\n2,"x\ny",2024-01-02\n3,bad,2024-01-03\n');
    const def = validateDefinition(DEF);
    const db = await openDuckDB({ path: join(dir, 'tx.duckdb') });
    try {
      const conn = db.connection;
      await conn.run('BEGIN TRANSACTION');
      await conn.run(REJECTS_DDL);
      const ctx = { conn, scratchDir: dir };
      const prepared = await prepareSource(ctx, 'a', path, def.sources.a);
      const resolved = resolveDefinition(def, { path, columns: prepared.columns }, { path, columns: prepared.columns });
      const loaded = await loadSource(ctx, prepared);
      const staged = await stageSource(conn, resolved, loaded, def.sources.a);
      expect(staged).toEqual({ table: 'a', staged: 1, rejected: 2, warnings: [] });
      const rows = await queryRows<{ line: string; raw_value: string }>(conn, 'SELECT line, raw_value FROM rejects ORDER BY line');
      expect(rows).toEqual([
        { line: '3', raw_value: 'x\ny' },
        { line: '5', raw_value: 'bad' },
      ]);
      await conn.run('COMMIT');
    } finally {
      db.close();
    }
  });
});

describe('random awkward files', () => {
  /** Seeded LCG: the same files on every run. */
  function lcg(seed: number): () => number {
    let s = seed;
    return () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
  }

  it('accounts for every record of 30 files with ragged rows, stray and quoted quotes, embedded line breaks and blank lines', async () => {
    const rnd = lcg(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const plain = ['1', '2.5', 'x', 'a b', 'ab"c', '12"5', '', ' ', '-1', 'é', '(3.00)'];
    const quoted = ['a,b', 'x\ny', '"q"', 'line1\r\nline2', '', ' , ', 'say "hi"'];
    const def: DefinitionInput = { name: 'fuzz', key: ['id'], fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }] };
    for (let n = 0; n < 30; n++) {
      const eol = rnd() < 0.5 ? '\n' : '\r\n';
      const lines = ['id,amt,note'];
      const rows = 1 + Math.floor(rnd() * 8);
      for (let r = 0; r < rows; r++) {
        if (rnd() < 0.15) lines.push('');
        const width = rnd() < 0.8 ? 3 : pick([1, 2, 4]);
        const cells: string[] = [];
        for (let c = 0; c < width; c++) {
          cells.push(rnd() < 0.3 ? `${rnd() < 0.3 ? ' ' : ''}"${pick(quoted).replaceAll('"', '""')}"` : pick(plain));
        }
        lines.push(cells.join(','));
      }
      const a = lines.join(eol) + (rnd() < 0.8 ? eol : '');
      // recon() asserts source rows = staged + rejected on both sides.
      const r = await recon({ a, b: 'id,amt,note\n1,1,a\n' }, def);
      expect(r.summary.counts.a, JSON.stringify(a)).toBe(r.stagedA + r.summary.counts.rejectedA);
    }
  });
});
