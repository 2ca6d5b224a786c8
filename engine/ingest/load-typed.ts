import { queryOne, queryRows, runWithProgress } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { ident, literal } from '../sql/quote.ts';
import { firstLine, materialized, type LoadContext, type LoadedSource, type PrepareBase, type PreparedSource } from './source-types.ts';

/** Parquet and JSON: read typed by DuckDB, turned to text in a TEMP table. */

/** Reads the columns from the file's schema. */
export async function prepareTyped(ctx: LoadContext, base: PrepareBase): Promise<PreparedSource> {
  const { side, originalPath: path } = base;
  const format = base.format as 'parquet' | 'json' | 'ndjson';

  let columns: string[];
  try {
    const described = await queryRows<{ column_name: string }>(ctx.conn, `DESCRIBE SELECT * FROM ${typedScan(path, format)}`);
    columns = described.map((d) => d.column_name);
  } catch (err) {
    throw new ReconError('INPUT_PARSE_ERROR', `${path}: cannot be read as ${format}: ${firstLine((err as Error).message)}`, { file: path, side });
  }
  return { ...base, readPath: path, columns, warnings: [], dialect: undefined, xlsx: undefined };
}

function typedScan(path: string, format: 'parquet' | 'json' | 'ndjson'): string {
  if (format === 'parquet') return `read_parquet(${literal(path)})`;
  const fmt = format === 'ndjson' ? 'newline_delimited' : 'auto';
  return `read_json(${literal(path)}, format = ${literal(fmt)}, records = true, sample_size = -1)`;
}

/**
 * Typed formats are read by DuckDB and turned to text, so one normalizer
 * handles every format. The independent count comes from the Parquet footer,
 * or from read_json_objects, which splits records without typing them.
 */
export async function loadTyped(ctx: LoadContext, p: PreparedSource): Promise<Omit<LoadedSource, 'file'>> {
  const { side, readPath: path } = p;
  const format = p.format as 'parquet' | 'json' | 'ndjson';
  const raw = `raw_${side}`;
  const select = p.columns.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`).join(', ');
  try {
    await runWithProgress(ctx.conn, `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT ${select} FROM ${typedScan(path, format)}`, ctx.onProgress, ctx.signal);
  } catch (err) {
    if (ctx.signal?.aborted) throw err;
    throw new ReconError('INPUT_PARSE_ERROR', `${path}: cannot be read: ${firstLine((err as Error).message)}`, { file: path, side });
  }
  const countSql =
    format === 'parquet'
      ? `SELECT coalesce(sum(num_rows), 0) AS expected FROM parquet_file_metadata(${literal(path)})`
      : `SELECT count(*) AS expected FROM read_json_objects(${literal(path)}, format = ${literal(format === 'ndjson' ? 'newline_delimited' : 'auto')})`;
  const { expected } = await queryOne<{ expected: string }>(ctx.conn, countSql);
  return {
    side,
    ...materialized(side, raw),
    columns: p.columns,
    sourceRecords: Number(expected),
    structuralRejects: 0,
    blankRows: 0,
    lineLabel: 'row',
    warnings: [...p.warnings],
    async locate(rowids) {
      return new Map(rowids.map((r) => [r, r + 1]));
    },
    async lineOffsets(rows) {
      return rows > 0 ? [0, 1] : [];
    },
  };
}
