import { join } from 'node:path';
import { queryRows, runWithProgress } from '../duckdb/open.ts';
import { quoted } from '../errors/quote.ts';
import { ReconError } from '../errors/recon-error.ts';
import { literal } from '../sql/quote.ts';
import { UNCOMPUTED_REASON } from './convert/errors.ts';
import { appendRejects, type RejectRow } from './rejects.ts';
import { firstRowid, materialized, type LoadContext, type LoadedSource, type PrepareBase, type PreparedSource } from './source-types.ts';

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
      ...(options.skipRows !== undefined ? { skipRows: options.skipRows } : {}),
    });
  } catch (err) {
    throw conversionError(path, side, err); // INPUT_TOO_LARGE or INPUT_PARSE_ERROR
  }
  if (result.header.length === 0) {
    // No cell in the sheet: no header to bind the fields to, and no rows.
    throw new ReconError('INPUT_EMPTY', `${path}: sheet ${quoted(result.sheetName)} of source ${side.toUpperCase()} is empty; expected a header row and data rows`, {
      file: path,
      side,
      sheet: result.sheetName,
    });
  }
  // The converter named the header's cells as a CSV's are (uniqueColumnNames), with the same warnings.
  const warnings = [...result.headerWarnings];
  if (result.blankRows > 0) warnings.push(`${result.blankRows} blank row(s) in sheet "${result.sheetName}" skipped`);
  return { ...base, readPath, columns: result.header, warnings, dialect: undefined, xlsx: result };
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
  // Rows whose formula cells have no computed value were left out of the CSV: each is a reject.
  const uncomputed = result.uncomputed ?? [];
  const rejects: RejectRow[] = uncomputed.map((u) => ({
    side,
    file: p.originalPath,
    line: u.row,
    column: u.cells[0]!.column,
    rawValue: u.cells.map((c) => `${c.ref}: =${c.formula}`).join('; '),
    reason: `${u.cells.length === 1 ? `cell ${u.cells[0]!.ref} is a` : `cells ${u.cells.map((c) => c.ref).join(', ')} are`} ${UNCOMPUTED_REASON}`,
    errorType: 'FORMULA_WITHOUT_VALUE',
  }));
  if (uncomputed.length > 0) {
    const cols = [...new Set(uncomputed.flatMap((u) => u.cells.map((c) => c.column)))];
    warnings.push(`${uncomputed.length} row(s) rejected: formula cells without a computed value in column(s) ${cols.slice(0, 10).map((c) => quoted(c)).join(', ')}; open and save the file in Excel, or export values`);
  }
  return {
    side,
    ...materialized(side, raw),
    async afterRead() {
      await appendRejects(ctx.conn, rejects);
    },
    columns: unique.names,
    sourceRecords: result.rowsWritten + rejects.length,
    structuralRejects: rejects.length,
    rejectedRecords: uncomputed.map((u) => ({ line: u.row, fields: u.before })),
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
