import { describe, it, expect, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { longCellSheet, workbookParts, writeWorkbook } from '../ingest/convert/xlsx-fixture.ts';

/**
 * Inputs too large or too deep for the engine, as a user meets them in `recon`: exit code 2
 * and one short "error [CODE]: file…" line, never INTERNAL_ERROR (exit 1) and never a message
 * that quotes megabytes of the input.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'recon.mjs');
const dir = mkdtempSync(join(tmpdir(), 'recon-cli-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recon(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr });
    });
  });
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const DEF = JSON.stringify({ name: 'limits', key: ['id'], fields: [{ name: 'id' }] });
const ws = join(dir, 'ws');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('recon on inputs past a limit', () => {
  it('a definition nested 100,000 deep: DEFINITION_INVALID, exit 2 (was a stack overflow, INTERNAL_ERROR)', async () => {
    const def = write('deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const r = await recon('definition', 'validate', def);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`error [DEFINITION_INVALID]: ${def}, line 1, column 65: nested more than 64 levels deep; a recon definition needs far fewer\n`);
  });

  it('an XLSX row longer than the CSV reader takes: INPUT_TOO_LARGE naming the sheet row, exit 2 (was INTERNAL_ERROR)', async () => {
    const a = await writeWorkbook(join(dir, 'long.xlsx'), workbookParts(longCellSheet('x', 3_000_000)));
    // The sheet's header is "v": the definition binds it, so only the long row can fail the run.
    const def = write('def-v.json', JSON.stringify({ name: 'limits', key: ['v'], fields: [{ name: 'v' }] }));
    const r = await recon('run', '--a', a, '--b', write('b.csv', 'v\nx\n'), '--definition', def, '--workspace', ws, '--quiet');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error \\[INPUT_TOO_LARGE\\]: ${escape(a)}: sheet "S", row 2: cell A2 is longer than [\\d.]+ MiB, the longest row the CSV reader accepts`));
    expect(r.stderr.length).toBeLessThan(500);
  });

  it('a 50 MB header: COLUMN_NOT_FOUND quotes it cut short (was a 1 MB message)', async () => {
    const a = write('wide-header.csv', `${'h'.repeat(50 * 1024 * 1024)}\n1\n`);
    const r = await recon('run', '--a', a, '--b', write('b2.csv', 'id\n1\n'), '--definition', write('def2.json', DEF), '--workspace', ws, '--quiet');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error \\[COLUMN_NOT_FOUND\\]: ${escape(a)}: source A has no column "id" \\(field "id"\\)\\. Its columns are: "h{200}…\\(\\d+ more characters\\)"\\n$`));
  });
});
