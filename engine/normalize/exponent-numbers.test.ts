import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { tempDirsPerTest } from '../ingest/testing/temp-dirs.ts';
import { runRecon } from '../run/run-recon.ts';

/**
 * Numbers in exponent form (JSON, Parquet doubles) are the same numbers as their
 * plain form: a side holding "9e-4" and a side holding "0.0009" agree at every
 * scale, with the same control totals, the same rounding warnings and, under
 * rounding "reject", the same rejects. DuckDB's own VARCHAR → DECIMAL cast rounds
 * the exponent form wrongly ('9e-4'::DECIMAL(18, 2) = 0.01), so this reads both
 * forms through the engine and compares them.
 */

const tempDir = tempDirsPerTest('recon-exponent-');

/** [exponent form, the same number in plain digits]. */
const NUMBERS: [string, string][] = [
  ['9e-4', '0.0009'],
  ['0.9e-3', '0.0009'],
  ['90e-5', '0.0009'],
  ['5e-06', '0.000005'],
  ['-8e-06', '-0.000008'],
  ['5e-20', '0.00000000000000000005'],
  ['-5e-3', '-0.005'],
  ['5e-5', '0.00005'],
  ['1.5E+03', '1500'],
  ['1.2345e3', '1234.5'],
  ['-0.5e-8', '-0.000000005'],
  ['4.9e-3', '0.0049'],
  ['1e0', '1'],
];

function csvSide(dir: string, plain: string[]): string {
  const p = join(dir, 'b.csv');
  writeFileSync(p, `id,amt\n${plain.map((v, i) => `${i + 1},${v}`).join('\n')}\n`);
  return p;
}

function jsonSide(dir: string, exp: string[]): string {
  const p = join(dir, 'a.json');
  // Numbers as the JSON text writes them, not as JavaScript would print them.
  writeFileSync(p, `[${exp.map((v, i) => `{"id": ${i + 1}, "amt": ${v}}`).join(',\n')}]`);
  return p;
}

/** A Parquet file of DOUBLEs, written by DuckDB (which reads them back in exponent form when small). */
async function parquetSide(dir: string, exp: string[]): Promise<string> {
  const p = join(dir, 'a.parquet');
  const db = await openDuckDB({ path: ':memory:' });
  try {
    const rows = exp.map((v, i) => `(${i + 1}, CAST('${v}' AS DOUBLE))`).join(', ');
    await db.connection.run(`COPY (SELECT * FROM (VALUES ${rows}) t(id, amt)) TO '${p}' (FORMAT parquet)`);
  } finally {
    db.close();
  }
  return p;
}

async function recon(aPath: string, bPath: string, scale: number, rounding: 'round' | 'reject') {
  const def: DefinitionInput = { name: 'exp', key: ['id'], fields: [{ name: 'id', type: 'integer' }, { name: 'amt', type: 'decimal', scale, rounding }] };
  const summary = await runRecon({ aPath, bPath, definition: validateDefinition(def), workspace: join(tempDir(), 'ws') });
  const db = await openDuckDB({ path: summary.database });
  try {
    const breaks = await queryRows<{ key: string; diff_type: string }>(db.connection, 'SELECT key, diff_type FROM breaks ORDER BY break_id');
    const rejects = await queryRows<{ side: string; reason: string }>(db.connection, 'SELECT side, reason FROM rejects ORDER BY side, line');
    return { summary, breaks, rejects };
  } finally {
    db.close();
  }
}

describe.each([
  ['JSON', (dir: string) => Promise.resolve(jsonSide(dir, NUMBERS.map(([e]) => e))), NUMBERS],
  ['Parquet', (dir: string) => parquetSide(dir, NUMBERS.map(([e]) => e)), NUMBERS],
] as const)('%s numbers in exponent form against the same numbers in plain digits', (_, writeA, numbers) => {
  it.each([2, 4, 9])('agree at scale %i: no breaks, equal control totals, the same rounding warnings', async (scale) => {
    const dir = tempDir();
    const r = await recon(await writeA(dir), csvSide(dir, numbers.map(([, p]) => p)), scale, 'round');
    expect(r.breaks).toEqual([]);
    expect(r.summary.counts).toMatchObject({ matched: numbers.length, matchedExact: numbers.length, rejectedA: 0, rejectedB: 0 });
    const totals = r.summary.controlTotals.filter((t) => t.field === 'amt');
    expect(totals).toHaveLength(1);
    expect(totals[0]!.a).toBe(totals[0]!.b);
    const rounded = (w: string[]): string[] => w.filter((x) => x.startsWith('amt:'));
    expect(rounded(r.summary.warnings.a)).toEqual(rounded(r.summary.warnings.b));
  }, 60_000);

  it.each([2, 4])('under rounding "reject" at scale %i reject the same values for the same reason', async (scale) => {
    const dir = tempDir();
    const r = await recon(await writeA(dir), csvSide(dir, numbers.map(([, p]) => p)), scale, 'reject');
    const reasons = (side: string): string[] => r.rejects.filter((x) => x.side === side).map((x) => x.reason.replace(/, got .*$/, ''));
    expect(reasons('a').length).toBeGreaterThan(0);
    expect(reasons('a')).toEqual(reasons('b'));
    expect(r.breaks.filter((b) => b.diff_type === 'MISMATCH')).toEqual([]);
  }, 60_000);
});

describe('whole numbers in exponent form', () => {
  it('read as the same integers as their plain digits, beyond 64 bits too', async () => {
    const dir = tempDir();
    const pairs: [string, string][] = [['1.5E+03', '1500'], ['12e2', '1200'], ['-3e0', '-3'], ['1e20', '100000000000000000000'], ['0.25e2', '25'], ['9.99e2', '999']];
    const def: DefinitionInput = { name: 'int', key: ['id'], fields: [{ name: 'id', type: 'integer' }, { name: 'amt', type: 'integer' }] };
    const summary = await runRecon({ aPath: jsonSide(dir, pairs.map(([e]) => e)), bPath: csvSide(dir, pairs.map(([, p]) => p)), definition: validateDefinition(def), workspace: join(dir, 'ws') });
    expect(summary.counts).toMatchObject({ matched: pairs.length, matchedExact: pairs.length, rejectedA: 0, rejectedB: 0 });
  }, 60_000);
});
