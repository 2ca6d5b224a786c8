import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from '../run/run-recon.ts';
import { offsetPoints } from './line-map.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'recon-line-map-'));
  dirs.push(d);
  return d;
};

/** The line of every row by the map's rule: rid + the offset of the last point at or before it. */
const lineByPoints = (points: number[], rid: number): number => {
  let offset = NaN;
  for (let i = 0; i < points.length; i += 2) if (points[i]! <= rid) offset = points[i + 1]!;
  return rid + offset;
};

describe('offsetPoints', () => {
  it('keeps only the points where line - rid changes, and they give back every line', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const rows of [0, 1, 2, 3, 17, 1000]) {
      for (const jumps of [0, 0.01, 0.3, 1]) {
        // Lines of loaded records: file order, one or more lines apart (multi-line records, blank lines, rejected records).
        const lines: number[] = [];
        let line = 2;
        for (let k = 0; k < rows; k++) {
          lines.push(line);
          line += 1 + (random() < jumps ? 1 + Math.floor(random() * 3) : 0);
        }
        let calls = 0;
        const points = offsetPoints(rows, (k) => (calls++, lines[k]!));
        for (let k = 0; k < rows; k++) expect(lineByPoints(points, k)).toBe(lines[k]);
        for (let i = 3; i < points.length; i += 2) expect(points[i]).not.toBe(points[i - 2]);
        if (jumps === 0 && rows > 0) expect(calls).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe('line_map of a run', () => {
  const DEF: DefinitionInput = { name: 'lines', key: ['id'], fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }, { name: 'note' }] };

  async function linesOfRun(aName: string, a: Buffer | string, def: DefinitionInput = DEF): Promise<Record<string, { line: number; label: string }>> {
    const dir = tempDir();
    const aPath = join(dir, aName);
    const bPath = join(dir, 'b.csv');
    writeFileSync(aPath, a);
    writeFileSync(bPath, 'id,amt,note\n1,1.00,x\n');
    const summary = await runRecon({ aPath, bPath, definition: validateDefinition(def), workspace: join(dir, 'ws') });
    const db = await openDuckDB({ path: summary.database, readOnly: true });
    try {
      const rows = await queryRows<{ id: string; line: string; label: string }>(
        db.connection,
        `SELECT a.id, a.__rid + m.line_offset AS line, m.label FROM a
           JOIN LATERAL (SELECT line_offset, label FROM line_map WHERE side = 'a' AND rid <= a.__rid ORDER BY rid DESC LIMIT 1) m ON true`,
      );
      return Object.fromEntries(rows.map((r) => [r.id, { line: Number(r.line), label: r.label }]));
    } finally {
      db.close();
    }
  }

  it('maps each staged row of delimited text to its physical line, past blank lines, multi-line and rejected records', async () => {
    const a = ['id,amt,note', '1,1.00,plain', '', '2,2.00,"two', 'lines"', '3,3.00,extra,field', '4,oops,cast reject', '5,5.00,last', ''].join('\n');
    expect(await linesOfRun('a.csv', a)).toEqual({
      '1': { line: 2, label: 'line' },
      '2': { line: 4, label: 'line' },
      // Record 3 has too many fields: rejected by the reader, not staged.
      '4': { line: 7, label: 'line' },
      '5': { line: 8, label: 'line' },
    });
  });

  it('maps each staged row of a sheet to its sheet row, past blank rows', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Trades');
    ws.getRow(1).values = ['id', 'amt', 'note'];
    ws.getRow(2).values = ['1', 1, 'a'];
    ws.getRow(4).values = ['2', 2, 'b'];
    ws.getRow(5).values = ['3', 'oops', 'c'];
    ws.getRow(8).values = ['4', 4, 'd'];
    const file = join(tempDir(), 'book.xlsx');
    await wb.xlsx.writeFile(file);
    expect(await linesOfRun('a.xlsx', readFileSync(file))).toEqual({
      '1': { line: 2, label: 'row' },
      '2': { line: 4, label: 'row' },
      '3': { line: 5, label: 'row' },
      '4': { line: 8, label: 'row' },
    });
  });
});
