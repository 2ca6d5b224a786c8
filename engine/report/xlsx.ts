import ExcelJS from 'exceljs';
import { ReconError } from '../errors/recon-error.ts';
import { exportedBreaks, type ExportedBreak } from './break-rows.ts';
import { EXPORT_COLUMNS } from './columns.ts';
import type { DecisionReader } from './decisions.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import type { ExportSummary } from './summary.ts';
import { resolvedBreaks } from './memory.ts';
import { summaryRows } from './xlsx-summary.ts';

/**
 * The detailed XLSX: a Summary sheet, then the breaks with exceljs's
 * streaming writer. Each row is committed as it is written and batches come
 * from DuckDB one at a time, so a million breaks never sit in memory. Text
 * goes out as inline strings (never a formula, never a number Excel might
 * reinterpret); computed numbers are number cells with formats. A sheet holds
 * at most 1,048,575 data rows; more continue on "Breaks (2)". A "Resolved"
 * sheet follows: the previous run's breaks that are gone in this one.
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
  await writeResolvedSheet(wb, run, signal, maxRows);
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

/**
 * The previous run's breaks that are gone in this one, and how each ended
 * (header only for the first run of a series or a run from before break
 * memory); past a sheet's rows they continue on "Resolved (2)".
 */
async function writeResolvedSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, run: FinishedRun, signal: AbortSignal | undefined, maxRows: number): Promise<void> {
  const newSheet = (part: number): ExcelJS.Worksheet => {
    const ws = wb.addWorksheet(part === 1 ? 'Resolved' : `Resolved (${part})`, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = RESOLVED_COLUMNS;
    styleHeader(ws.getRow(1));
    return ws;
  };
  const close = (ws: ExcelJS.Worksheet, dataRows: number): void => {
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, dataRows + 1), column: RESOLVED_COLUMNS.length } };
    ws.commit();
  };
  // Keys, fields and values came from the input files: inline strings, never formulas.
  const text = (v: string | null): ExcelJS.CellRichTextValue | null => (v === null ? null : textCell(v));
  let part = 1;
  let ws = newSheet(part);
  let n = 0;
  for await (const batch of resolvedBreaks(run)) {
    if (signal?.aborted) throw new ReconError('RUN_CANCELLED', 'the export was cancelled');
    for (const r of batch) {
      if (n === maxRows) {
        close(ws, n);
        ws = newSheet(++part);
        n = 0;
      }
      const row = ws.addRow([textCell(r.key), textCell(r.field), r.diffType, text(r.valueA), text(r.valueB), r.firstSeenRun, r.firstSeenAsOf, r.lastSeenRun, r.resolution, r.previousBreakId]);
      row.eachCell((cell, col) => {
        cell.style = col === RESOLVED_COLUMNS.length ? styleOf('0') : TEXT;
      });
      row.commit();
      if (++n % 1000 === 0) await drained(ws);
    }
  }
  close(ws, n);
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
