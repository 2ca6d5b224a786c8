/**
 * Opens an .xlsx with exceljs' streaming WorkbookReader and hands the rows of one
 * worksheet to a callback while the zip streams. exceljs supplies the zip, the
 * workbook/relationship parts, the shared strings and the styles; rows come from
 * sheet-rows.ts. Workarounds for exceljs 4.4 are marked "exceljs:".
 */
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { quoted, quotedList } from '../../errors/quote.ts';
import { isDateFormat } from './cell-text.ts';
import { ConvertInputError } from './errors.ts';
import { readSheetRows, type SheetContext, type SheetRow } from './sheet-rows.ts';
import type { XlsxLimits } from './xlsx-limits.ts';
import { ZipGuard, type ZipEntryStream } from './zip-guard.ts';

// The parts of exceljs' reader we use; exceljs' typings do not declare them.
interface ReaderInternals {
  model?: { sheets?: { name: string; rId: string }[] };
  workbookRels?: { Id: string; Type?: string; Target: string }[];
  properties?: { model?: { date1904?: boolean } };
  sharedStrings?: unknown[];
  styles: {
    model?: { styles?: ({ numFmtId?: number } | undefined)[] };
    index?: { numFmt?: Record<number, string | undefined> }; // custom format codes by id, once parsed
  };
}
interface WorksheetInternals {
  name: string;
  iterator: AsyncIterable<string | Uint8Array> & { destroy?: () => void; on?: (event: 'error', listener: (err: Error) => void) => unknown };
}

const READER_OPTIONS = {
  worksheets: 'emit',
  sharedStrings: 'cache',
  hyperlinks: 'ignore', // a hyperlink cell keeps its displayed text as its value
  styles: 'cache', // number formats tell dates from numbers
  entries: 'emit', // tells us which sheet file each worksheet came from, and whether styles are parsed yet
} as const;

/**
 * exceljs pipes the file into an unzipper parser it never exposes; we catch that pipe to fix three
 * things. (1) XML entries decode as UTF-8 *streams*: exceljs decodes each chunk on its own, turning a
 * character split across chunks into U+FFFD (exceljs#2063, #2316). (2) The parser never pauses:
 * unzipper 0.10 emits 'end' as soon as it reaches the zip's central directory, even while entries
 * still sit in its paused buffer, and exceljs then silently skips them (e.g. styles.xml after a
 * sheet that we were busy writing). Flowing, every entry reaches exceljs' own queue at once; entry
 * *data* still waits for its reader, so memory stays bounded. (3) A read error reaches the
 * iteration instead of leaving it waiting forever. (4) Every entry is watched by the guard, which
 * counts what it inflates to before exceljs parses, caches or spools a byte of it.
 */
function openInput(path: string, guard: ZipGuard): ReadStream {
  const input = createReadStream(path);
  const pipe = input.pipe.bind(input);
  input.pipe = <T extends NodeJS.WritableStream>(zip: T, options?: { end?: boolean }): T => {
    const parser = zip as unknown as NodeJS.ReadableStream;
    parser.pause = () => parser;
    // Emitted as unzipper pushes the entry, before it pipes the entry's data in.
    parser.on('data', (entry: ZipEntryStream) => {
      guard.watch(entry);
      if (/\.(xml|rels)$/i.test(entry.path ?? '')) entry.setEncoding('utf8');
    });
    input.on('error', (err) => parser.emit('error', err));
    return pipe(zip, options);
  };
  return input;
}

function normalizeTarget(target: string): string {
  return target.replace(/^\.?\//, '').replace(/^xl\//, '');
}

/** Sheet name from workbook.xml via the rels, tolerating absolute targets that exceljs fails to match. */
function sheetName(wb: ReaderInternals, sheetNo: string | undefined, fallback: string): string {
  const rel = wb.workbookRels?.find((r) => normalizeTarget(r.Target) === `worksheets/sheet${sheetNo}.xml`);
  return (rel && wb.model?.sheets?.find((s) => s.rId === rel.Id)?.name) ?? fallback;
}

/** The first worksheet in workbook (tab) order, skipping chart sheets. */
function firstSheetName(wb: ReaderInternals): string | undefined {
  const sheets = wb.model?.sheets ?? [];
  const isWorksheet = (rId: string) => wb.workbookRels?.find((r) => r.Id === rId)?.Type?.endsWith('/worksheet') ?? true;
  return (sheets.find((s) => isWorksheet(s.rId)) ?? sheets[0])?.name;
}

function sheetContext(wb: ReaderInternals, file: string, sheet: string, limits: XlsxLimits): SheetContext {
  const dateStyles = new Map<number, boolean>();
  return {
    file,
    sheet,
    maxRecordBytes: limits.maxRecordBytes,
    sharedStrings: wb.sharedStrings,
    date1904: wb.properties?.model?.date1904 === true,
    isDateStyle(s) {
      let isDate = dateStyles.get(s);
      if (isDate === undefined) {
        // Not styles.getStyleModel(): it throws when the file has no styles.xml (exceljs' default
        // style manager lacks the index it reads), and built-in date ids need no code.
        const numFmtId = wb.styles.model?.styles?.[s]?.numFmtId ?? 0;
        isDate = isDateFormat(numFmtId, wb.styles.index?.numFmt?.[numFmtId]);
        dateStyles.set(s, isDate);
      }
      return isDate;
    },
  };
}

/** Our own errors and system errors (ENOSPC…) pass; anything from exceljs/unzipper/saxes means a bad file. */
function asInputError(path: string, err: unknown): unknown {
  if (err instanceof ConvertInputError || (err instanceof Error && 'code' in err && typeof err.code === 'string')) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new ConvertInputError(
    `not a readable XLSX workbook (${why}); is it a CSV, an old .xls or a password-protected file?`,
    { file: path },
    { cause: err },
  );
}

/**
 * Streams the named sheet (or the first one) and passes its name and rows to `use`.
 * Throws ConvertInputError when the file is not an xlsx or the sheet is missing, and
 * ConvertLimitError when it expands past `limits` (xlsx-limits.ts).
 */
export async function withSheetRows<T>(
  path: string,
  sheet: string | undefined,
  limits: XlsxLimits,
  use: (name: string, rows: AsyncIterable<SheetRow>) => Promise<T>,
): Promise<T> {
  await stat(path); // a missing file is an ENOENT, not "not an xlsx"
  const guard = new ZipGuard(path, limits);
  const input = openInput(path, guard);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, READER_OPTIONS);
  const wb = reader as unknown as ReaderInternals;
  const seen = new Set<string>();
  let sheetNo: string | undefined;
  (reader as unknown as NodeJS.EventEmitter).on('entry', (e: { type: string; id?: string }) => {
    seen.add(e.type);
    if (e.type === 'worksheet') sheetNo = e.id;
  });
  let result: { value: T } | undefined;
  let spool: { dir: string; file: string; name: string } | undefined;
  try {
    const sheets = reader[Symbol.asyncIterator]();
    for (;;) {
      // Raced with the guard: after a limit stops an entry exceljs may wait for it forever.
      const next = await guard.race(sheets.next());
      if (next.done) break;
      const ws = next.value as unknown as WorksheetInternals;
      const name = sheetName(wb, sheetNo, ws.name);
      const wanted = sheet ?? firstSheetName(wb);
      if (result || spool || wanted === undefined || name.toLowerCase() !== wanted.toLowerCase()) {
        // exceljs opened a temp-file stream for it; close it. exceljs removes that file as soon as we move on,
        // so the stream's open, still pending, can fail with ENOENT after we closed it: nobody reads it, but
        // an 'error' with no listener would escape as an uncaught exception and end the host.
        ws.iterator.on?.('error', () => undefined);
        ws.iterator.destroy?.();
        continue;
      }
      if (!seen.has('styles')) {
        // exceljs: a sheet stored before styles.xml is streamed before its date formats are
        // known, so dates would come out as serials. Spool it and read it after the zip ends.
        const dir = await mkdtemp(join(tmpdir(), 'recon-xlsx-'));
        spool = { dir, file: join(dir, 'sheet.xml'), name };
        await pipeline(ws.iterator, createWriteStream(spool.file));
        continue;
      }
      // Not raced: `use` reads this entry, which fails with the guard's error, and it must
      // settle before the caller removes what it wrote.
      result = { value: await use(name, readSheetRows(ws.iterator, sheetContext(wb, path, name, limits))) };
    }
    if (guard.failure) throw guard.failure;
    if (spool) result = { value: await use(spool.name, readSheetRows(createReadStream(spool.file), sheetContext(wb, path, spool.name, limits))) };
  } catch (err) {
    // A stopped entry can surface as some other stream error first; the limit is the cause.
    throw guard.failure ?? asInputError(path, err);
  } finally {
    input.destroy();
    await guard.cleanup();
    if (spool) await rm(spool.dir, { recursive: true, force: true });
  }
  if (result) return result.value;
  if (!wb.model) throw asInputError(path, new Error('no xl/workbook.xml part'));
  const names = (wb.model.sheets ?? []).map((s) => s.name);
  if (sheet === undefined) throw new ConvertInputError('the workbook has no worksheet', { file: path });
  throw new ConvertInputError(`no sheet named ${quoted(sheet)}; the workbook has: ${quotedList(names)}`, {
    file: path,
    sheet,
  });
}
