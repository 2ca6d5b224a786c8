import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { inferDefinition } from '../infer/infer.ts';
import { runRecon } from '../run/run-recon.ts';
import { tempDirsPerTest } from './testing/temp-dirs.ts';

/**
 * A sheet's header row is named as a CSV header is (source-types.ts uniqueColumnNames): a
 * blank cell, a name repeated, or one that trims and case-folds to another is renamed the
 * same way, with the same warning in the run's warnings, so a definition written for the
 * CSV addresses the sheet's columns by the same names, and infer proposes the same names.
 */

const tempDir = tempDirsPerTest('recon-xlsx-dup-');

/** Header and rows as the sheet and the CSV both hold them; null is an empty cell. */
type Cell = string | number | null;

async function sheetFile(dir: string, header: readonly Cell[], rows: readonly Cell[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Data');
  for (const r of [header, ...rows]) ws.addRow(r.map((c) => c ?? undefined));
  const p = join(dir, 'a.xlsx');
  await wb.xlsx.writeFile(p);
  return p;
}

function csvFile(dir: string, header: readonly Cell[], rows: readonly Cell[][]): string {
  const p = join(dir, 'b.csv');
  writeFileSync(p, [header, ...rows].map((r) => r.map((c) => c ?? '').join(',')).join('\n') + '\n');
  return p;
}

async function bothFiles(header: readonly Cell[], rows: readonly Cell[][]): Promise<{ a: string; b: string }> {
  const dir = tempDir();
  return { a: await sheetFile(dir, header, rows), b: csvFile(dir, header, rows) };
}

// Two "Amount", a blank cell (column 4), "ID " beside "id", and "__line", the converted sheet's own row column.
const HEADER: Cell[] = ['id', 'Amount', 'Amount', null, 'ID ', 'note', '__line'];
const ROWS: Cell[][] = [
  ['K1', 10.5, 2, 'x', 'r1', 'first', 'L1'],
  ['K2', -3, 4, 'y', 'r2', 'second', 'L2'],
];

describe('an XLSX header with duplicate or blank names', () => {
  it('is renamed as the CSV header is, with the same warnings, and a definition reads the renamed columns', async () => {
    const { a, b } = await bothFiles(HEADER, ROWS);
    const def: DefinitionInput = {
      name: 'dup headers',
      key: ['id'],
      fields: [
        { name: 'id', type: 'string' },
        { name: 'Amount', type: 'decimal', scale: 2 },
        { name: 'Amount_2', type: 'decimal', scale: 2 },
        { name: 'column4', type: 'string' },
        { name: 'ID_2', type: 'string' },
        { name: 'note', type: 'string' },
      ],
      compareUnlisted: false,
    };
    const summary = await runRecon({ aPath: a, bPath: b, definition: validateDefinition(def), workspace: join(tempDir(), 'ws') });
    const dupWarnings = [
      'header "Amount" appears more than once; column 3 renamed "Amount_2"',
      'header cell 4 is blank; named it "column4"',
      'header "ID" appears more than once; column 5 renamed "ID_2"',
    ];
    expect(summary.warnings.b).toEqual(expect.arrayContaining(dupWarnings));
    expect(summary.warnings.a).toEqual(expect.arrayContaining(dupWarnings));
    // The sheet's "__line" collides only with the converter's row column: renamed, and said so.
    expect(summary.warnings.a).toContain('header "__line" is the name of a column the reader adds; column 7 renamed "__line_2"');
    expect(summary.warnings.a.filter((w) => !w.includes('__line'))).toEqual(summary.warnings.b);
    // Every renamed column was read from its own cells: both rows match exactly.
    expect(summary.counts).toMatchObject({ a: 2, b: 2, matched: 2, matchedExact: 2, matchedWithBreaks: 0 });
  });

  it('a rename that would take a name already in the header is numbered past it, as in the CSV', async () => {
    const header: Cell[] = ['id', 'a', 'a_2', 'a', 'A'];
    const rows: Cell[][] = [['K1', 'p', 'q', 'r', 's']];
    const { a, b } = await bothFiles(header, rows);
    const def: DefinitionInput = {
      name: 'dup collision',
      key: ['id'],
      fields: ['id', 'a', 'a_2', 'a_3', 'A_4'].map((name) => ({ name, type: 'string' as const })),
      compareUnlisted: false,
    };
    const summary = await runRecon({ aPath: a, bPath: b, definition: validateDefinition(def), workspace: join(tempDir(), 'ws') });
    expect(summary.warnings.a).toEqual(summary.warnings.b);
    expect(summary.warnings.a).toEqual(expect.arrayContaining(['header "a" appears more than once; column 4 renamed "a_3"']));
    expect(summary.counts).toMatchObject({ a: 1, b: 1, matched: 1, matchedExact: 1 });
  });

  it('infer proposes the same column names for the sheet as for the CSV', async () => {
    const header = HEADER.slice(0, -1);
    const rows = Array.from({ length: 30 }, (_, i) => [`K${i}`, i * 1.5, i, `c${i}`, `r${i}`, `n${i}`]);
    const { a, b } = await bothFiles(header, rows);
    const { report, definition } = await inferDefinition({ aPath: a, bPath: b });
    const names = report.columns.a.map((c) => c.column);
    expect(names).toEqual(['id', 'Amount', 'Amount_2', 'column4', 'ID_2', 'note']);
    expect(report.columns.b.map((c) => c.column)).toEqual(names);
    expect(definition.key).toEqual(['id']);
  });
});
