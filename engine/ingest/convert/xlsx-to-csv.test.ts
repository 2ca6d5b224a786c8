import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { ConvertInputError } from './errors.ts';
import { xlsxToCsv, type XlsxToCsvOptions } from './xlsx-to-csv.ts';
import { writeZip } from './zip-fixture.ts';

let dir: string;
let main: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-test-'));
  main = await workbook('main.xlsx', (wb) => {
    const ws = wb.addWorksheet('Data');
    ws.getRow(1).values = ['id', 'amount', 'tiny', 'big', 'when', 'at', 'flag', 'calc', 'label', 'note'];
    ws.getRow(2).values = [
      1, 1234.5, 1e-7, 1e21, new Date(Date.UTC(2024, 0, 31)), new Date(Date.UTC(2024, 1, 29, 13, 5, 7)), true,
      { formula: 'B2*2', result: 2469 }, { richText: [{ text: 'Rich ' }, { text: 'text', font: { bold: true } }] }, 'x, "y"\nz',
    ];
    ws.getCell('E2').numFmt = 'yyyy-mm-dd';
    ws.getCell('F2').numFmt = 'yyyy-mm-dd hh:mm:ss';
    // rows 3 and 4 stay blank
    ws.getRow(5).values = [
      2, -0.5, 0.1 + 0.2, 123456789012, new Date(Date.UTC(2024, 11, 1)), null, false,
      { formula: 'NA()', result: { error: '#N/A' } }, { text: 'site', hyperlink: 'https://example.com' }, { error: '#DIV/0!' },
    ];
    ws.getRow(6).values = [3, 7]; // ragged: padded to the header width
    ws.getRow(7).values = [4, { formula: 'NOW()' }, null, null, null, null, { formula: 'A7>1', result: true }];
    const other = wb.addWorksheet('Other');
    other.getRow(1).values = ['code', 'name'];
    other.getRow(2).values = ['A-1', 'Zoë'];
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function workbook(name: string, build: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  const file = path.join(dir, name);
  await wb.xlsx.writeFile(file);
  return file;
}

async function convert(file: string, opts: XlsxToCsvOptions = {}) {
  const out = path.join(dir, `${path.basename(file)}-${Math.random().toString(36).slice(2)}.csv`);
  const result = await xlsxToCsv(file, out, opts);
  return { result, csv: fs.readFileSync(out, 'utf8') };
}

async function failure(file: string, opts: XlsxToCsvOptions = {}): Promise<ConvertInputError> {
  const out = path.join(dir, 'failed.csv');
  const err = await xlsxToCsv(file, out, opts).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConvertInputError);
  expect(fs.existsSync(out)).toBe(false); // no half-written CSV left behind
  return err as ConvertInputError;
}

describe('xlsxToCsv', () => {
  it('writes the first sheet with __line, exact value text and skipped blank rows', async () => {
    const { result, csv } = await convert(main);
    expect(csv).toBe(
      '__line,id,amount,tiny,big,when,at,flag,calc,label,note\n' +
        '2,1,1234.5,0.0000001,1000000000000000000000,2024-01-31,2024-02-29 13:05:07,true,2469,Rich text,"x, ""y""\nz"\n' +
        '5,2,-0.5,0.30000000000000004,123456789012,2024-12-01,,false,#N/A,site,#DIV/0!\n' +
        '6,3,7,,,,,,,,\n',
    );
    expect(result).toEqual({
      sheetName: 'Data',
      header: ['id', 'amount', 'tiny', 'big', 'when', 'at', 'flag', 'calc', 'label', 'note'],
      headerWarnings: [],
      rowsWritten: 3,
      blankRows: 2,
      // NOW() has no cached value: the row is left out, for the loader to reject, not read as empty.
      uncomputed: [{ row: 7, cells: [{ ref: 'B7', column: 'amount', formula: 'NOW()' }], before: ['4'] }],
    });
  });

  it('selects a sheet by name, case-insensitively as Excel does', async () => {
    for (const sheet of ['Other', 'OTHER']) {
      const { result, csv } = await convert(main, { sheet });
      expect(csv).toBe('__line,code,name\n2,A-1,Zoë\n');
      expect(result.sheetName).toBe('Other');
    }
  });

  it('lists the sheets the file has when the named one is missing', async () => {
    const err = await failure(main, { sheet: 'Nope' });
    expect(err.message).toBe('no sheet named "Nope"; the workbook has: "Data", "Other"');
  });

  it('names blank and duplicate header cells as a CSV header is named, saying what it renamed', async () => {
    const file = await workbook('names.xlsx', (wb) => {
      const ws = wb.addWorksheet('N');
      ws.getRow(2).values = ['a', null, 'A', 'a_2', '__line', 2024]; // row 1 blank: the header is row 2
      ws.getRow(3).values = [1, 2, 3, 4, 5, 6];
    });
    const { result, csv } = await convert(file);
    expect(result.header).toEqual(['a', 'column2', 'A_2', 'a_2_2', '__line_2', '2024']);
    expect(result.headerWarnings).toEqual([
      'header cell 2 is blank; named it "column2"',
      'header "A" appears more than once; column 3 renamed "A_2"',
      'header "a_2" appears more than once; column 4 renamed "a_2_2"',
      'header "__line" is the name of a column the reader adds; column 5 renamed "__line_2"',
    ]);
    expect(csv).toBe('__line,a,column2,A_2,a_2_2,__line_2,2024\n3,1,2,3,4,5,6\n');
    expect(result.blankRows).toBe(1);
  });

  it('without a header names columns column1..N, N being the widest row', async () => {
    const file = await workbook('nohead.xlsx', (wb) => {
      const ws = wb.addWorksheet('R');
      ws.getRow(1).values = ['a', 'b'];
      ws.getRow(3).values = ['c', null, null, 'd\ne'];
    });
    const { result, csv } = await convert(file, { header: false });
    expect(csv).toBe('__line,column1,column2,column3,column4\n1,a,b,,\n3,c,,,"d\ne"\n');
    expect(result).toEqual({ sheetName: 'R', header: ['column1', 'column2', 'column3', 'column4'], headerWarnings: [], rowsWritten: 2, blankRows: 1, uncomputed: [] });
    const named = await convert(file, { header: false, columns: ['x', 'y', 'z', 'w'] });
    expect(named.csv).toBe('__line,x,y,z,w\n1,a,b,,\n3,c,,,"d\ne"\n');
  });

  it('refuses a row wider than the header instead of dropping the value', async () => {
    const file = await workbook('wide.xlsx', (wb) => {
      const ws = wb.addWorksheet('Wide');
      ws.getRow(1).values = ['a', 'b'];
      ws.getRow(2).values = [1, 2];
      ws.getRow(3).values = [1, 2, null, 'extra'];
    });
    const err = await failure(file);
    expect(err.message).toMatch(/^sheet "Wide", row 3: cell D3 has a value but the header has only 2 column\(s\)/);
    expect(err.details).toMatchObject({ sheet: 'Wide', line: 3, column: 'D' });
  });

  it('says a CSV renamed to .xlsx (or an empty file) is not a readable workbook', async () => {
    const csv = path.join(dir, 'renamed.xlsx');
    fs.writeFileSync(csv, 'id,amount\n1,2\n');
    expect((await failure(csv)).message).toMatch(/^not a readable XLSX workbook \(/);
    const empty = path.join(dir, 'empty.xlsx');
    fs.writeFileSync(empty, '');
    expect((await failure(empty)).message).toMatch(/not a readable XLSX workbook/);
  });

  it('keeps multi-byte text intact across zip chunk boundaries (exceljs#2063)', async () => {
    const text = (i: number) => `${'中文é€'.repeat(20)}${i}`;
    const file = await workbook('cjk.xlsx', (wb) => {
      const ws = wb.addWorksheet('CJK');
      ws.addRow(['v']);
      for (let i = 0; i < 2000; i++) ws.addRow([text(i)]);
    });
    const { csv, result } = await convert(file);
    expect(result.rowsWritten).toBe(2000);
    expect(csv).not.toContain('\uFFFD');
    expect(csv.split('\n')[2000]).toBe(`2001,${text(1999)}`);
  });
});

describe('xlsxToCsv on hand-written sheet XML', () => {
  const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
  const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const parts = (sheetXml: string): [string, string][] => [
    // styles.xml comes after the sheet: exceljs would stream the sheet before knowing its date formats
    ['xl/workbook.xml', `<workbook ${NS} xmlns:r="${REL}"><workbookPr date1904="1"/><sheets><sheet name="Hand" sheetId="1" r:id="rId1"/></sheets></workbook>`],
    [
      'xl/_rels/workbook.xml.rels',
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="/xl/worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    ],
    ['xl/sharedStrings.xml', `<sst ${NS}><si><t>name</t></si><si><t>tab_x0009_here</t></si></sst>`],
    ['xl/worksheets/sheet1.xml', sheetXml],
    [
      'xl/styles.xml',
      `<styleSheet ${NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm;@"/></numFmts>` +
        '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>' +
        '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>',
    ],
  ];

  it('keeps formula result types, inline and escaped strings, 1904 dates, and rows/cells without r', async () => {
    const file = path.join(dir, 'hand.xlsx');
    writeZip(
      file,
      parts(
        `<worksheet ${NS}><sheetData>` +
          '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>due</t></is></c><c r="C1" t="inlineStr"><is><t>at</t></is></c>' +
          '<c r="D1" t="inlineStr"><is><t>ok</t></is></c><c r="E1" t="inlineStr"><is><t>err</t></is></c><c r="F1" t="inlineStr"><is><t>s</t></is></c></row>' +
          '<row r="2"><c r="A2" t="inlineStr"><is><r><t>Tō</t></r><r><t xml:space="preserve">kyō </t></r><rPh sb="0" eb="1"><t>とうきょう</t></rPh></is></c>' +
          '<c r="B2" s="1"><f>TODAY()</f><v>43000</v></c><c r="C2" s="2"><v>43000.75</v></c><c r="D2" t="b"><f>1=1</f><v>1</v></c>' +
          '<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F2" t="str"><f>"a"&amp;"&lt;b"</f><v>a&lt;b</v></c></row>' +
          '<row><c t="s"><v>1</v></c><c s="2"><v>0.5</v></c></row>' +
          '</sheetData></worksheet>',
      ),
    );
    const { result, csv } = await convert(file);
    expect(csv).toBe('__line,name,due,at,ok,err,s\n2,Tōkyō ,2021-09-23,2021-09-23 18:00:00,true,#DIV/0!,a<b\n3,tab\there,12:00:00,,,,\n');
    expect(result.sheetName).toBe('Hand');
  });

  it('reads sheets whose elements carry a namespace prefix', async () => {
    const file = path.join(dir, 'prefixed.xlsx');
    const x = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
    writeZip(file, parts(`<x:worksheet ${x}><x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row><x:row r="2"><x:c r="A2"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>`));
    expect((await convert(file)).csv).toBe('__line,name\n2,5\n');
  });

  it('reads a workbook without styles.xml', async () => {
    const file = path.join(dir, 'nostyles.xlsx');
    const sheet = `<worksheet ${NS}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>45000</v></c></row></sheetData></worksheet>`;
    writeZip(file, parts(sheet).filter(([name]) => name !== 'xl/styles.xml'));
    expect((await convert(file)).csv).toBe('__line,name\n2,45000\n');
  });
});
