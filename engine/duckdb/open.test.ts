import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDB, queryOne, type OpenDuckDB } from './open.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-open-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const limit = async (db: OpenDuckDB): Promise<string> => (await queryOne<{ v: string }>(db.connection, `SELECT current_setting('memory_limit') AS v`)).v;
const bytes = (v: string): number => {
  const m = /^([0-9.]+) (KiB|MiB|GiB|TiB)$/.exec(v);
  if (!m) throw new Error(`unexpected memory limit ${v}`);
  return Number(m[1]) * 2 ** (10 * ['KiB', 'MiB', 'GiB', 'TiB'].indexOf(m[2]!) + 10);
};
const cached = async (db: OpenDuckDB): Promise<number> =>
  Number((await queryOne<{ n: string }>(db.connection, `SELECT sum(memory_usage_bytes) AS n FROM duckdb_memory() WHERE tag = 'BASE_TABLE'`)).n);

describe('dropCachedBlocks', () => {
  for (const memoryLimit of ['3GB', undefined]) {
    it(`drops a written table's cached blocks and keeps the memory limit (${memoryLimit ?? "DuckDB's default"})`, async () => {
      const db = await openDuckDB({ path: join(dir, `cache-${memoryLimit ?? 'default'}.duckdb`), ...(memoryLimit ? { memoryLimit } : {}) });
      try {
        const before = await limit(db);
        await db.connection.run(`CREATE TABLE t AS SELECT i, md5(CAST(i AS VARCHAR)) AS s FROM range(10000000) r(i)`);
        const written = await cached(db);
        expect(written).toBeGreaterThan(150_000_000);
        await db.dropCachedBlocks();
        expect(await cached(db)).toBeLessThan(written / 2);
        // An explicit limit comes back as given; DuckDB's default as it read, to its 0.1 GiB.
        if (memoryLimit) expect(await limit(db)).toBe(before);
        else expect(Math.abs(bytes(await limit(db)) - bytes(before))).toBeLessThan(0.15 * 2 ** 30);
        // The table reads back whole from the file.
        expect(await queryOne(db.connection, 'SELECT count(*) AS n, CAST(sum(i) AS VARCHAR) AS s FROM t')).toEqual({ n: '10000000', s: '49999995000000' });
      } finally {
        db.close();
      }
    });
  }
});
