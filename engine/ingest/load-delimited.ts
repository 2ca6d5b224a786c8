import { join } from 'node:path';
import { queryRows } from '../duckdb/open.ts';
import type { SourceOptions } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import { ident, literal } from '../sql/quote.ts';
import { sniffEncoding, transcodeToUtf8 } from './convert/transcode.ts';
import { offsetPoints } from './line-map.ts';
import { findMixedLineEnds, parseHeader, readHeader, scanDelimited, type DelimitedDialect } from './record-scanner.ts';
import { appendRejects, describeCsvError, type RejectRow } from './rejects.ts';
import { sniffDelimiter } from './source-file.ts';
import { firstLine, hashSum, SAMPLE_RECORDS, uniqueColumnNames, type LoadContext, type LoadedSource, type PrepareBase, type PreparedSource, type Side } from './source-types.ts';

/** Delimited text (CSV, TSV, TXT): read by DuckDB's read_csv straight into the staging statement. */

/** The longest record a delimited file may have. */
const MAX_LINE_BYTES = 10_000_000;

/** Converts a non-UTF-8 file, settles the dialect and reads the header. */
export async function prepareDelimited(ctx: LoadContext, base: PrepareBase): Promise<PreparedSource> {
  const { side, originalPath: path, format, options } = base;

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

export async function loadDelimited(ctx: LoadContext, p: PreparedSource, dialect: DelimitedDialect): Promise<Omit<LoadedSource, 'file'>> {
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
  // Without a rejects table, a read skips bad records (the sample's read: nothing recorded).
  const readCsv = (rejectsTable?: string): string => `read_csv(${literal(path)},
       columns = ${colSpec}, header = ${dialect.header}, skip = ${skip},
       delim = ${literal(dialect.delimiter)}, quote = ${literal(dialect.quote)}, escape = ${literal(dialect.escape)},
       auto_detect = false, strict_mode = true, null_padding = false, all_varchar = true,
       ${rejectsTable ? `store_rejects = true, rejects_table = ${literal(rejectsTable)}, rejects_scan = ${literal(`${rejectsTable}_scan`)}` : 'ignore_errors = true'},
       max_line_size = ${lineLimit})`;
  const rejectsTable = `csv_rejects_${side}`;
  await ctx.conn.run(`DROP TABLE IF EXISTS ${rejectsTable}; DROP TABLE IF EXISTS ${rejectsTable}_scan;`);
  const rawRelation = `(SELECT * FROM ${readCsv(rejectsTable)})`;
  const sampleRelation = `(SELECT * FROM ${readCsv()} LIMIT ${SAMPLE_RECORDS})`;

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
    sampleRelation,
    columns,
    sourceRecords: scan.records,
    structuralRejects: 0,
    blankRows: scan.blankLines,
    onlySpacesPad: scan.onlySpacesPad,
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
      loaded.rejectedRecords = errs.map((e, i) => ({ line: rejects[i]!.line!, fields: trustedFields(e, columns, dialect) }));
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
    keyHashSql(keyText, opts) {
      // A second, key-only read of the file: the staged rows are checked against the source itself.
      // Consuming every column (a cheap length sum) stops DuckDB from skipping their validation.
      // (One flat concat, not a chain of +, which a 5,000-column file would nest too deep.)
      const every = opts?.everyColumn ? `, sum(strlen(concat(${columns.map((c) => ident(c)).join(', ')}))) AS __width` : '';
      return `SELECT ${hashSum(keyText, opts?.portable)} AS expected${every} FROM ${readCsv(`${rejectsTable}_hash`)}`;
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

/**
 * The fields of a rejected record that can be trusted, split from DuckDB's copy of its
 * text with the file's own dialect: those before the column DuckDB names (the first one
 * missing, the one holding a stray quote or bytes that are not UTF-8, which DuckDB shows
 * as "?" and which can swallow the delimiter after them); every field when it names none
 * (too many fields); none of a record longer than the line limit, which DuckDB cuts.
 */
function trustedFields(e: { error_type: string; column_name: string | null; csv_line: string | null }, columns: readonly string[], dialect: DelimitedDialect): string[] {
  if (e.csv_line === null || e.error_type === 'LINE SIZE OVER MAXIMUM') return [];
  const fields = parseHeader(Buffer.from(e.csv_line, 'utf8'), { ...dialect, skipRows: 0 });
  if (e.column_name === null) return fields;
  const bad = columns.indexOf(e.column_name);
  return bad < 0 ? [] : fields.slice(0, bad);
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
