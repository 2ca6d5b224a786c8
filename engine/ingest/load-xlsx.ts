import { join } from 'node:path';
import { queryRows, runWithProgress } from '../duckdb/open.ts';
import { literal } from '../sql/quote.ts';
import { firstRowid, materialized, uniqueColumnNames, type LoadContext, type LoadedSource, type PrepareBase, type PreparedSource } from './source-types.ts';

/** Spreadsheets: converted to CSV (convert/xlsx-to-csv.ts, bounded), then read into a TEMP table. */

/** Converts the sheet to a scratch CSV and takes its header. */
export async function prepareXlsx(ctx: LoadContext, base: PrepareBase): Promise<PreparedSource> {
  const { side, originalPath: path, options } = base;

  const readPath = join(ctx.scratchDir, `${side}.xlsx.csv`);
  // Loaded on demand: exceljs takes ~0.25 s to import, a quarter of the run
  // worker's start, and most runs read no spreadsheet.
  const { xlsxToCsv, conversionError } = await import('./convert/xlsx-to-csv.ts');
  let result;
  try {
    // Bounded (convert/xlsx-limits.ts): past a limit it fails, having removed what it wrote.
    result = await xlsxToCsv(path, readPath, {
      ...(options.sheet !== undefined ? { sheet: options.sheet } : {}),
      header: options.header ?? true,
      ...(options.columns !== undefined ? { columns: options.columns } : {}),
    });
  } catch (err) {
    throw conversionError(path, side, err); // INPUT_TOO_LARGE or INPUT_PARSE_ERROR
  }
  const unique = uniqueColumnNames(result.header);
  const warnings = [...unique.warnings];
  if (result.blankRows > 0) warnings.push(`${result.blankRows} blank row(s) in sheet "${result.sheetName}" skipped`);
  return { ...base, readPath, columns: unique.names, warnings, dialect: undefined, xlsx: result };
}

export async function loadXlsx(ctx: LoadContext, p: PreparedSource): Promise<Omit<LoadedSource, 'file'>> {
  const { side, readPath: csv } = p;
  const unique = { names: p.columns };
  const result = p.xlsx!;
  const raw = `raw_${side}`;
  const colSpec = `{'__line': 'BIGINT', ${unique.names.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`;
  await runWithProgress(
    ctx.conn,
    `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT * FROM read_csv(${literal(csv)}, columns = ${colSpec},
       header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, strict_mode = true)`,
    ctx.onProgress,
    ctx.signal,
  );
  const base = await firstRowid(ctx.conn, raw);
  const warnings = [...p.warnings];
  return {
    side,
    ...materialized(side, raw),
    columns: unique.names,
    sourceRecords: result.rowsWritten,
    structuralRejects: 0,
    blankRows: result.blankRows,
    lineLabel: 'row',
    warnings,
    async locate(rowids) {
      const out = new Map<number, number>();
      if (rowids.length === 0) return out;
      const rows = await queryRows<{ k: string; line: string }>(
        ctx.conn,
        `SELECT rowid - ${base} AS k, __line AS line FROM ${raw} WHERE rowid - ${base} IN (${rowids.map((r) => String(Math.trunc(r))).join(', ')})`,
      );
      for (const r of rows) out.set(Number(r.k), Number(r.line));
      return out;
    },
    async lineOffsets(rows) {
      // The sheet row of each record is in __line: keep the rows where line - rid changes.
      const points = await queryRows<{ k: string; off: string }>(
        ctx.conn,
        `SELECT k, off FROM (SELECT k, off, lag(off) OVER (ORDER BY k) AS prev
                               FROM (SELECT rowid - ${base} AS k, __line - (rowid - ${base}) AS off FROM ${raw}))
          WHERE k < ${Math.trunc(rows)} AND (prev IS NULL OR off <> prev) ORDER BY k`,
      );
      return points.flatMap((p) => [Number(p.k), Number(p.off)]);
    },
  };
}
