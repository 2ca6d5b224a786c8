import { join } from 'node:path';
import { queryOne, queryRows, runWithProgress } from '../duckdb/open.ts';
import { sniffEncoding, transcodeToUtf8 } from './convert/transcode.ts';
import { ReconError } from '../errors/recon-error.ts';
import { ident, literal } from '../sql/quote.ts';
import { cellText } from './http/json-text.ts';
import { JsonFileError, readJsonRecords } from './json-records.ts';
import { firstLine, materialized, uniqueColumnNames, type LoadContext, type LoadedSource, type PrepareBase, type PreparedSource, type Side } from './source-types.ts';

/** Parquet (read typed by DuckDB, turned to text) and JSON/NDJSON (each value's text as written, json-records.ts) in a TEMP table. */

/** Reads the columns from the file's schema. */
export async function prepareTyped(ctx: LoadContext, base: PrepareBase): Promise<PreparedSource> {
  const { side, originalPath: path } = base;
  const format = base.format as 'parquet' | 'json' | 'ndjson';
  // DuckDB's JSON readers refuse a byte order mark: they read a UTF-8 copy without it (messages name the file).
  const readPath = format === 'parquet' ? path : await jsonWithoutBom(ctx, side, path);

  let columns: string[];
  let members: string[] | undefined;
  const warnings: string[] = [];
  try {
    if (format === 'parquet') {
      // Named from the names the file's schema writes, as a header's cells (DuckDB's reader renames a repeated one "x_1", silently).
      const unique = uniqueColumnNames(await parquetColumnNames(ctx, path));
      columns = unique.names;
      warnings.push(...unique.warnings);
    } else {
      // The records' member names exactly as written (DuckDB's read_json would rename "amt"
      // beside "Amt" to "amt_1"), in order of first appearance; then named as a header's cells.
      const keys = await queryRows<{ k: string }>(
        ctx.conn,
        `SELECT k FROM (SELECT json_keys(json) AS ks, ordinality AS r FROM read_json_objects(${literal(readPath)}, format = ${literal(format === 'ndjson' ? 'newline_delimited' : 'auto')}) WITH ORDINALITY) t,
                unnest(t.ks) WITH ORDINALITY AS u(k, i) GROUP BY k ORDER BY min([t.r, u.i])`,
      );
      members = keys.map((k) => k.k);
      const unique = uniqueColumnNames(members);
      columns = unique.names;
      warnings.push(...unique.warnings.map((w) => w.replace('header cell', 'record member').replace(/^header/, 'record member')));
    }
  } catch (err) {
    // Where JSON broke, by line and column, when our reader finds it; else DuckDB's words.
    if (format !== 'parquet') await findJsonError(path, side, format);
    throw new ReconError('INPUT_PARSE_ERROR', `${path}: cannot be read as ${format}: ${firstLine((err as Error).message)}`, { file: path, side });
  }
  if (format !== 'parquet' && columns.length === 0) {
    await findJsonError(path, side, format);
    throw new ReconError('INPUT_EMPTY', `${path}: source ${side.toUpperCase()} has no records with named values; expected JSON objects such as {"id": "A1", "amount": 10.5}`, { file: path, side });
  }
  return { ...base, readPath, columns, warnings, dialect: undefined, xlsx: undefined, ...(members ? { jsonMembers: members } : {}) };
}

/** A JSON file with a byte order mark (UTF-8 or UTF-16) as a UTF-8 scratch copy without it; any other file as it is. */
async function jsonWithoutBom(ctx: LoadContext, side: Side, path: string): Promise<string> {
  const { encoding, bom } = await sniffEncoding(path);
  if (!bom || encoding === undefined) return path;
  const out = join(ctx.scratchDir, `${side}.utf8.json`);
  try {
    await transcodeToUtf8(path, out, encoding);
  } catch (err) {
    throw new ReconError('INPUT_PARSE_ERROR', `${path}: cannot be read as ${encoding}: ${(err as Error).message}`, { file: path, side });
  }
  return out;
}

/** The top-level column names of a Parquet file as its schema writes them, in order. */
async function parquetColumnNames(ctx: LoadContext, path: string): Promise<string[]> {
  const schema = await queryRows<{ name: string; num_children: string | null }>(ctx.conn, `SELECT name, num_children FROM parquet_schema(${literal(path)})`);
  // Depth first: the root, then each top-level column followed by its nested elements.
  const after = (at: number): number => {
    let next = at + 1;
    for (let c = Number(schema[at]?.num_children ?? 0); c > 0; c--) next = after(next);
    return next;
  };
  const names: string[] = [];
  for (let i = 1, left = Number(schema[0]?.num_children ?? 0); left > 0 && i < schema.length; i = after(i), left--) names.push(schema[i]!.name);
  return names;
}

/**
 * A Parquet file as a relation whose columns have the names prepare gave them (by position: the
 * file may repeat a name, which DuckDB's reader would rename otherwise). Runs, infer and preview read it so.
 */
export function parquetRelation(path: string, columns: readonly string[]): string {
  return `(SELECT * FROM read_parquet(${literal(path)}) AS t(${columns.map((c) => ident(c)).join(', ')}))`;
}

/**
 * A JSON/NDJSON file as a DuckDB relation of text columns, for readers that want SQL over a
 * sample rather than a run's exact load (inference, preview): each value as text whatever the
 * column's other values are — a string's value, not its JSON text with quotes; true/false;
 * nested values as JSON; null as NULL. Numbers pass through DuckDB's JSON reader (doubles
 * printed shortest, integers of any size exact), so a run loads with loadJsonRecords instead.
 */
export function jsonTextRelation(path: string, format: 'json' | 'ndjson', columns: readonly string[], as: (column: string, i: number) => string = (c) => c): string {
  const spec = `{${columns.map((c) => `${literal(c)}: 'JSON'`).join(', ')}}`;
  const select = columns.map((c, i) => `CASE json_type(${ident(c)}) WHEN 'VARCHAR' THEN ${ident(c)} ->> '$' WHEN 'NULL' THEN NULL ELSE CAST(${ident(c)} AS VARCHAR) END AS ${ident(as(c, i))}`);
  return `(SELECT ${select.join(', ')} FROM read_json(${literal(path)}, format = ${literal(format === 'ndjson' ? 'newline_delimited' : 'auto')}, records = true, columns = ${spec}))`;
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
  const warnings = [...p.warnings];
  if (format === 'parquet') {
    const select = p.columns.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`).join(', ');
    try {
      await runWithProgress(ctx.conn, `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT ${select} FROM ${parquetRelation(path, p.columns)}`, ctx.onProgress, ctx.signal);
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      throw new ReconError('INPUT_PARSE_ERROR', `${path}: cannot be read: ${firstLine((err as Error).message)}`, { file: path, side });
    }
  } else {
    warnings.push(...(await loadJsonRecords(ctx, p, raw, format)));
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
    warnings,
    async locate(rowids) {
      return new Map(rowids.map((r) => [r, r + 1]));
    },
    async lineOffsets(rows) {
      return rows > 0 ? [0, 1] : [];
    },
  };
}

/**
 * JSON and NDJSON records into the raw table, each value as the file writes it: a string's
 * value (not its JSON text), a number's digits exactly (never through a double: DuckDB's JSON
 * reader would turn 12345678901234567.89 into 12345678901234568), true/false, nested objects
 * and arrays as compact JSON, null or an absent member as NULL — whatever else the column
 * holds (DuckDB types a column of strings and numbers as JSON, and its text keeps the quotes).
 * The members are read_json_objects' keys (prepare); so is the count to check against (loadTyped).
 */
async function loadJsonRecords(ctx: LoadContext, p: PreparedSource, raw: string, format: 'json' | 'ndjson'): Promise<string[]> {
  const { side, readPath: path } = p;
  await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE ${raw} (${p.columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
  const appender = await ctx.conn.createAppender(raw, null, 'temp');
  const members = p.jsonMembers ?? p.columns;
  const known = new Set(members);
  const extra = new Set<string>();
  let rows = 0;
  let bytes = 0;
  try {
    for await (const r of readJsonRecords(path, format, (n) => (bytes += n))) {
      for (const m of members) {
        const v = r.members.get(m);
        const text = v === undefined ? null : cellText(v);
        if (text === null) appender.appendNull();
        else appender.appendVarchar(text);
      }
      appender.endRow();
      if (extra.size < 10) for (const k of r.members.keys()) if (!known.has(k)) extra.add(k);
      if (++rows % 50_000 === 0) {
        appender.flushSync();
        ctx.onProgress?.({ fraction: p.bytes > 0 ? Math.min(1, bytes / p.bytes) : undefined, rowsDone: rows, rowsTotal: undefined });
        if (ctx.signal?.aborted) throw new ReconError('RUN_CANCELLED', 'run was cancelled');
      }
    }
    appender.flushSync();
  } catch (err) {
    if (err instanceof JsonFileError) throw jsonFileError(p.originalPath, side, format, err);
    throw err;
  } finally {
    try {
      appender.closeSync();
    } catch {
      // already failed: the run is being abandoned
    }
  }
  return extra.size > 0 ? [`records have members not among the columns (${[...extra].join(', ')}); they were not read`] : [];
}

function jsonFileError(path: string, side: string, format: 'json' | 'ndjson', err: JsonFileError): ReconError {
  return new ReconError('INPUT_PARSE_ERROR', `${path}, line ${err.line}, column ${err.column}: cannot be read as ${format === 'ndjson' ? 'NDJSON' : 'JSON'}: ${err.what}`, {
    file: path,
    side,
    line: err.line,
    column: err.column,
  });
}

/** Reads the file's records to the first problem, and throws it at its line and column (returns if none is found). */
async function findJsonError(path: string, side: string, format: 'json' | 'ndjson'): Promise<void> {
  try {
    for await (const r of readJsonRecords(path, format)) void r;
  } catch (err) {
    if (err instanceof JsonFileError) throw jsonFileError(path, side, format, err);
    // Anything else (unreadable now): DuckDB's error stands.
  }
}
