import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { ReconError } from '../errors/recon-error.ts';
import type { SourceFormat, SourceOptions } from '../definition/schema.ts';
import { queryOne, queryRows, runWithProgress, type ProgressListener } from '../duckdb/open.ts';
import { ident, literal } from '../sql/quote.ts';
import { sniffEncoding, transcodeToUtf8 } from './convert/transcode.ts';
import { appendRejects, describeCsvError, type RejectRow } from './rejects.ts';
import { findMixedLineEnds, readHeader, scanDelimited, type DelimitedDialect } from './record-scanner.ts';
import { checkInputFile, resolveFormat, sha256File, sniffDelimiter, type SourceFileInfo } from './source-file.ts';
import { offsetPoints } from './line-map.ts';

export type Side = 'a' | 'b';

/** The longest record a delimited file may have. */
const MAX_LINE_BYTES = 10_000_000;

/**
 * A source ready to stage: `rawRelation` is SQL for a relation of VARCHAR
 * columns exactly as the file spells its values, in file order. The staging
 * statement keeps that order (preserve_insertion_order), so a staged row's
 * position is the record's 0-based position among loaded records. Delimited text is read by
 * DuckDB straight into the staged table (no intermediate copy); other formats
 * go through a TEMP table first. Typing happens in normalize/.
 */
export interface LoadedSource {
  side: Side;
  /** `sha256` is empty until `fingerprintSource` ran. */
  file: SourceFileInfo;
  rawRelation: string;
  /** Data columns of the raw relation, in file order. */
  columns: string[];
  /** Records in the file, counted independently of the loader. */
  sourceRecords: number;
  /** Records rejected while parsing (structure), in `rejects` once `afterRead` ran. */
  structuralRejects: number;
  blankRows: number;
  /** "line" for text files, "row" for sheets, Parquet and JSON arrays. */
  lineLabel: 'line' | 'row';
  /** After the staging statement read `rawRelation`: collect what the reader rejected. */
  afterRead(): Promise<void>;
  /** Turns a failure of the statement reading `rawRelation` into a clear input error. */
  explainReadError(err: unknown): Promise<ReconError>;
  /**
   * SQL returning one row `{ expected }`: the order-independent key hash, from an
   * independent read of the source. `everyColumn` makes that read parse every
   * column, not only the key's, so it rejects what the staging read rejected.
   */
  keyHashSql(keyText: string, opts?: { everyColumn?: boolean }): string;
  /** keyHashSql reads only the file, so it may run on another connection (not a TEMP table of this one). */
  keyHashReadsFile: boolean;
  /** Maps 0-based positions among loaded records (`__rid`) to the line/row a person finds the record at. */
  locate(rowids: readonly number[]): Promise<Map<number, number>>;
  /**
   * Where every loaded record is, compactly: `[rid, offset, rid, offset, …]`, the
   * points where `line - rid` changes (it never decreases: loaded records keep file
   * order), for the first `rows` records. See ingest/line-map.ts.
   */
  lineOffsets(rows: number): Promise<number[]>;
  warnings: string[];
}

export interface LoadContext {
  conn: DuckDBConnection;
  /** Scratch folder for converted files (XLSX, other encodings); the caller removes it. */
  scratchDir: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/**
 * A source file checked, converted if needed (XLSX, other encodings) and with
 * its columns known, but not loaded yet: enough to bind the definition and
 * fail fast before any heavy work.
 */
export interface PreparedSource {
  side: Side;
  originalPath: string;
  bytes: number;
  format: SourceFormat;
  options: SourceOptions;
  /** The file DuckDB reads (a UTF-8 scratch copy for XLSX and other encodings). */
  readPath: string;
  columns: string[];
  warnings: string[];
  dialect: DelimitedDialect | undefined;
  xlsx: { rowsWritten: number; blankRows: number; sheetName: string } | undefined;
}

/** Checks the file, converts it when needed and reads its column names. */
export async function prepareSource(ctx: LoadContext, side: Side, path: string, options: SourceOptions): Promise<PreparedSource> {
  const bytes = await checkInputFile(path, side);
  const format = resolveFormat(path, options);
  const base = { side, originalPath: path, bytes, format, options };
  switch (format) {
    case 'csv':
    case 'tsv':
    case 'txt': {
      const readPath = await ensureUtf8(ctx, side, path, options);
      const dialect: DelimitedDialect = {
        delimiter: options.delimiter ?? (await sniffDelimiter(readPath, format)),
        quote: options.quote ?? '"',
        escape: options.escape ?? options.quote ?? '"',
        header: options.header ?? true,
        skipRows: options.skipRows ?? 0,
      };
      const warnings: string[] = [];
      let columns: string[];
      if (dialect.header) {
        const header = await readHeader(readPath, { ...dialect });
        const skip = dialect.skipRows;
        const headerBlank = header.length === 0 || (header.length === 1 && header[0]!.trim() === '');
        if (headerBlank) {
          throw new ReconError('INPUT_EMPTY', `${path}, line ${1 + skip}: source ${side.toUpperCase()} has no header row; expected column names`, { file: path, line: 1 + skip, side });
        }
        const unique = uniqueColumnNames(header);
        columns = options.columns ?? unique.names;
        warnings.push(...unique.warnings);
      } else {
        const scanWidth = (await readHeader(readPath, { ...dialect, header: true })).length;
        columns = options.columns ?? Array.from({ length: scanWidth }, (_, i) => `column${i + 1}`);
      }
      return { ...base, readPath, columns, warnings, dialect, xlsx: undefined };
    }
    case 'xlsx': {
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
    case 'parquet':
    case 'json':
    case 'ndjson': {
      let columns: string[];
      try {
        const described = await queryRows<{ column_name: string }>(ctx.conn, `DESCRIBE SELECT * FROM ${typedScan(path, format)}`);
        columns = described.map((d) => d.column_name);
      } catch (err) {
        throw new ReconError('INPUT_PARSE_ERROR', `${path}: cannot be read as ${format}: ${firstLine((err as Error).message)}`, { file: path, side });
      }
      return { ...base, readPath: path, columns, warnings: [], dialect: undefined, xlsx: undefined };
    }
  }
}

/** Reads a prepared source into `raw_<side>` with every row accounted for. */
export async function loadSource(ctx: LoadContext, p: PreparedSource): Promise<LoadedSource> {
  let loaded: Omit<LoadedSource, 'file'>;
  switch (p.format) {
    case 'csv':
    case 'tsv':
    case 'txt':
      loaded = await loadDelimited(ctx, p, p.dialect!);
      break;
    case 'xlsx':
      loaded = await loadXlsx(ctx, p);
      break;
    case 'parquet':
    case 'json':
    case 'ndjson':
      loaded = await loadTyped(ctx, p);
      break;
  }
  // Assign rather than spread: afterRead() updates the loader's own object.
  return Object.assign(loaded, { file: { path: p.originalPath, bytes: p.bytes, sha256: '', format: p.format } });
}

/**
 * Fills in the source's SHA-256. Apart from loading so that a run can hash
 * (~0.2 s of JavaScript per 100 MB) while DuckDB stages the rows, rather
 * than in the way of the record scan.
 */
export async function fingerprintSource(loaded: LoadedSource): Promise<void> {
  loaded.file.sha256 = await sha256File(loaded.file.path);
}

/** Column names a person can refer to: blanks named, duplicates suffixed. */
export function uniqueColumnNames(names: readonly string[]): { names: string[]; warnings: string[] } {
  const seen = new Map<string, number>();
  const warnings: string[] = [];
  const out = names.map((raw, i) => {
    let name = raw.trim() === '' ? `column${i + 1}` : raw.trim();
    if (raw.trim() === '') warnings.push(`header cell ${i + 1} is blank; named it "${name}"`);
    const lower = name.toLowerCase();
    const n = seen.get(lower) ?? 0;
    seen.set(lower, n + 1);
    if (n > 0) {
      const renamed = `${name}_${n + 1}`;
      warnings.push(`header "${name}" appears more than once; column ${i + 1} renamed "${renamed}"`);
      name = renamed;
      seen.set(renamed.toLowerCase(), 1);
    }
    return name;
  });
  return { names: out, warnings };
}

async function loadDelimited(ctx: LoadContext, p: PreparedSource, dialect: DelimitedDialect): Promise<Omit<LoadedSource, 'file'>> {
  const { side, readPath: path, columns } = p;
  const originalPath = p.originalPath;
  const scan = await scanDelimited(path, dialect);
  const warnings = [...p.warnings];
  if (scan.blankLines > 0) warnings.push(`${scan.blankLines} blank line(s) skipped`);

  const colSpec = `{${columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`;
  // Records up to 10 MB are read; a longer one is a LINE SIZE OVER MAXIMUM reject. DuckDB
  // sizes its read buffers by this limit (16 lines' worth), and 160 MB of buffers made
  // every read of a typical file ~20% slower, so the limit is the longest record the
  // scanner saw (with room for how DuckDB counts), never below DuckDB's 2 MB default.
  const lineLimit = Math.min(MAX_LINE_BYTES, Math.max(2 * 1024 * 1024, scan.longestRecordBytes + 64 * 1024));
  // Blank lines before the header are skipped too: DuckDB would take the first one for the header.
  const skip = dialect.skipRows + scan.blankLinesBeforeHeader;
  const readCsv = (rejectsTable: string): string => `read_csv(${literal(path)},
       columns = ${colSpec}, header = ${dialect.header}, skip = ${skip},
       delim = ${literal(dialect.delimiter)}, quote = ${literal(dialect.quote)}, escape = ${literal(dialect.escape)},
       auto_detect = false, strict_mode = true, null_padding = false, all_varchar = true,
       store_rejects = true, rejects_table = ${literal(rejectsTable)}, rejects_scan = ${literal(`${rejectsTable}_scan`)},
       max_line_size = ${lineLimit})`;
  const rejectsTable = `csv_rejects_${side}`;
  await ctx.conn.run(`DROP TABLE IF EXISTS ${rejectsTable}; DROP TABLE IF EXISTS ${rejectsTable}_scan;`);
  const rawRelation = `(SELECT * FROM ${readCsv(rejectsTable)})`;

  let rejectedOrdinals: number[] = [];
  /**
   * The line of the k-th loaded record (0-based): the (k+1)-th record that was not
   * rejected. Its ordinal is k + 1 + j, j the rejected ordinals r_i with r_i - i <= k + 1
   * (r_i - i never decreases, so j is found by bisection).
   */
  const lineOfLoaded = (k: number): number => {
    let lo = 0;
    let hi = rejectedOrdinals.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rejectedOrdinals[mid]! - mid <= k + 1) lo = mid + 1;
      else hi = mid;
    }
    return scan.lineOfRecord(k + 1 + lo);
  };
  const loaded: Omit<LoadedSource, 'file'> = {
    side,
    rawRelation,
    columns,
    sourceRecords: scan.records,
    structuralRejects: 0,
    blankRows: scan.blankLines,
    lineLabel: 'line',
    warnings,
    async afterRead() {
      // DuckDB numbers rejected records by entry (skipped lines, header and blank
      // lines included, a multi-line record counted once); map them to records, then lines.
      const headerLines = (dialect.header ? 1 : 0) + skip;
      const errs = await queryRows<{ line: string; column_name: string | null; error_type: string; csv_line: string | null; error_message: string }>(
        ctx.conn,
        `SELECT line, any_value(column_name) AS column_name, any_value(error_type) AS error_type,
                any_value(csv_line) AS csv_line, any_value(error_message) AS error_message
           FROM ${rejectsTable} GROUP BY line ORDER BY line::BIGINT`,
      );
      rejectedOrdinals = errs.map((e) => scan.recordOfEntry(Number(e.line) - headerLines));
      const rejects: RejectRow[] = errs.map((e, i) => ({
        side,
        file: originalPath,
        line: scan.lineOfRecord(rejectedOrdinals[i]!),
        column: e.column_name,
        // DuckDB's csv_line can start with the previous record's line break (after CRLF).
        rawValue: e.csv_line === null ? null : e.csv_line.replace(/^[\r\n]+/, ''),
        reason: describeCsvError(e.error_type, e.error_message, side),
        errorType: e.error_type.replaceAll(' ', '_'),
      }));
      await appendRejects(ctx.conn, rejects);
      loaded.structuralRejects = rejects.length;
    },
    async explainReadError(err) {
      if (err instanceof ReconError) return err;
      // DuckDB rejects bad records one by one; what is left is a file it cannot split at all.
      const mixed = await findMixedLineEnds(path, dialect);
      const where = mixed === undefined ? originalPath : `${originalPath}, line ${mixed.line}`;
      const why =
        mixed === undefined
          ? firstLine((err as Error).message)
          : `line ${mixed.line} ends in ${mixed.found === 'CR' ? 'a lone CR' : mixed.found} but line 1 in ${mixed.first}; save the file with one kind of line end`;
      return new ReconError('INPUT_PARSE_ERROR', `${where}: cannot be read as delimited text: ${why}`, {
        file: originalPath,
        side,
        ...(mixed === undefined ? {} : { line: mixed.line }),
      });
    },
    keyHashReadsFile: true,
    keyHashSql(keyText, opts) {
      // A second, key-only read of the file: the staged rows are checked against the source itself.
      // Consuming every column (a cheap length sum) stops DuckDB from skipping their validation.
      // (One flat concat, not a chain of +, which a 5,000-column file would nest too deep.)
      const every = opts?.everyColumn ? `, sum(strlen(concat(${columns.map((c) => ident(c)).join(', ')}))) AS __width` : '';
      return `SELECT ${hashSum(keyText)} AS expected${every} FROM ${readCsv(`${rejectsTable}_hash`)}`;
    },
    async locate(rowids) {
      return new Map(rowids.map((k) => [k, lineOfLoaded(k)]));
    },
    async lineOffsets(rows) {
      return offsetPoints(rows, lineOfLoaded);
    },
  };
  return loaded;
}

/** Order-independent sum of 64-bit hashes, as text (it exceeds 2^53). */
export function hashSum(expr: string): string {
  return `CAST(coalesce(sum(hash(${expr})::HUGEINT), 0) % 18446744073709551616 AS VARCHAR)`;
}

/** The parts of a LoadedSource that are the same for every materialized (TEMP table) source. */
function materialized(side: Side, raw: string): Pick<LoadedSource, 'rawRelation' | 'afterRead' | 'explainReadError' | 'keyHashSql' | 'keyHashReadsFile'> {
  return {
    keyHashReadsFile: false,
    rawRelation: `(SELECT * FROM ${raw} ORDER BY rowid)`,
    async afterRead() {},
    async explainReadError(err) {
      return err instanceof ReconError ? err : new ReconError('INTERNAL_ERROR', firstLine((err as Error).message), { side });
    },
    keyHashSql(keyText) {
      return `SELECT ${hashSum(keyText)} AS expected FROM ${raw}`;
    },
  };
}

/** Non-UTF-8 input is transcoded to a UTF-8 scratch copy; line numbers are unchanged. */
async function ensureUtf8(ctx: LoadContext, side: Side, path: string, options: SourceOptions): Promise<string> {
  let encoding = options.encoding;
  if (encoding === undefined) {
    const sniffed = await sniffEncoding(path);
    if (sniffed.encoding === 'utf-16le' || sniffed.encoding === 'utf-16be') encoding = sniffed.encoding;
  }
  if (encoding === undefined || encoding === 'utf-8') return path;
  const out = join(ctx.scratchDir, `${side}.utf8.csv`);
  try {
    await transcodeToUtf8(path, out, encoding);
  } catch (err) {
    throw new ReconError('INPUT_PARSE_ERROR', `${path}: cannot be read as ${encoding}: ${(err as Error).message}`, { file: path, side });
  }
  return out;
}

async function loadXlsx(ctx: LoadContext, p: PreparedSource): Promise<Omit<LoadedSource, 'file'>> {
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
async function loadTyped(ctx: LoadContext, p: PreparedSource): Promise<Omit<LoadedSource, 'file'>> {
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

/** The raw table's first rowid, as text (it may exceed 2^53). See LoadedSource.rowidBase. */
async function firstRowid(conn: DuckDBConnection, table: string): Promise<string> {
  const { base } = await queryOne<{ base: string }>(conn, `SELECT CAST(coalesce(min(rowid), 0) AS VARCHAR) AS base FROM ${table}`);
  if (!/^\d+$/.test(base)) throw new Error(`unexpected rowid ${base} in ${table}`);
  return base;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
