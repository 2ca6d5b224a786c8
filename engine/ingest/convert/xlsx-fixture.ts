/**
 * Test helper: one-sheet workbooks from hand-written parts, deflated, so a test can
 * build a few-KB file that expands to gigabytes (see zip-fixture.ts).
 */
import { writeDeflatedZip, type RepeatedText } from './zip-fixture.ts';

export const SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export type XlsxPart = readonly [string, string | RepeatedText];

/**
 * The parts of a workbook whose only sheet is named "S". `sheet-first` stores the sheet before
 * the shared strings: exceljs then spools it to a temp file; `before-styles` stores it after the
 * shared strings but before styles.xml: xlsx-reader.ts then spools it.
 */
export function workbookParts(
  sheet: string | RepeatedText,
  sst: string | RepeatedText = `<sst ${SHEET_NS}/>`,
  order: 'sheet-last' | 'sheet-first' | 'before-styles' = 'sheet-last',
): XlsxPart[] {
  const head: XlsxPart[] = [
    ['xl/workbook.xml', `<workbook ${SHEET_NS} xmlns:r="${REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`],
    [
      'xl/_rels/workbook.xml.rels',
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ],
  ];
  const styles: XlsxPart = ['xl/styles.xml', `<styleSheet ${SHEET_NS}><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>`];
  const strings: XlsxPart = ['xl/sharedStrings.xml', sst];
  const ws: XlsxPart = ['xl/worksheets/sheet1.xml', sheet];
  if (order === 'sheet-first') return [ws, ...head, strings, styles];
  if (order === 'before-styles') return [...head, strings, ws, styles];
  return [...head, strings, styles, ws];
}

/** A worksheet part around `rows` (`<row>` elements). */
export function sheetOf(rows: string): string {
  return `<worksheet ${SHEET_NS}><sheetData>${rows}</sheetData></worksheet>`;
}

/** `mb` MB of one letter between `head` and `tail`. */
export function hugeText(head: string, tail: string, mb = 200): RepeatedText {
  return { head, unit: 'a'.repeat(1024), count: mb * 1024, tail };
}

/** A sheet whose header reaches column XFD, so each of `rows` one-cell rows pads to 16,384 fields (~16 KB of CSV). */
export function paddedRows(rows: number): RepeatedText {
  return {
    head: `<worksheet ${SHEET_NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>`,
    unit: '<row><c><v>1</v></c></row>',
    count: rows,
    tail: '</sheetData></worksheet>',
  };
}

/** A sheet with a header "v" and row 2 holding one inline-string cell of `chars` × `text`. */
export function longCellSheet(text: string, chars: number): string {
  return sheetOf(`<row r="1"><c r="A1" t="inlineStr"><is><t>v</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>${text.repeat(chars)}</t></is></c></row>`);
}

export async function writeWorkbook(file: string, parts: XlsxPart[], opts?: { hideSizes?: boolean }): Promise<string> {
  await writeDeflatedZip(file, parts, opts);
  return file;
}
