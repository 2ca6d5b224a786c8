import ExcelJS from 'exceljs';
import { ReconError } from '../errors/recon-error.ts';
import { exportedBreaks, type ExportedBreak } from './break-rows.ts';
import { EXPORT_COLUMNS } from './columns.ts';
import type { DecisionReader } from './decisions.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import type { ExportSummary } from './summary.ts';
import { resolvedBreaks, type ResolvedBreak } from './memory.ts';
import { matchedRows, type MatchedRow } from './matches.ts';
import { rejectRows, type RejectRow } from './reject-rows.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { summaryRows } from './xlsx-summary.ts';

/**
 * The detailed XLSX: a Summary sheet, then the breaks with exceljs's
 * streaming writer. Each row is committed as it is written and batches come
 * from DuckDB one at a time, so a million breaks never sit in memory. Text
 * goes out as inline strings (never a formula, never a number Excel might
 * reinterpret); computed numbers are number cells with formats. A sheet holds
 * at most 1,048,575 data rows; more continue on "Breaks (2)". A "Resolved"
 * sheet follows: the previous run's breaks that are gone in this one; then
 * "Rejects": every input row the run could not read or type; for a
 * matching run, a "Matches" sheet: every matched source row with its group.
 */

const MAX_ROWS = 1_048_575;
/** Excel's limit on the characters in one cell. */
const MAX_CELL = 32_767;
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EDF3' } };

/** XML 1.0 forbids most control characters; Excel would refuse the file. */
// eslint-disable-next-line no-control-regex -- these are exactly the characters to remove
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A text cell value exactly as given: an inline string, safe for XML, within Excel's cell limit. */
export function textCell(value: string): ExcelJS.CellRichTextValue {
  let t = value.replace(XML_INVALID, '\uFFFD');
  // Excel decodes "_xHHHH_" inside strings; escaping the underscore keeps such text literal.
  t = t.replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1');
  // XML readers turn a raw CR into LF; the OOXML escape keeps it a CR in Excel.
  t = t.replaceAll('\r', '_x000D_');
  if (t.length > MAX_CELL) t = `${t.slice(0, MAX_CELL - 12)}…[truncated]`;
  return { richText: [{ text: t }] };
}

/** Style objects are shared: exceljs caches a style by object identity, which makes writing ~2x faster. */
const STYLES = new Map<string, Partial<ExcelJS.Style>>();
function styleOf(numFmt: string): Partial<ExcelJS.Style> {
  let st = STYLES.get(numFmt);
  if (!st) STYLES.set(numFmt, (st = { numFmt }));
  return st;
}
const TEXT = styleOf('@');

/** A computed number as a number cell with a format showing its decimals; text if a double cannot hold it exactly. */
export function numberCell(value: string): { value: number | ExcelJS.CellRichTextValue; numFmt: string } {
  const digits = value.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  if (digits.length > 15 || !/^-?\d+(\.\d+)?$/.test(value)) return { value: textCell(value), numFmt: '@' };
  const decimals = value.includes('.') ? value.length - value.indexOf('.') - 1 : 0;
  return { value: Number(value), numFmt: decimals === 0 ? '#,##0' : `#,##0.${'0'.repeat(Math.min(decimals, 10))}` };
}

/** One break as cell values and their styles. */
function rowCells(r: ExportedBreak): { values: unknown[]; styles: Partial<ExcelJS.Style>[] } {
  const values: unknown[] = [];
  const styles: Partial<ExcelJS.Style>[] = [];
  EXPORT_COLUMNS.forEach((c, i) => {
    const v = c.value(r);
    if (v === null) return;
    if (c.kind === 'number' && !c.input) {
      const num = numberCell(v);
      values[i] = num.value;
      styles[i] = styleOf(c.header === 'Confidence' ? '0.0%' : c.header === 'Break ID' ? '0' : num.numFmt);
    } else {
      // Text from inputs or people is an inline string; our own codes are plain strings. Both are text, never formulas.
      values[i] = c.input ? textCell(v) : v;
      styles[i] = TEXT;
    }
  });
  return { values, styles };
}

/** Writes the workbook; returns the breaks written. */
export async function writeBreaksXlsx(
  run: FinishedRun,
  summary: ExportSummary,
  decisions: DecisionReader,
  out: string,
  opts: { onRows?: (done: number) => void; signal?: AbortSignal; maxRowsPerSheet?: number } = {},
): Promise<number> {
  const { onRows, signal } = opts;
  const maxRows = opts.maxRowsPerSheet ?? MAX_ROWS;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Recon Workstation';
  wb.created = new Date(summary.generatedAt);

  const info = wb.addWorksheet('Summary', { views: [{ state: 'frozen', ySplit: 1 }] });
  info.columns = [
    { header: 'Item', key: 'k', width: 34 },
    { header: 'Value', key: 'v', width: 60 },
  ];
  styleHeader(info.getRow(1));
  for (const [k, v, kind] of summaryRows(summary)) {
    const row = info.addRow([textCell(k), typeof v === 'number' ? v : textCell(v)]);
    if (typeof v === 'number') row.getCell(2).numFmt = kind === 'pct' ? '0.0%' : '#,##0';
    row.commit();
  }
  info.commit();

  let rows = 0;
  let sheet = newBreaksSheet(wb, 1);
  let inSheet = 0;
  let part = 1;
  for await (const batch of exportedBreaks(run, decisions)) {
    if (signal?.aborted) throw new ReconError('RUN_CANCELLED', 'the export was cancelled');
    for (const r of batch) {
      if (inSheet === maxRows) {
        closeSheet(sheet, inSheet);
        sheet = newBreaksSheet(wb, ++part);
        inSheet = 0;
      }
      const { values, styles } = rowCells(r);
      const row = sheet.addRow(values);
      row.eachCell((cell, col) => {
        cell.style = styles[col - 1] ?? TEXT;
      });
      row.commit();
      if (++inSheet % 1000 === 0) await drained(sheet);
    }
    rows += batch.length;
    onRows?.(rows);
  }
  closeSheet(sheet, inSheet);
  await writeListSheet(wb, resolvedSheet(run), signal, maxRows);
  await writeListSheet(wb, rejectsSheet(run), signal, maxRows);
  if (run.file.tables.has(RUN_TABLES.matches)) await writeListSheet(wb, matchesSheet(run), signal, maxRows);
  await wb.commit();
  return rows;
}

const RESOLVED_COLUMNS = [
  { header: 'Key', width: 18 },
  { header: 'Field', width: 16 },
  { header: 'Diff type', width: 14 },
  { header: 'Value A', width: 20 },
  { header: 'Value B', width: 20 },
  { header: 'First seen run', width: 22 },
  { header: 'First seen as-of', width: 12 },
  { header: 'Last seen run', width: 22 },
  { header: 'Resolution', width: 22 },
  { header: 'Previous break ID', width: 12 },
];

/** A sheet of rows read in batches: its name, columns, and each row's cells with their number format (null: text). */
interface ListSheet<T> {
  name: string;
  columns: readonly { header: string; width: number }[];
  batches: AsyncIterable<T[]>;
  cells(r: T): ExcelJS.CellValue[];
  /** The number format of a column (1-based), or undefined for text. */
  numberFormat?: (col: number) => string | undefined;
}

/** Writes a list sheet; past a sheet's rows it continues on "<name> (2)"; a list with no rows keeps its header. */
async function writeListSheet<T>(wb: ExcelJS.stream.xlsx.WorkbookWriter, list: ListSheet<T>, signal: AbortSignal | undefined, maxRows: number): Promise<void> {
  const newSheet = (part: number): ExcelJS.Worksheet => {
    const ws = wb.addWorksheet(part === 1 ? list.name : `${list.name} (${part})`, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = list.columns.map((c) => ({ ...c }));
    styleHeader(ws.getRow(1));
    return ws;
  };
  const close = (ws: ExcelJS.Worksheet, dataRows: number): void => {
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, dataRows + 1), column: list.columns.length } };
    ws.commit();
  };
  let part = 1;
  let ws = newSheet(part);
  let n = 0;
  for await (const batch of list.batches) {
    if (signal?.aborted) throw new ReconError('RUN_CANCELLED', 'the export was cancelled');
    for (const r of batch) {
      if (n === maxRows) {
        close(ws, n);
        ws = newSheet(++part);
        n = 0;
      }
      const row = ws.addRow(list.cells(r));
      row.eachCell((cell, col) => {
        const format = list.numberFormat?.(col);
        cell.style = format === undefined ? TEXT : styleOf(format);
      });
      row.commit();
      if (++n % 1000 === 0) await drained(ws);
    }
  }
  close(ws, n);
}

// Keys, fields and values came from the input files: inline strings, never formulas.
const textOrNull = (v: string | null): ExcelJS.CellRichTextValue | null => (v === null ? null : textCell(v));

/**
 * The previous run's breaks that are gone in this one, and how each ended
 * (header only for the first run of a series or a run from before break memory).
 */
function resolvedSheet(run: FinishedRun): ListSheet<ResolvedBreak> {
  return {
    name: 'Resolved',
    columns: RESOLVED_COLUMNS,
    batches: resolvedBreaks(run),
    cells: (r) => [textCell(r.key), textCell(r.field), r.diffType, textOrNull(r.valueA), textOrNull(r.valueB), r.firstSeenRun, r.firstSeenAsOf, r.lastSeenRun, r.resolution, r.previousBreakId],
    numberFormat: (col) => (col === RESOLVED_COLUMNS.length ? '0' : undefined),
  };
}

const REJECT_COLUMNS = [
  { header: 'Side', width: 6 },
  { header: 'File', width: 30 },
  { header: 'Line', width: 10 },
  { header: 'Column', width: 16 },
  { header: 'Value', width: 24 },
  { header: 'Reason', width: 60 },
];

/** Every input row the run could not read or type (header only when there is none). */
function rejectsSheet(run: FinishedRun): ListSheet<RejectRow> {
  return {
    name: 'Rejects',
    columns: REJECT_COLUMNS,
    batches: rejectRows(run),
    cells: (r) => [r.side, textOrNull(r.file), r.line, textOrNull(r.column), textOrNull(r.rawValue), textCell(r.reason)],
    numberFormat: (col) => (col === 3 ? '0' : undefined),
  };
}

const MATCH_COLUMNS = [
  { header: 'Match ID', width: 12 },
  { header: 'Rule', width: 22 },
  { header: 'Match type', width: 10 },
  { header: 'Side', width: 6 },
  { header: 'ID', width: 20 },
  { header: 'Score', width: 8 },
  { header: 'Group sum A', width: 16 },
  { header: 'Group sum B', width: 16 },
  { header: 'Difference', width: 14 },
];

/** A matching run's matches (engine/match): one row per matched source row, with its group's sums, as matches.csv has them. */
function matchesSheet(run: FinishedRun): ListSheet<MatchedRow> {
  return {
    name: 'Matches',
    columns: MATCH_COLUMNS,
    batches: matchedRows(run),
    cells: (r) => [r.matchId, textCell(r.rule), r.matchType, r.side, textCell(r.id), r.score, textOrNull(r.sumA), textOrNull(r.sumB), textOrNull(r.difference)],
    numberFormat: (col) => (col === 6 ? '0.000000' : undefined),
  };
}

function newBreaksSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, part: number): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(part === 1 ? 'Breaks' : `Breaks (${part})`, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = EXPORT_COLUMNS.map((c) => ({ header: c.header, width: c.width }));
  styleHeader(ws.getRow(1));
  return ws;
}

function closeSheet(ws: ExcelJS.Worksheet, dataRows: number): void {
  // Filters over the header and every data row; set before commit, which writes it after the data.
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, dataRows + 1), column: EXPORT_COLUMNS.length } };
  ws.commit();
}

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.eachCell((cell) => {
    cell.fill = HEADER_FILL;
  });
  row.commit();
}

/** What of a sheet's XML the zip has not compressed yet (the stream exceljs pipes the sheet into). */
interface PendingState {
  _writableState?: { length: number };
  _readableState?: { length: number };
}
const MAX_PENDING = 4 * 1024 * 1024;

/**
 * Backpressure: exceljs writes committed rows into the zip without waiting, so
 * a fast producer would queue the whole sheet in memory. Waits until the
 * compressor has caught up. It reads a private field; if exceljs changes it,
 * this degrades to yielding once (memory then grows, nothing breaks).
 */
async function drained(ws: ExcelJS.Worksheet): Promise<void> {
  const target = (ws as unknown as { _stream?: { pipes?: PendingState[] } })._stream?.pipes?.[0];
  const pending = (): number => (target?._writableState?.length ?? 0) + (target?._readableState?.length ?? 0);
  await new Promise((resolve) => setImmediate(resolve));
  while (target && pending() > MAX_PENDING) await new Promise((resolve) => setTimeout(resolve, 2));
}
