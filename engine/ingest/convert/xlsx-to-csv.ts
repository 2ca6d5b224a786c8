/**
 * XLSX → UTF-8 CSV for DuckDB's read_csv (its `excel` extension is not available
 * offline). Rows stream from the zip to the file; none are collected in memory.
 * What a file may expand to is bounded (xlsx-limits.ts): past a limit the conversion
 * fails with ConvertLimitError, having written no more than the limit, and removes its files.
 */
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { quoted } from '../../errors/quote.ts';
import { csvLine, TextFileWriter, type WriteLimit } from './csv-writer.ts';
import { ConvertInputError, ConvertLimitError, UNCOMPUTED_REASON } from './errors.ts';
import { columnLetter, type SheetRow } from './sheet-rows.ts';
import { formatBytes, xlsxLimits, type XlsxLimits } from './xlsx-limits.ts';
import { withSheetRows } from './xlsx-reader.ts';
import { EXPANSION_RULE } from './zip-guard.ts';
import { uniqueColumnNames } from '../source-types.ts';

// With the converter, so its one dynamic import gives load-source both.
export { conversionError } from './errors.ts';

export interface XlsxToCsvResult {
  sheetName: string;
  /** The CSV's column names after `__line`: the header's cells named as a CSV header's are (uniqueColumnNames). */
  header: string[];
  /** What naming them changed (a blank cell named, a duplicate renamed), in the words a CSV's warnings use. */
  headerWarnings: string[];
  rowsWritten: number;
  /** Blank rows skipped before the last data row (rows missing from the XML count too). */
  blankRows: number;
  /**
   * Rows not written because a formula cell has no computed value in the file (its value is
   * unknown, which must not compare as empty): each is a reject of the run, in sheet order.
   */
  uncomputed: UncomputedRow[];
}

/** A row left out of the CSV: its formula cells without a computed value. */
export interface UncomputedRow {
  row: number;
  cells: { ref: string; column: string; formula: string }[];
  /** The row's values before its first such cell (an empty cell null), from which its key may be read (ingest/reject-keys.ts). */
  before: (string | null)[];
}



export interface XlsxToCsvOptions {
  /** Sheet name (case-insensitive, as Excel); default: the first worksheet tab. */
  sheet?: string;
  /** First non-blank row holds the column names; default true. */
  header?: boolean;
  /** Column names to use instead of the header row / column1..N. */
  columns?: string[];
  /** Sheet rows above the header to skip whatever they hold (a report's title); default 0. */
  skipRows?: number;
  /** Tighter limits than xlsxLimits(file size) gives (tests). */
  limits?: Partial<XlsxLimits>;
}

/** The line-number column every converted CSV starts with. */
export const LINE_COLUMN = '__line';

/** Header cells (an empty cell undefined) named exactly as a CSV header is, off the `__line` column too. */
function columnNames(cells: readonly (string | undefined)[]): { names: string[]; warnings: string[] } {
  return uniqueColumnNames(Array.from(cells, (c) => c ?? ''), [LINE_COLUMN]);
}

/** The CSV record of a row padded to `width` columns; the padding is appended as commas, not as fields. */
function paddedLine(row: number, cells: readonly (string | null | undefined)[], width: number): string {
  const fields = [String(row)];
  for (let i = 0; i < cells.length; i++) fields.push(cells[i] ?? '');
  const line = csvLine(fields);
  return width > cells.length ? `${line.slice(0, -1)}${','.repeat(width - cells.length)}\n` : line;
}

/** Dropping a value silently would change the data, so a row wider than the header fails. */
function checkWidth(file: string, sheet: string, { row, cells }: SheetRow, width: number): void {
  if (cells.length <= width) return;
  const col = cells.findIndex((c, i) => i >= width && c !== undefined) + 1;
  const letter = columnLetter(col);
  throw new ConvertInputError(
    `sheet ${quoted(sheet)}, row ${row}: cell ${letter}${row} has a value but the header has only ${width} column(s); ` +
      'add a header for it or remove the value',
    { file, sheet, line: row, column: letter },
  );
}

/** A record the CSV reader would refuse is refused here, naming its sheet row (0: a header we made). */
function checkRecord(file: string, sheet: string, row: number, line: string, maxBytes: number): string {
  if (line.length * 3 <= maxBytes) return line; // UTF-8 needs at most 3 bytes per UTF-16 unit
  const bytes = Buffer.byteLength(line);
  if (bytes <= maxBytes) return line;
  throw new ConvertLimitError(
    `sheet ${quoted(sheet)}, ${row > 0 ? `row ${row}` : 'header'}: the row is ${formatBytes(bytes)} as CSV, longer than ${formatBytes(maxBytes)}, ` +
      'the longest row the CSV reader accepts; shorten its values or save the sheet as CSV',
    { file, sheet, line: row, limit: 'maxRecordBytes', limitBytes: maxBytes },
  );
}

/** The output limit of one file written for `sheet`. */
function outputLimit(file: string, sheet: string, limits: XlsxLimits): WriteLimit {
  return {
    maxBytes: limits.maxOutputBytes,
    tooLarge: () =>
      new ConvertLimitError(
        `sheet ${quoted(sheet)}: converting it would write more than ${formatBytes(limits.maxOutputBytes)} of CSV; ` +
          `a converted XLSX may write at most ${EXPANSION_RULE}`,
        { file, sheet, limit: 'maxOutputBytes', limitBytes: limits.maxOutputBytes },
      ),
  };
}

/**
 * Streams the first (or named) sheet of an .xlsx to a UTF-8 RFC-4180 CSV whose first column is
 * `__line` (the worksheet row number). Blank rows are skipped and counted; short rows are padded.
 */
export async function xlsxToCsv(inPath: string, outPath: string, opts: XlsxToCsvOptions = {}): Promise<XlsxToCsvResult> {
  const limits = xlsxLimits((await stat(inPath)).size, opts.limits);
  const useHeader = opts.header ?? true;
  const fixed = opts.columns ? columnNames(opts.columns) : undefined;
  // Without a header or `columns` the width is known only at the end: rows go to a
  // JSON-lines file first (one row per line whatever the cell text) and are padded after.
  const rowsFile = !useHeader && !fixed ? `${outPath}.rows.tmp` : undefined;
  let writer: TextFileWriter | undefined;
  try {
    return await withSheetRows(inPath, opts.sheet, limits, async (sheetName, rows) => {
      const out = (writer = new TextFileWriter(rowsFile ?? outPath, outputLimit(inPath, sheetName, limits)));
      const record = (row: number, line: string): string => checkRecord(inPath, sheetName, row, line, limits.maxRecordBytes);
      let names = useHeader ? undefined : fixed?.names;
      let headerWarnings = useHeader ? [] : (fixed?.warnings ?? []);
      if (names) await out.write(record(0, csvLine([LINE_COLUMN, ...names])));
      let maxWidth = 0;
      // Skipped rows are neither data nor blank rows: counting starts below them.
      const skip = opts.skipRows ?? 0;
      let lastRow = skip;
      let pendingBlank = 0; // blank rows count only once a data row follows them
      let blankRows = 0;
      let rowsWritten = 0;
      const uncomputed: UncomputedRow[] = [];
      for await (const r of rows) {
        if (r.row <= skip) continue;
        pendingBlank += Math.max(0, r.row - lastRow - 1); // rows absent from the XML are blank
        lastRow = r.row;
        if (r.cells.length === 0 && !r.uncomputed) {
          pendingBlank++;
          continue;
        }
        blankRows += pendingBlank;
        pendingBlank = 0;
        if (!names && !rowsFile) {
          if (r.uncomputed) {
            const ref = `${columnLetter(r.uncomputed[0]!.col)}${r.row}`;
            throw new ConvertInputError(`sheet ${quoted(sheetName)}, row ${r.row}: header cell ${ref} is a ${UNCOMPUTED_REASON}`, {
              file: inPath,
              sheet: sheetName,
              line: r.row,
              column: columnLetter(r.uncomputed[0]!.col),
            });
          }
          if (fixed) checkWidth(inPath, sheetName, r, fixed.names.length);
          ({ names, warnings: headerWarnings } = fixed ?? columnNames(r.cells));
          await out.write(record(r.row, csvLine([LINE_COLUMN, ...names])));
          continue;
        }
        if (r.uncomputed) {
          // Left out of the CSV, and rejected by the loader with its row, column and reason.
          const cols = names;
          uncomputed.push({
            row: r.row,
            cells: r.uncomputed.map((u) => ({ ref: `${columnLetter(u.col)}${r.row}`, column: cols?.[u.col - 1] ?? `column${u.col}`, formula: u.formula })),
            before: Array.from({ length: Math.min(...r.uncomputed.map((u) => u.col)) - 1 }, (_, i) => r.cells[i] ?? null),
          });
          continue;
        }
        if (names) {
          checkWidth(inPath, sheetName, r, names.length);
          await out.write(record(r.row, paddedLine(r.row, r.cells, names.length)));
        } else {
          maxWidth = Math.max(maxWidth, r.cells.length);
          await out.write(`${JSON.stringify([r.row, ...r.cells])}\n`);
        }
        rowsWritten++;
      }
      if (!names && !rowsFile) await out.write(csvLine([LINE_COLUMN])); // header wanted, sheet empty
      await out.close();
      writer = undefined;
      const header = names ?? Array.from({ length: maxWidth }, (_, i) => `column${i + 1}`);
      if (rowsFile) await padRows(rowsFile, outPath, header, record, outputLimit(inPath, sheetName, limits));
      return { sheetName, header, headerWarnings, rowsWritten, blankRows, uncomputed };
    });
  } catch (err) {
    await writer?.abort();
    await rm(outPath, { force: true }); // never leave a half-written CSV for read_csv to pick up
    throw err;
  } finally {
    if (rowsFile) await rm(rowsFile, { force: true });
  }
}

/** Rewrites the JSON-lines rows as CSV padded to the final width. */
async function padRows(
  rowsFile: string,
  outPath: string,
  header: string[],
  record: (row: number, line: string) => string,
  limit: WriteLimit,
): Promise<void> {
  const out = new TextFileWriter(outPath, limit);
  try {
    await out.write(record(0, csvLine([LINE_COLUMN, ...header])));
    const lines = createInterface({ input: createReadStream(rowsFile, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const [row, ...cells] = JSON.parse(line) as [number, ...(string | null)[]];
      await out.write(record(row, paddedLine(row, cells, header.length)));
    }
    await out.close();
  } catch (err) {
    await out.abort();
    throw err;
  }
}
