import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from '../run/run-recon.ts';
import type { RunSummary } from '../contract/index.ts';
import { stageRunsInFile } from '../run/testing/stage-in-file.ts';

/**
 * The staged tables keep no copy of the key their fields already hold (see
 * normalize/stage.ts): `__key` and `__key_text` are computed by the views `a`
 * and `b`, with the file's spelling stored only where it differs. These runs
 * use keys whose spelling differs from the typed key in every way we know of,
 * and check that the views give the right key and spelling and that the key
 * hash (an independent read of the file) agrees with them.
 */

// These read every staged row back from the run's file.
stageRunsInFile();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-integrity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, def: DefinitionInput, a: string, b: string): Promise<{ summary: RunSummary; rows: Record<'a' | 'b', { key: string | null; text: string; bad: boolean }[]> }> {
  const aPath = join(dir, `${name}-a.csv`);
  const bPath = join(dir, `${name}-b.csv`);
  writeFileSync(aPath, a);
  writeFileSync(bPath, b);
  const summary = await runRecon({ aPath, bPath, definition: validateDefinition(def), workspace: join(dir, name) });
  const db = await openDuckDB({ path: summary.database, readOnly: true });
  try {
    const read = (t: 'a' | 'b') =>
      queryRows<{ key: string | null; text: string; bad: boolean }>(db.connection, `SELECT __key AS key, __key_text AS text, __bad AS bad FROM ${t} ORDER BY __rid`);
    return { summary, rows: { a: await read('a'), b: await read('b') } };
  } finally {
    db.close();
  }
}

const hashChecks = (s: RunSummary): boolean[] => s.checks.filter((c) => c.type === 'HASH').map((c) => c.passed);

describe('key and key spelling of staged rows', () => {
  it('single text key: spaces and tabs trimmed, null markers rejected, spelling kept as written', async () => {
    const def: DefinitionInput = {
      name: 'text key',
      key: ['id'],
      sources: { a: { format: 'csv', nullValues: ['N/A'] }, b: { format: 'csv' } },
      fields: [{ name: 'id', type: 'string' }, { name: 'v', type: 'integer' }],
    };
    const { summary, rows } = await run('text', def, 'id,v\n  K1 ,1\n\tK2,2\nK3,3\nN/A,4\n,5\n', 'id,v\nK1,1\nK2,2\nK3,3\n');
    expect(hashChecks(summary)).toEqual([true, true]);
    expect(rows.a).toEqual([
      { key: 'K1', text: 'K1', bad: false },
      // Key and spelling are trimmed alike (normalize/sql.ts trimSql), the tab too; the hash's independent read trims the same way.
      { key: 'K2', text: 'K2', bad: false },
      { key: 'K3', text: 'K3', bad: false },
      { key: null, text: 'N/A', bad: true },
      { key: null, text: '', bad: true },
    ]);
    expect(summary.counts.matched).toBe(3);
  });

  it('single integer key: the key is the number, the spelling the digits as written', async () => {
    const def: DefinitionInput = {
      name: 'integer key',
      key: ['id'],
      sources: { a: { format: 'csv' }, b: { format: 'csv' } },
      fields: [{ name: 'id', type: 'integer' }, { name: 'v', type: 'string' }],
    };
    const { summary, rows } = await run('int', def, 'id,v\n007,x\n8,y\n', 'id,v\n7,x\n0008,y\n');
    expect(hashChecks(summary)).toEqual([true, true]);
    expect(rows.a).toEqual([
      { key: '7', text: '007', bad: false },
      { key: '8', text: '8', bad: false },
    ]);
    expect(rows.b.map((r) => r.text)).toEqual(['7', '0008']);
    expect(summary.counts.matched).toBe(2);
  });

  it('composite key: parts escaped in the key, joined as written in the spelling', async () => {
    const def: DefinitionInput = {
      name: 'composite key',
      key: ['k1', 'k2'],
      sources: { a: { format: 'csv' }, b: { format: 'csv' } },
      fields: [{ name: 'k1', type: 'string', map: { b: { x: 'X' } } }, { name: 'k2', type: 'string' }, { name: 'v', type: 'string' }],
    };
    const { summary, rows } = await run('composite', def, 'k1,k2,v\na|b,c,1\na,b|c,2\nX,y,3\n', 'k1,k2,v\na|b,c,1\na,b|c,2\nx,y,3\n');
    expect(hashChecks(summary)).toEqual([true, true]);
    expect(rows.a.map((r) => [r.key, r.text])).toEqual([
      ['a\\|b|c', 'a|b|c'],
      ['a|b\\|c', 'a|b|c'],
      ['X|y', 'X|y'],
    ]);
    // B's "x" is mapped to "X": the key is the mapped value, the spelling the file's.
    expect(rows.b.map((r) => [r.key, r.text])).toEqual([
      ['a\\|b|c', 'a|b|c'],
      ['a|b\\|c', 'a|b|c'],
      ['X|y', 'x|y'],
    ]);
    expect(summary.counts.matched).toBe(3);
  });
});

describe('the key hash check reads the files ahead of the checks (startSourceKeyHashes)', () => {
  it('agrees with the staged rows with and without structural rejects', async () => {
    const def: DefinitionInput = {
      name: 'early key hash',
      key: ['id'],
      sources: { a: { format: 'csv' }, b: { format: 'csv' } },
      fields: [{ name: 'id', type: 'string' }, { name: 'v', type: 'integer' }],
    };
    // A: a record with a column missing, a structural reject, so the check reads A again, every column;
    // B: none, so the key-only read made ahead of the checks is the one used.
    const { summary } = await run('early', def, 'id,v\n K1 ,1\nK2\nK3,3\n', 'id,v\nK1,1\nK2,2\nK3,3\n');
    expect(summary.counts).toMatchObject({ rejectedA: 1, rejectedB: 0 });
    const hashes = summary.checks.filter((c) => c.type === 'HASH');
    expect(hashes.map((c) => [c.name, c.passed])).toEqual([
      ['key_hash_a', true],
      ['key_hash_b', true],
    ]);
    expect(hashes.every((c) => c.expected !== '0' && c.expected === c.actual)).toBe(true);
  });
});
