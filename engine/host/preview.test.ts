import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInputError, ReconError } from '../errors/recon-error.ts';
import { longCellSheet, paddedRows, sheetOf, workbookParts, writeWorkbook } from '../ingest/convert/xlsx-fixture.ts';
import { previewFile } from './preview.ts';

/**
 * files.preview converts an XLSX the way a run does: a file past a limit fails the same way
 * (INPUT_TOO_LARGE, an input error) and leaves nothing in the workspace's tmp folder.
 */

const dir = mkdtempSync(join(tmpdir(), 'recon-preview-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function previewError(workspace: string, file: string): Promise<ReconError> {
  const err = await previewFile(workspace, { path: file, side: 'a', source: {}, limit: 10 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'preview should fail').toBeInstanceOf(ReconError);
  expect(readdirSync(join(workspace, 'tmp')), 'scratch removed').toEqual([]);
  return err as ReconError;
}

describe('previewFile on an XLSX past a limit', () => {
  it('previews a small workbook', async () => {
    const file = await writeWorkbook(join(dir, 'ok.xlsx'), workbookParts(sheetOf('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row><row r="2"><c r="A2"><v>7</v></c></row>')));
    const workspace = join(dir, 'ws-ok');
    const p = await previewFile(workspace, { path: file, side: 'a', source: {}, limit: 10 });
    expect(p.columns).toEqual(['id']);
    expect(p.rows).toEqual([['7']]);
    expect(readdirSync(join(workspace, 'tmp'))).toEqual([]);
  });

  it('rows padded out to far more CSV than the file justifies: INPUT_TOO_LARGE', async () => {
    const file = await writeWorkbook(join(dir, 'padded.xlsx'), workbookParts(paddedRows(10_000))); // ~160 MB of CSV
    const err = await previewError(join(dir, 'ws-padded'), file);
    expect(err.code).toBe('INPUT_TOO_LARGE');
    expect(isInputError(err.code)).toBe(true);
    expect(err.message).toMatch(/converting it would write more than 64 MiB of CSV/);
  });

  it('a row longer than the CSV reader takes: INPUT_TOO_LARGE naming the sheet row', async () => {
    const file = await writeWorkbook(join(dir, 'long.xlsx'), workbookParts(longCellSheet('x', 3_000_000)));
    const err = await previewError(join(dir, 'ws-long'), file);
    expect(err.code).toBe('INPUT_TOO_LARGE');
    expect(err.message).toMatch(/: sheet "S", row 2: cell A2 is longer than /);
    expect(existsSync(file)).toBe(true);
  });
});

describe('previewFile on JSON', () => {
  it('shows a string value without its JSON quotes, numbers as written, in a column that mixes them', async () => {
    const file = join(dir, 'mixed.ndjson');
    writeFileSync(file, '{"id":"A1","amt":"10.50"}\n{"id":"A2","amt":20.25}\n{"id":3,"amt":30,"note":null}\n');
    const p = await previewFile(join(dir, 'ws-json'), { path: file, side: 'a', source: {}, limit: 10 });
    expect(p.columns).toEqual(['id', 'amt', 'note']);
    expect(p.rows).toEqual([
      ['A1', '10.50', null],
      ['A2', '20.25', null],
      ['3', '30', null],
    ]);
  });
});
