/**
 * Streams the rows of one worksheet XML part. We parse the sheet XML ourselves
 * (with exceljs' own SAX helper) instead of iterating exceljs' WorksheetReader rows
 * because that reader loses the cell type of formula results: a cached #N/A comes
 * back as NaN, a cached TRUE as 1 and a date-formatted result as a bare serial.
 */
import { createRequire } from 'node:module';
import { quoted } from '../../errors/quote.ts';
import { isoDateText, numberText, serialDateText, unescapeXString } from './cell-text.ts';
import { ConvertLimitError } from './errors.ts';
import { formatBytes, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS } from './xlsx-limits.ts';

type SaxEvent =
  | { eventType: 'opentag'; value: { name: string; attributes: Record<string, string | undefined> } }
  | { eventType: 'text'; value: string }
  | { eventType: 'closetag'; value: { name: string } };

// exceljs has no public SAX export; this is the helper its own readers use (saxes underneath).
const parseSax = createRequire(import.meta.url)('exceljs/lib/utils/parse-sax.js') as (
  chunks: AsyncIterable<string>,
) => AsyncIterable<SaxEvent[]>;

/** What a sheet needs from the rest of the workbook to turn cells into text. */
export interface SheetContext {
  /** exceljs' cached shared strings: a string, `{ richText: [{ text }] }` or null. */
  sharedStrings: readonly unknown[] | undefined;
  /** Whether cell style index `s` has a date/time number format. */
  isDateStyle(s: number): boolean;
  date1904: boolean;
  /** Where the rows come from, for errors. */
  file: string;
  sheet: string;
  /**
   * The longest CSV record a row may become (XlsxLimits.maxRecordBytes). A cell or row whose
   * text alone is longer fails as soon as it is read, before it is assembled or written.
   */
  maxRecordBytes: number;
}

/** One worksheet row: its 1-based number and the non-empty cell texts, indexed by column - 1 (sparse). */
export interface SheetRow {
  row: number;
  cells: string[];
  /**
   * Formula cells the file holds no computed value for (written by a tool that does not
   * calculate): their value is unknown, not empty. Absent when there are none.
   */
  uncomputed?: { col: number; formula: string }[];
}

/** Decodes Buffers with a streaming decoder so a UTF-8 character split across chunks survives. */
async function* asText(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** "AB12" → 28 (1-based column number); undefined when the reference has no letters. */
export function columnNumber(ref: string): number | undefined {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) & ~0x20; // upper-case
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return i === 0 ? undefined : n;
}

/** 28 → "AB". */
export function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function sharedStringText(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  const runs = (entry as { richText?: { text?: string | null }[] } | null)?.richText;
  return runs ? runs.map((r) => r.text ?? '').join('') : '';
}

interface CellState {
  col: number;
  type: string;
  style: number;
  value: string | undefined; // text of <v>
  inline: string; // text of <is><t> runs, phonetic runs excluded
  hasValue: boolean; // a <v> element was there (possibly empty: a formula's "" result)
  formula: string | undefined; // text of <f>, when the cell has one
}

function cellText(c: CellState, ctx: SheetContext): string {
  const v = c.value;
  switch (c.type) {
    case 's': // shared string
      return v === undefined ? '' : unescapeXString(sharedStringText(ctx.sharedStrings?.[Number(v)]));
    case 'inlineStr':
      return unescapeXString(c.inline);
    case 'str': // formula string result
      return unescapeXString(v ?? '');
    case 'b':
      return v === '1' || v === 'true' ? 'true' : v === '0' || v === 'false' ? 'false' : (v ?? '');
    case 'e': // error, e.g. #N/A (also a formula's cached error)
      return v ?? '';
    case 'd':
      return v === undefined ? '' : isoDateText(v);
    default: {
      // 'n' or absent: a number; a date when its style has a date format
      if (v === undefined || v.trim() === '') return '';
      const n = Number(v);
      if (!Number.isFinite(n)) return v;
      return ctx.isDateStyle(c.style) ? serialDateText(n, ctx.date1904) : numberText(n);
    }
  }
}

/** Excel's grid ends at row 1,048,576 and column XFD: a reference beyond it is not a spreadsheet Excel wrote. */
function outsideGrid(ctx: SheetContext, row: number, col?: { number: number; ref: string | undefined }): ConvertLimitError {
  // A column number past XFD can be astronomically large: name it by the reference's own letters.
  const letters = col && (col.ref?.match(/^[A-Za-z]+/)?.[0] ?? (col.number < 1e6 ? columnLetter(col.number) : '?'));
  const what = col ? `cell ${quoted(`${letters}${row}`, 20)} is beyond column XFD` : 'the row is beyond row 1,048,576';
  return new ConvertLimitError(`sheet ${quoted(ctx.sheet)}, row ${row}: ${what}, the last of Excel's grid; is the file damaged?`, {
    file: ctx.file,
    sheet: ctx.sheet,
    line: row,
    ...(letters === undefined ? {} : { column: letters.slice(0, 20) }),
    limit: 'grid',
  });
}

/** A cell or row whose text alone is longer than a CSV record may be. */
function rowTooLong(ctx: SheetContext, row: number, col: number, cellOnly: boolean): ConvertLimitError {
  const cell = `${columnLetter(col)}${row}`;
  const what = cellOnly ? `cell ${cell} is longer than ${formatBytes(ctx.maxRecordBytes)}` : `the row is longer than ${formatBytes(ctx.maxRecordBytes)} by cell ${cell}`;
  return new ConvertLimitError(
    `sheet ${quoted(ctx.sheet)}, row ${row}: ${what}, the longest row the CSV reader accepts; shorten the value or save the sheet as CSV`,
    { file: ctx.file, sheet: ctx.sheet, line: row, column: columnLetter(col), limit: 'maxRecordBytes', limitBytes: ctx.maxRecordBytes },
  );
}

/** Yields each <row> of a worksheet XML stream (strings or UTF-8 bytes) as cell texts. */
export async function* readSheetRows(chunks: AsyncIterable<string | Uint8Array>, ctx: SheetContext): AsyncGenerator<SheetRow> {
  // Characters never outnumber UTF-8 bytes, so text longer in characters than a record is too long in bytes.
  const maxChars = ctx.maxRecordBytes;
  let rowChars = 0;
  let inSheetData = false;
  let row: SheetRow | undefined;
  let lastRow = 0;
  let nextCol = 1;
  let cell: CellState | undefined;
  let capture: 'v' | 't' | 'f' | undefined;
  let inInline = false;
  let phonetic = 0;
  for await (const events of parseSax(asText(chunks))) {
    const done: SheetRow[] = [];
    for (const ev of events) {
      if (ev.eventType === 'text') {
        if (!cell || !capture) continue;
        if (capture === 'v') cell.value = (cell.value ?? '') + ev.value;
        else if (capture === 'f') cell.formula = (cell.formula ?? '') + ev.value;
        else cell.inline += ev.value;
        // A value of many text events (rich-text runs) would otherwise grow without bound.
        if ((cell.value?.length ?? 0) + cell.inline.length > maxChars && row) throw rowTooLong(ctx, row.row, cell.col, true);
        continue;
      }
      const name = localName(ev.value.name); // some writers prefix every element (x:row)
      if (ev.eventType === 'opentag') {
        const a = ev.value.attributes;
        if (name === 'sheetData') inSheetData = true;
        else if (name === 'row' && inSheetData) {
          // r is optional in the spec: a missing one means "the next row"
          const r = Number(a.r) || lastRow + 1;
          if (r > MAX_SHEET_ROWS) throw outsideGrid(ctx, r);
          row = { row: r, cells: [] };
          rowChars = 0;
          nextCol = 1;
        } else if (name === 'c' && row) {
          const col = a.r === undefined ? nextCol : (columnNumber(a.r) ?? nextCol);
          if (col > MAX_SHEET_COLUMNS) throw outsideGrid(ctx, row.row, { number: col, ref: a.r });
          cell = { col, type: a.t ?? 'n', style: a.s === undefined ? 0 : Number(a.s), value: undefined, inline: '', hasValue: false, formula: undefined };
        } else if (cell) {
          if (name === 'v') {
            capture = 'v';
            cell.hasValue = true;
          } else if (name === 'f') {
            capture = 'f';
            cell.formula ??= '';
          }
          else if (name === 'is') inInline = true;
          else if (name === 'rPh') phonetic++;
          else if (name === 't' && inInline && phonetic === 0) capture = 't';
        }
      } else {
        if (name === 'v' || name === 't' || name === 'f') capture = undefined;
        else if (name === 'is') inInline = false;
        else if (name === 'rPh') phonetic--;
        else if (name === 'c' && row && cell) {
          const text = cellText(cell, ctx);
          rowChars += text.length;
          if (rowChars > maxChars) throw rowTooLong(ctx, row.row, cell.col, text.length > maxChars);
          if (text !== '') row.cells[cell.col - 1] = text;
          else if (cell.formula !== undefined && !cell.hasValue && cell.type !== 'inlineStr') (row.uncomputed ??= []).push({ col: cell.col, formula: cell.formula });
          nextCol = cell.col + 1;
          cell = undefined;
        } else if (name === 'row' && row) {
          done.push(row);
          lastRow = row.row;
          row = undefined;
        } else if (name === 'sheetData') inSheetData = false;
      }
    }
    yield* done;
  }
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}
