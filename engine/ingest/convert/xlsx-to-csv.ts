/**
 * XLSX → UTF-8 CSV for DuckDB's read_csv (its `excel` extension is not available
 * offline). Rows stream from the zip to the file; none are collected in memory.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { csvLine, TextFileWriter } from './csv-writer.ts';
import { ConvertInputError } from './errors.ts';
import { columnLetter, type SheetRow } from './sheet-rows.ts';
import { withSheetRows } from './xlsx-reader.ts';

export interface XlsxToCsvResult {
  sheetName: string;
  /** The CSV's column names after `__line`. */
  header: string[];
  rowsWritten: number;
  /** Blank rows skipped before the last data row (rows missing from the XML count too). */
  blankRows: number;
}

export interface XlsxToCsvOptions {
  /** Sheet name (case-insensitive, as Excel); default: the first worksheet tab. */
  sheet?: string;
  /** First non-blank row holds the column names; default true. */
  header?: boolean;
  /** Column names to use instead of the header row / column1..N. */
  columns?: string[];
}

/** The line-number column every converted CSV starts with. */
export const LINE_COLUMN = '__line';

/** Unique, non-blank names; case-insensitive because DuckDB identifiers are. */
function uniqueNames(raw: readonly (string | undefined)[], blank: (n: number) => string): string[] {
  const used = new Set([LINE_COLUMN]);
  return Array.from(raw, (name, i) => {
    const base = name === undefined || name.trim() === '' ? blank(i + 1) : name;
    let candidate = base;
    for (let k = 2; used.has(candidate.toLowerCase()); k++) candidate = `${base}_${k}`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

function padded(row: number, cells: readonly (string | null | undefined)[], width: number): string[] {
  const out = [String(row)];
  for (let i = 0; i < width; i++) out.push(cells[i] ?? '');
  return out;
}

/** Dropping a value silently would change the data, so a row wider than the header fails. */
function checkWidth(file: string, sheet: string, { row, cells }: SheetRow, width: number): void {
  if (cells.length <= width) return;
  const col = cells.findIndex((c, i) => i >= width && c !== undefined) + 1;
  const letter = columnLetter(col);
  throw new ConvertInputError(
    `sheet "${sheet}", row ${row}: cell ${letter}${row} has a value but the header has only ${width} column(s); ` +
      'add a header for it or remove the value',
    { file, sheet, line: row, column: letter },
  );
}

/**
 * Streams the first (or named) sheet of an .xlsx to a UTF-8 RFC-4180 CSV whose first column is
 * `__line` (the worksheet row number). Blank rows are skipped and counted; short rows are padded.
 */
export async function xlsxToCsv(inPath: string, outPath: string, opts: XlsxToCsvOptions = {}): Promise<XlsxToCsvResult> {
  const useHeader = opts.header ?? true;
  const fixed = opts.columns ? uniqueNames(opts.columns, (n) => `column${n}`) : undefined;
  // Without a header or `columns` the width is known only at the end: rows go to a
  // JSON-lines file first (one row per line whatever the cell text) and are padded after.
  const rowsFile = !useHeader && !fixed ? `${outPath}.rows.tmp` : undefined;
  let writer: TextFileWriter | undefined;
  try {
    return await withSheetRows(inPath, opts.sheet, async (sheetName, rows) => {
      const out = (writer = new TextFileWriter(rowsFile ?? outPath));
      let names = useHeader ? undefined : fixed;
      if (names) await out.write(csvLine([LINE_COLUMN, ...names]));
      let maxWidth = 0;
      let lastRow = 0;
      let pendingBlank = 0; // blank rows count only once a data row follows them
      let blankRows = 0;
      let rowsWritten = 0;
      for await (const r of rows) {
        pendingBlank += Math.max(0, r.row - lastRow - 1); // rows absent from the XML are blank
        lastRow = r.row;
        if (r.cells.length === 0) {
          pendingBlank++;
          continue;
        }
        blankRows += pendingBlank;
        pendingBlank = 0;
        if (!names && !rowsFile) {
          if (fixed) checkWidth(inPath, sheetName, r, fixed.length);
          names = fixed ?? uniqueNames(r.cells, (n) => `column_${n}`);
          await out.write(csvLine([LINE_COLUMN, ...names]));
          continue;
        }
        if (names) {
          checkWidth(inPath, sheetName, r, names.length);
          await out.write(csvLine(padded(r.row, r.cells, names.length)));
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
      if (rowsFile) await padRows(rowsFile, outPath, header);
      return { sheetName, header, rowsWritten, blankRows };
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
async function padRows(rowsFile: string, outPath: string, header: string[]): Promise<void> {
  const out = new TextFileWriter(outPath);
  try {
    await out.write(csvLine([LINE_COLUMN, ...header]));
    const lines = createInterface({ input: createReadStream(rowsFile, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const [row, ...cells] = JSON.parse(line) as [number, ...(string | null)[]];
      await out.write(csvLine(padded(row, cells, header.length)));
    }
    await out.close();
  } catch (err) {
    await out.abort();
    throw err;
  }
}
