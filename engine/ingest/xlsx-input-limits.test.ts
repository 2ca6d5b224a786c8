import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDB } from '../duckdb/open.ts';
import { isInputError, ReconError } from '../errors/recon-error.ts';
import { hugeText, longCellSheet, paddedRows, sheetOf, SHEET_NS, workbookParts, writeWorkbook } from './convert/xlsx-fixture.ts';
import { prepareSource } from './load-source.ts';

/**
 * A run prepares an XLSX by converting it to a scratch CSV: a hostile or oversized one must fail
 * there with INPUT_TOO_LARGE (an input error: exit code 2) naming the file and what was too large,
 * and leave the scratch folder empty — not fill the disk, and not fail later as INTERNAL_ERROR.
 */

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

async function prepareFails(file: string): Promise<{ err: ReconError; scratch: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'recon-xlsx-limit-'));
  dirs.push(dir);
  const scratchDir = join(dir, 'scratch');
  mkdirSync(scratchDir);
  const db = await openDuckDB({ path: ':memory:' });
  try {
    const err = await prepareSource({ conn: db.connection, scratchDir }, 'a', file, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'prepareSource should fail').toBeInstanceOf(ReconError);
    return { err: err as ReconError, scratch: readdirSync(scratchDir) };
  } finally {
    db.close();
  }
}

async function workbook(name: string, ...parts: Parameters<typeof workbookParts>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'recon-xlsx-in-'));
  dirs.push(dir);
  return writeWorkbook(join(dir, name), workbookParts(...parts), { hideSizes: true });
}

describe('prepareSource on an XLSX past a limit', () => {
  it('a tiny file whose rows pad out to gigabytes of CSV: INPUT_TOO_LARGE at the output limit, scratch removed', async () => {
    const file = await workbook('padded.xlsx', paddedRows(100_000)); // ~1.6 GB of CSV if converted
    const { err, scratch } = await prepareFails(file);
    expect(err.code).toBe('INPUT_TOO_LARGE');
    expect(isInputError(err.code)).toBe(true);
    expect(err.message).toMatch(new RegExp(`^${file.replaceAll('.', '\\.')}: sheet "S": converting it would write more than 64 MiB of CSV`));
    expect(err.details).toMatchObject({ file, side: 'a', sheet: 'S', limit: 'maxOutputBytes' });
    expect(scratch).toEqual([]);
  });

  it('one 200 MB shared string in a 1 MB file whose zip hides the sizes: INPUT_TOO_LARGE while reading it', async () => {
    const file = await workbook('sst.xlsx', sheetOf('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), hugeText(`<sst ${SHEET_NS}><si><t>`, '</t></si></sst>'));
    const { err, scratch } = await prepareFails(file);
    expect(err.code).toBe('INPUT_TOO_LARGE');
    expect(err.message).toMatch(/xl\/sharedStrings\.xml holds a value or tag longer than 8 MiB/);
    expect(scratch).toEqual([]);
  });

  it('a row longer than the CSV reader takes: INPUT_TOO_LARGE naming the file, sheet and row (was INTERNAL_ERROR when loading)', async () => {
    const file = await workbook('long-row.xlsx', longCellSheet('x', 3_000_000));
    const { err, scratch } = await prepareFails(file);
    expect(err.code).toBe('INPUT_TOO_LARGE');
    expect(err.message).toMatch(new RegExp(`^${file.replaceAll('.', '\\.')}: sheet "S", row 2: cell A2 is longer than `));
    expect(err.message.length).toBeLessThan(400);
    expect(err.details).toMatchObject({ file, side: 'a', sheet: 'S', line: 2, column: 'A', limit: 'maxRecordBytes' });
    expect(scratch).toEqual([]);
  });
});
