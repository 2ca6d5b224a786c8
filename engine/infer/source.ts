import { stat } from 'node:fs/promises';
import type { SourceFormat, SourceOptions } from '../definition/schema.ts';
import { queryOne, runWithProgress, type ProgressListener } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { prepareSource, type LoadContext } from '../ingest/load-source.ts';
import { jsonTextRelation, parquetRelation } from '../ingest/load-typed.ts';
import { checkInputFile, resolveFormat } from '../ingest/source-file.ts';
import { trimSql } from '../normalize/sql.ts';
import { ident, literal } from '../sql/quote.ts';
import { detectHeader } from './header.ts';
import { chooseSplit, readHead } from './head.ts';
import type { Choice, Side } from './types.ts';

/**
 * One input as inference reads it: the dialect sniffed from its head, the
 * file prepared by the engine's own ingest (so XLSX and other encodings are
 * converted exactly as a run will, and column names match), and a relation
 * of raw VARCHAR columns `a0..` / `b0..` for DuckDB to sample.
 */
export interface InferSource {
  side: Side;
  path: string;
  format: SourceFormat;
  /** Column names as the engine will name them. */
  columns: string[];
  /** SQL relation of the raw values, one VARCHAR column per file column, named `<side><i>`. */
  relation: string;
  /** Source options a definition needs to read the file this way (no number or date conventions yet). */
  options: SourceOptions;
  dialect: {
    format: Choice<SourceFormat>;
    encoding: Choice<string>;
    delimiter?: Choice<string>;
    quote?: Choice<string>;
    header: Choice<boolean>;
    skipRows?: Choice<number>;
  };
  /** Exact row count when cheap (XLSX, Parquet), else undefined. */
  exactRows: number | undefined;
  /** Bytes of the text DuckDB reads and bytes per line end, for the row estimate. */
  textBytes: number | undefined;
  eolBytes: number;
}

/** Title rows a sheet may have above its header (a report's name, a date line). */
const MAX_TITLE_ROWS = 10;

/**
 * A sheet prepared as a run will read it. A title above the header (narrower
 * than the header: "Cash report" in A1) makes the conversion find a wider row
 * below it; when that row is near the top it is the header, so the rows above
 * it are skipped (`options.skipRows`, proposed in the definition). A wider row
 * further down is an error in the data, reported as it is.
 */
async function prepareSheet(ctx: LoadContext, side: Side, path: string, options: SourceOptions): Promise<Awaited<ReturnType<typeof prepareSource>>> {
  for (;;) {
    try {
      return await prepareSource(ctx, side, path, options);
    } catch (err) {
      const wider = err instanceof ReconError && err.code === 'INPUT_PARSE_ERROR' && /has a value but the header has only/.test(err.message) ? Number(err.details?.['line']) : NaN;
      if (!(wider > (options.skipRows ?? 0) + 1 && wider <= MAX_TITLE_ROWS + 1)) throw err;
      options.skipRows = wider - 1;
    }
  }
}

/** Sniffs, prepares and describes one file; nothing is loaded yet. */
export async function openSource(ctx: LoadContext, side: Side, path: string): Promise<InferSource> {
  await checkInputFile(path, side);
  const format = resolveFormat(path, {});
  const formatChoice: Choice<SourceFormat> = { value: format, confidence: 0.9, reason: `from the file extension` };
  const col = (i: number): string => `${side}${i}`;
  const colSpec = (n: number, extra = ''): string => `{${extra}${Array.from({ length: n }, (_, i) => `${literal(col(i))}: 'VARCHAR'`).join(', ')}}`;

  if (format === 'csv' || format === 'tsv' || format === 'txt') {
    const head = await readHead(path);
    const split = chooseSplit(head, format === 'tsv' ? '\t' : undefined);
    const header = detectHeader(split.records);
    const options: SourceOptions = { format, delimiter: split.delimiter.value, header: header.value };
    if (split.quote.value !== '"') options.quote = split.quote.value;
    if (split.skipRows.value > 0) options.skipRows = split.skipRows.value;
    if (head.encoding.value !== 'utf-8') options.encoding = head.encoding.value;
    const prepared = await prepareSource(ctx, side, path, options);
    const d = prepared.dialect!;
    // DuckDB's default line limit (2 MB) on purpose: its read buffer is 16 lines' worth, and a sample can skip a monster line.
    const relation = `(SELECT * FROM read_csv(${literal(prepared.readPath)}, columns = ${colSpec(prepared.columns.length)},
        header = ${d.header}, skip = ${d.skipRows}, delim = ${literal(d.delimiter)}, quote = ${literal(d.quote)}, escape = ${literal(d.escape)},
        auto_detect = false, strict_mode = false, null_padding = true, ignore_errors = true, all_varchar = true))`;
    return {
      side,
      path,
      format,
      columns: prepared.columns,
      relation,
      options,
      dialect: { format: formatChoice, encoding: head.encoding, delimiter: split.delimiter, quote: split.quote, header, skipRows: split.skipRows },
      exactRows: undefined,
      textBytes: (await stat(prepared.readPath)).size,
      eolBytes: /\r\n/.test(head.text.slice(0, 65536)) ? 2 : 1,
    };
  }

  const options: SourceOptions = { format };
  const prepared = format === 'xlsx' ? await prepareSheet(ctx, side, path, options) : await prepareSource(ctx, side, path, options);
  const n = prepared.columns.length;
  const skipped = options.skipRows ?? 0;
  const dialect = {
    format: formatChoice,
    encoding: { value: format === 'parquet' ? 'binary' : 'utf-8', confidence: 1, reason: `${format} defines its own encoding` },
    header: {
      value: true,
      confidence: 1,
      reason: format === 'xlsx' ? (skipped > 0 ? `sheet row ${skipped + 1}, the first as wide as the rows below it` : 'first sheet row (the engine default)') : `${format} names its columns`,
    },
    ...(skipped > 0 ? { skipRows: { value: skipped, confidence: 0.8, reason: `sheet rows 1–${skipped} are narrower than the header below them: a title` } } : {}),
  };
  if (format === 'xlsx') {
    const relation = `(SELECT ${Array.from({ length: n }, (_, i) => col(i)).join(', ')} FROM read_csv(${literal(prepared.readPath)},
        columns = ${colSpec(n, `'__line': 'VARCHAR', `)}, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false))`;
    return { side, path, format, columns: prepared.columns, relation, options, dialect, exactRows: prepared.xlsx!.rowsWritten, textBytes: undefined, eolBytes: 1 };
  }
  const cols = prepared.columns.map((c, i) => `CAST(${ident(c)} AS VARCHAR) AS ${col(i)}`).join(', ');
  // JSON values as a run reads them: a string's value, not its JSON text with quotes (ingest/load-typed.ts).
  const relation =
    format === 'parquet'
      ? `(SELECT ${cols} FROM ${parquetRelation(path, prepared.columns)})`
      : jsonTextRelation(prepared.readPath, format, prepared.jsonMembers ?? prepared.columns, (_, i) => col(i));
  const { rows } = await queryOne<{ rows: string }>(
    ctx.conn,
    format === 'parquet' ? `SELECT coalesce(sum(num_rows), 0) AS rows FROM parquet_file_metadata(${literal(path)})` : `SELECT count(*) AS rows FROM ${relation}`,
  );
  return { side, path, format, columns: prepared.columns, relation, options, dialect, exactRows: Number(rows), textBytes: undefined, eolBytes: 1 };
}

/** SQL: a raw value as the engine reads it: trimmed as staging trims (normalize/sql.ts `trimSql`), empty → NULL. */
export function cleanSql(ref: string): string {
  return `nullif(${trimSql(ref)}, '')`;
}

/** The sample: `infer_s_<side>` with trimmed values (empty → NULL), and how many rows the file holds. */
export interface Sampled {
  table: string;
  rawTable: string;
  sampled: number;
  rows: number;
  rowsExact: boolean;
  /** sampled / rows: the chance that a given record is in the sample. */
  fraction: number;
}

/** Reservoir-samples up to `n` rows in DuckDB (repeatable by seed) and estimates the file's row count. */
export async function sampleSource(
  ctx: LoadContext,
  src: InferSource,
  n: number,
  seed: number,
  onProgress?: ProgressListener,
): Promise<Sampled> {
  const raw = `infer_raw_${src.side}`;
  const table = `infer_s_${src.side}`;
  const cols = src.columns.map((_, i) => `${src.side}${i}`);
  await runWithProgress(
    ctx.conn,
    `CREATE OR REPLACE TABLE ${raw} AS SELECT * FROM ${src.relation} USING SAMPLE reservoir(${Math.trunc(n)} ROWS) REPEATABLE(${Math.trunc(seed)})`,
    onProgress,
    ctx.signal,
  );
  // The engine trims spaces and tabs and reads an empty cell as no value; so does the profile.
  await ctx.conn.run(`CREATE OR REPLACE TABLE ${table} AS SELECT ${cols.map((c) => `${cleanSql(c)} AS ${c}`).join(', ')} FROM ${raw}`);
  const delim = src.options.delimiter?.length ?? 1;
  const { sampled, bytes } = await queryOne<{ sampled: string; bytes: string | null }>(
    ctx.conn,
    `SELECT count(*) AS sampled, avg(${cols.map((c) => `coalesce(strlen(${c}), 0)`).join(' + ')}) AS bytes FROM ${raw}`,
  );
  const count = Number(sampled);
  let rows = count;
  let rowsExact = count < n;
  if (!rowsExact && src.exactRows !== undefined) {
    rows = src.exactRows;
    rowsExact = true;
  } else if (!rowsExact && src.textBytes !== undefined && bytes !== null) {
    // Bytes of the file over bytes of an average record (values, delimiters, line end).
    const perRecord = Number(bytes) + (cols.length - 1) * delim + src.eolBytes;
    rows = Math.max(count, Math.round(src.textBytes / perRecord));
  }
  return { table, rawTable: raw, sampled: count, rows, rowsExact, fraction: rows === 0 ? 1 : Math.min(1, count / rows) };
}
