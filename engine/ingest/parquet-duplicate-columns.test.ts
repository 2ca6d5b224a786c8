import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { openDuckDB } from '../duckdb/open.ts';
import { previewFile } from '../host/preview.ts';
import { inferDefinition } from '../infer/infer.ts';
import { literal } from '../sql/quote.ts';
import { runRecon } from '../run/run-recon.ts';
import { tempDirsPerTest } from './testing/temp-dirs.ts';

/**
 * A Parquet file's column names are named as a CSV header's cells are (source-types.ts
 * uniqueColumnNames): a name repeated (DuckDB's reader would call the second "amount_1",
 * silently), one that trims and case-folds to another ("ID " beside "id"), or a blank one
 * is renamed with the CSV's warning, and runs, infer and preview all use the new names.
 */

const tempDir = tempDirsPerTest('recon-parquet-dup-');

/**
 * DuckDB writes unique names only, so the file is written with stand-ins of the same length
 * and the stand-ins are replaced in its bytes: the schema's thrift strings keep their length.
 */
async function parquetWithNames(path: string, rows: readonly (readonly [string, number, number, string, string])[]): Promise<void> {
  const db = await openDuckDB({ path: ':memory:' });
  try {
    const values = rows.map((r) => `(${r.map((v) => (typeof v === 'number' ? String(v) : literal(v))).join(', ')})`).join(', ');
    await db.connection.run(
      `COPY (SELECT * FROM (VALUES ${values}) AS t("id", "amount", "amounX", "IX ", "  ")) TO ${literal(path)} (FORMAT parquet)`,
    );
  } finally {
    db.close();
  }
  const patched = readFileSync(path).toString('latin1').replaceAll('amounX', 'amount').replaceAll('IX ', 'ID ');
  writeFileSync(path, Buffer.from(patched, 'latin1'));
}

const ROWS = [
  ['K1', 10.5, 2, 'r1', 'x'],
  ['K2', -3, 4, 'r2', 'y'],
] as const;

async function files(rows: readonly (readonly [string, number, number, string, string])[]): Promise<{ a: string; b: string }> {
  const dir = tempDir();
  const a = join(dir, 'a.parquet');
  await parquetWithNames(a, rows);
  const b = join(dir, 'b.csv');
  writeFileSync(b, ['id,amount,amount,ID ,  ', ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return { a, b };
}

const RENAMED = ['id', 'amount', 'amount_2', 'ID_2', 'column5'];

describe('a Parquet file with duplicate or blank column names', () => {
  it('is named as the CSV with the same header, with the same warnings, and a definition reads the renamed columns', async () => {
    const { a, b } = await files(ROWS);
    const def: DefinitionInput = {
      name: 'parquet dup',
      key: ['id'],
      fields: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: 'decimal', scale: 2 },
        { name: 'amount_2', type: 'decimal', scale: 2 },
        { name: 'ID_2', type: 'string' },
        { name: 'column5', type: 'string' },
      ],
      compareUnlisted: false,
    };
    const summary = await runRecon({ aPath: a, bPath: b, definition: validateDefinition(def), workspace: join(tempDir(), 'ws') });
    expect(summary.warnings.b).toEqual([
      'header "amount" appears more than once; column 3 renamed "amount_2"',
      'header "ID" appears more than once; column 4 renamed "ID_2"',
      'header cell 5 is blank; named it "column5"',
    ]);
    expect(summary.warnings.a).toEqual(summary.warnings.b);
    expect(summary.counts).toMatchObject({ a: 2, b: 2, matched: 2, matchedExact: 2, matchedWithBreaks: 0 });
  });

  it('is previewed and inferred under the same names', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`K${i}`, i * 1.5, i, `r${i}`, `c${i}`] as const);
    const { a, b } = await files(rows);
    const preview = await previewFile(tempDir(), { path: a, side: 'a', source: {}, limit: 1 });
    expect(preview.columns).toEqual(RENAMED);
    expect(preview.rows).toEqual([['K0', '0.0', '0', 'r0', 'c0']]);
    const { report } = await inferDefinition({ aPath: a, bPath: b });
    expect(report.columns.a.map((c) => c.column)).toEqual(RENAMED);
    expect(report.columns.b.map((c) => c.column)).toEqual(RENAMED);
  });
});
