import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TextFileWriter } from './csv-writer.ts';
import { ConvertInputError } from './errors.ts';
import { xlsxLimits } from './xlsx-limits.ts';
import { xlsxToCsv, type XlsxToCsvOptions } from './xlsx-to-csv.ts';
import { hugeText, paddedRows, sheetOf, SHEET_NS as NS, workbookParts, writeWorkbook, type XlsxPart } from './xlsx-fixture.ts';
import type { RepeatedText } from './zip-fixture.ts';

/**
 * Hostile workbooks: a few KB that expand to gigabytes (a shared string, a text node, an
 * XML part, padded rows). Each must fail fast with a limit error naming what was exceeded,
 * having written at most the limit, and leave no scratch file behind — neither the CSV,
 * nor our spool of a sheet stored before styles.xml, nor exceljs' own temp files.
 */

const MiB = 1024 * 1024;

let dir: string;
let scratchTmp: string; // os.tmpdir() for this file: exceljs and the sheet spool write there
const savedTmp = process.env.TMPDIR;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-limits-'));
  scratchTmp = path.join(dir, 'os-tmp');
  fs.mkdirSync(scratchTmp);
  process.env.TMPDIR = scratchTmp; // this file runs in its own process (pool: forks)
});
afterAll(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  // Every test here ends in a failed conversion: nothing may be left in the temp folder.
  expect(fs.readdirSync(scratchTmp)).toEqual([]);
});

function hostile(name: string, parts: XlsxPart[], opts?: { hideSizes?: boolean }): Promise<string> {
  return writeWorkbook(path.join(dir, name), parts, opts);
}

async function failure(file: string, opts: XlsxToCsvOptions = {}): Promise<ConvertInputError & { details: Record<string, unknown> }> {
  const out = path.join(dir, `${path.basename(file)}.csv`);
  const t0 = Date.now();
  const err = await xlsxToCsv(file, out, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'conversion should fail').toBeInstanceOf(ConvertInputError);
  expect(Date.now() - t0, 'fails fast').toBeLessThan(20_000);
  expect(fs.existsSync(out), 'no half-written CSV').toBe(false);
  expect(fs.existsSync(`${out}.rows.tmp`), 'no rows spool').toBe(false);
  return err as ConvertInputError & { details: Record<string, unknown> };
}

const huge = hugeText;

describe('xlsxToCsv limits', () => {
  it('refuses one 200 MB shared string while reading it (a 1 MB file), before holding or writing it', async () => {
    const parts = workbookParts(sheetOf('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row>'), huge(`<sst ${NS}><si><t>`, '</t></si></sst>'));
    // As stated in the zip, the part expands past 200 × the file's size: refused before inflating it.
    const stated = await hostile('sst-bomb.xlsx', parts);
    expect(fs.statSync(stated).size).toBeLessThan(2 * MiB);
    const early = await failure(stated);
    expect(early.details).toMatchObject({ file: stated, entry: 'xl/sharedStrings.xml', limit: 'maxUnzippedBytes' });
    expect(early.message).toMatch(/^the workbook states that it expands to more than [\d.]+ MiB unzipped \(at xl\/sharedStrings\.xml\)/);
    // With the sizes hidden, the string itself is refused once 8 MiB of it was read.
    const hidden = await hostile('sst-bomb-hidden.xlsx', parts, { hideSizes: true });
    const heapBefore = process.memoryUsage().heapUsed;
    const err = await failure(hidden);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * MiB);
    expect(err.details).toMatchObject({ file: hidden, entry: 'xl/sharedStrings.xml', limit: 'maxNodeBytes' });
    expect(err.message).toBe('xl/sharedStrings.xml holds a value or tag longer than 8 MiB, the longest the reader holds');
  });

  it('refuses a shared string built of many small rich-text runs', async () => {
    const file = await hostile(
      'sst-runs.xlsx',
      workbookParts(sheetOf('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), { head: `<sst ${NS}><si>`, unit: `<r><t>${'b'.repeat(1000)}</t></r>`, count: 20_000, tail: '</si></sst>' }),
    );
    const err = await failure(file);
    expect(err.details).toMatchObject({ entry: 'xl/sharedStrings.xml', limit: 'maxStringBytes' });
  });

  it('refuses a 200 MB text node in the sheet, and the spools of a sheet stored before the shared strings or styles go too', async () => {
    for (const order of ['sheet-last', 'sheet-first', 'before-styles'] as const) {
      const file = await hostile(`node-${order}.xlsx`, workbookParts(huge(`<worksheet ${NS}><sheetData><row r="1"><c r="A1"><v>`, '</v></c></row></sheetData></worksheet>'), undefined, order), { hideSizes: true });
      const err = await failure(file);
      expect(err.details).toMatchObject({ entry: 'xl/worksheets/sheet1.xml', limit: 'maxNodeBytes' });
    }
  });

  it('refuses an XML part that expands beyond the limit, whether or not the zip states its size', async () => {
    const padded: RepeatedText = { head: `<worksheet ${NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row>`, unit: ' '.repeat(1000), count: 20_000, tail: '</sheetData></worksheet>' };
    for (const hideSizes of [false, true]) {
      const file = await hostile(`bomb-${hideSizes}.xlsx`, workbookParts(padded), { hideSizes });
      const err = await failure(file, { limits: { maxUnzippedBytes: 4 * MiB } });
      expect(err.details).toMatchObject({ file, entry: 'xl/worksheets/sheet1.xml', limit: 'maxUnzippedBytes' });
      expect(err.message).toMatch(/expands to more than 4 MiB/);
    }
  });

  it('refuses an XML bomb in a part nobody reads, and one stored before the shared strings (exceljs spools it)', async () => {
    const bomb: RepeatedText = { head: '<x>', unit: ' '.repeat(1000), count: 20_000, tail: '</x>' };
    const sheet = sheetOf('<row r="1"><c r="A1"><v>1</v></c></row>');
    const unread = await hostile('unread.xlsx', [['xl/media/bomb.xml', bomb], ...workbookParts(sheet)]);
    expect((await failure(unread, { limits: { maxUnzippedBytes: 4 * MiB } })).details).toMatchObject({ entry: 'xl/media/bomb.xml', limit: 'maxUnzippedBytes' });
    const first = await hostile('spooled.xlsx', workbookParts({ ...bomb, head: `<worksheet ${NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row>`, tail: '</sheetData></worksheet>' }, undefined, 'sheet-first'), { hideSizes: true });
    expect((await failure(first, { limits: { maxUnzippedBytes: 4 * MiB } })).details).toMatchObject({ entry: 'xl/worksheets/sheet1.xml', limit: 'maxUnzippedBytes' });
  });

  it('refuses a shared strings table larger than it may hold in memory', async () => {
    const file = await hostile('sst-table.xlsx', workbookParts(sheetOf('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), { head: `<sst ${NS}>`, unit: `<si><t>${'c'.repeat(100)}</t></si>`, count: 60_000, tail: '</sst>' }));
    const err = await failure(file, { limits: { maxSharedStringsBytes: 2 * MiB } });
    expect(err.details).toMatchObject({ entry: 'xl/sharedStrings.xml', limit: 'maxSharedStringsBytes' });
  });

  it('refuses a styles part larger than it may hold in memory', async () => {
    const sheet = sheetOf('<row r="1"><c r="A1"><v>1</v></c></row>');
    const parts = workbookParts(sheet).map(([name, content]): XlsxPart =>
      name === 'xl/styles.xml' ? [name, { head: `<styleSheet ${NS}><cellXfs>`, unit: '<xf numFmtId="0"/>', count: 200_000, tail: '</cellXfs></styleSheet>' }] : [name, content],
    );
    const file = await hostile('styles.xlsx', parts, { hideSizes: true });
    const err = await failure(file, { limits: { maxMetadataBytes: 1 * MiB } });
    expect(err.details).toMatchObject({ entry: 'xl/styles.xml', limit: 'maxMetadataBytes' });
    // The default (64 MiB, or less for a small file) is far above any real styles.xml.
    expect(xlsxLimits(1_000_000).maxMetadataBytes).toBe(64 * MiB);
  });

  it('stops writing at the output limit when rows are padded to a far column', async () => {
    // The header reaches column XFD, so every one-cell row becomes 16,384 fields: 1,000 rows ≈ 16 MB.
    const file = await hostile('padded.xlsx', workbookParts(paddedRows(1_000)));
    const err = await failure(file, { limits: { maxOutputBytes: 1 * MiB } });
    expect(err.details).toMatchObject({ file, limit: 'maxOutputBytes', sheet: 'S' });
    expect(err.message).toMatch(/more than 1 MiB of CSV/);
    // Without a header the rows go through a spool file first, padded at the end: limited the same way.
    const noHeader = await failure(file, { header: false, limits: { maxOutputBytes: 1 * MiB } });
    expect(noHeader.details).toMatchObject({ limit: 'maxOutputBytes' });
  });

  it('the default limits scale with the file: a tiny file may not write gigabytes', async () => {
    const file = await hostile('padded-default.xlsx', workbookParts(paddedRows(100_000)));
    const err = await failure(file);
    expect(err.details).toMatchObject({ limit: 'maxOutputBytes', limitBytes: 64 * MiB });
  });

  it("refuses rows and columns outside Excel's grid", async () => {
    const beyondRows = await hostile('rows.xlsx', workbookParts(sheetOf('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048577"><c r="A1048577"><v>1</v></c></row>')));
    expect((await failure(beyondRows)).details).toMatchObject({ limit: 'grid', line: 1_048_577 });
    const unnumbered = await hostile('rows-unnumbered.xlsx', workbookParts(sheetOf('<row r="1048576"><c><v>1</v></c></row><row><c><v>1</v></c></row>')));
    expect((await failure(unnumbered, { header: false })).details).toMatchObject({ limit: 'grid', line: 1_048_577 });
    const beyondCols = await hostile('cols.xlsx', workbookParts(sheetOf('<row r="1"><c r="A1"><v>1</v></c><c r="XFE1"><v>1</v></c></row>')));
    expect((await failure(beyondCols)).details).toMatchObject({ limit: 'grid', line: 1, column: 'XFE' });
  });

  it('refuses a row too long for the CSV reader, naming the sheet row and cell (3 MB cell, many cells, multi-byte text)', async () => {
    const big = (text: RepeatedText['unit'], count: number, cells = 1): string =>
      `<row r="1"><c r="A1" t="inlineStr"><is><t>v</t></is></c>${cells > 1 ? `<c r="${String.fromCharCode(64 + cells)}1"><v>0</v></c>` : ''}</row><row r="2">` +
      Array.from({ length: cells }, (_, i) => `<c r="${String.fromCharCode(65 + i)}2" t="inlineStr"><is><t>${text.repeat(count)}</t></is></c>`).join('') +
      '</row>';
    const cases: [string, string, string][] = [
      ['one 3 MB cell', big('x', 3_000_000), 'A'],
      ['20 cells of 100 KB', big('y', 100_000, 20), 'T'],
      ['1.2 million é (2.4 MB of UTF-8)', big('é', 1_200_000), 'A'],
    ];
    for (const [what, rows, column] of cases) {
      const file = await hostile(`record-${what.replaceAll(' ', '-')}.xlsx`, workbookParts(sheetOf(rows)));
      const err = await failure(file);
      expect(err.details, what).toMatchObject({ limit: 'maxRecordBytes', sheet: 'S', line: 2 });
      expect(err.message, what).toMatch(/^sheet "S", row 2: /);
      if (what !== '1.2 million é (2.4 MB of UTF-8)') expect(err.details.column, what).toBe(column);
    }
  });

  it('refuses a cell of many small inline runs', async () => {
    const file = await hostile('inline-runs.xlsx', workbookParts({ head: `<worksheet ${NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is>`, unit: `<r><t>${'z'.repeat(1000)}</t></r>`, count: 5_000, tail: '</is></c></row></sheetData></worksheet>' }));
    const err = await failure(file);
    expect(err.details).toMatchObject({ limit: 'maxRecordBytes', line: 1, column: 'A' });
  });
});

describe('TextFileWriter byte limit', () => {
  it('throws before the file would pass the limit, so no more than the limit is ever on disk', async () => {
    const file = path.join(dir, 'limited.txt');
    const tooLarge = new Error('too large');
    const out = new TextFileWriter(file, { maxBytes: 200_000, tooLarge: () => tooLarge });
    let thrown: unknown;
    try {
      for (let i = 0; i < 1000; i++) await out.write(`${'w'.repeat(999)}\n`);
      await out.close();
    } catch (err) {
      thrown = err;
      await out.abort();
    }
    expect(thrown).toBe(tooLarge);
    expect(fs.statSync(file).size).toBeLessThanOrEqual(200_000);
    fs.rmSync(file);
  });
});
