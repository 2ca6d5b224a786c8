/**
 * A tiny run file written by hand for the grid's tests: records on both sides
 * with context fields (Currency, Book, Notional, and a field whose name needs
 * quoting), breaks pointing at them by rid, and attributions. Each call is a
 * fresh DuckDB file in its own temp workspace.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDB } from '../../duckdb/open.ts';
import { RunFileCache } from '../cache.ts';
import type { RunFile } from '../run-file.ts';

export interface TinyRun {
  db: RunFile;
  dispose(): Promise<void>;
}

/**
 * Records (rid: Currency, Book, Notional, Desk "X"):
 *   A: 0 EUR BOOK1 100 · 1 USD BOOK2 9 · 2 EUR BOOK3 10 · 3 GBP BOOK1 55.5 · 4 USD BOOK2 1000
 *   B: 0 EUR BOOK1 · 1 USD BOOK9 · 2 EUR BOOK3 · 3 JPY BOOK1 · 5 CHF BOOK7
 * Breaks (id: key field diff_type rid_a rid_b, reason/status):
 *   1: K0 Notional MISMATCH 0 0 ROUNDING/AUTO   2: K0 Price MISMATCH 0 0 FX/REVIEW
 *   3: K1 Notional MISMATCH 1 1 FX/AUTO         4: K2 Price MISMATCH 2 2 ROUNDING/AUTO
 *   5: K3 Notional MISMATCH 3 3 UNKNOWN/REVIEW  6: K4 * MISSING_IN_B 4 null UNKNOWN/REVIEW
 *   7: K5 * MISSING_IN_A null 5 UNKNOWN/REVIEW  8: K1 Book MISMATCH 1 1 STATIC/AUTO
 */
export async function createTinyRun(): Promise<TinyRun> {
  const dir = await mkdtemp(join(tmpdir(), 'recon-tiny-'));
  const runs = join(dir, 'runs');
  await mkdir(runs);
  const db = await openDuckDB({ path: join(runs, 'tiny.duckdb') });
  const c = db.connection;
  try {
    const side = (name: string, rows: string): string =>
      `CREATE TABLE ${name} AS SELECT CAST(rid AS BIGINT) AS __rid, key AS __key, key AS __key_text, false AS __bad, ccy AS Currency, book AS Book,
              CAST(notional AS DECIMAL(18, 2)) AS Notional, desk AS "Desk ""X"""
         FROM (VALUES ${rows}) v(rid, key, ccy, book, notional, desk)`;
    await c.run(side('a', `(0, 'K0', 'EUR', 'BOOK1', 100, 'rates'), (1, 'K1', 'USD', 'BOOK2', 9, 'fx'), (2, 'K2', 'EUR', 'BOOK3', 10, 'rates'), (3, 'K3', 'GBP', 'BOOK1', 55.5, 'credit'), (4, 'K4', 'USD', 'BOOK2', 1000, 'fx')`));
    await c.run(side('b', `(0, 'K0', 'EUR', 'BOOK1', 101, 'rates'), (1, 'K1', 'USD', 'BOOK9', 8, 'fx'), (2, 'K2', 'EUR', 'BOOK3', 10, 'rates'), (3, 'K3', 'JPY', 'BOOK1', 56, 'credit'), (5, 'K5', 'CHF', 'BOOK7', 7, 'eq')`));
    await c.run(`CREATE TABLE breaks AS SELECT CAST(id AS BIGINT) AS break_id, key, field, diff_type, NULL::VARCHAR AS side, value_a, value_b, delta,
                        'decimal' AS field_type, CAST(rid_a AS BIGINT) AS rid_a, CAST(rid_b AS BIGINT) AS rid_b
                   FROM (VALUES (1, 'K0', 'Notional', 'MISMATCH', '100', '101', '1', 0, 0), (2, 'K0', 'Price', 'MISMATCH', '1.5', '1.6', '0.1', 0, 0),
                                (3, 'K1', 'Notional', 'MISMATCH', '9', '8', '-1', 1, 1), (4, 'K2', 'Price', 'MISMATCH', '2', '3', '1', 2, 2),
                                (5, 'K3', 'Notional', 'MISMATCH', '55.5', '56', '0.5', 3, 3), (6, 'K4', '*', 'MISSING_IN_B', NULL, NULL, NULL, 4, NULL),
                                (7, 'K5', '*', 'MISSING_IN_A', NULL, NULL, NULL, NULL, 5), (8, 'K1', 'Book', 'MISMATCH', 'BOOK2', 'BOOK9', NULL, 1, 1))
                        v(id, key, field, diff_type, value_a, value_b, delta, rid_a, rid_b)`);
    await c.run(`CREATE TABLE attributions AS SELECT CAST(id AS BIGINT) AS break_id, reason, confidence, status, reason AS suggested_reason
                   FROM (VALUES (1, 'ROUNDING', 0.95, 'AUTO'), (2, 'FX', 0.5, 'REVIEW'), (3, 'FX', 0.97, 'AUTO'), (4, 'ROUNDING', 0.91, 'AUTO'),
                                (5, 'UNKNOWN', 0.4, 'REVIEW'), (6, 'UNKNOWN', 0.3, 'REVIEW'), (7, 'UNKNOWN', 0.3, 'REVIEW'), (8, 'STATIC', 0.99, 'AUTO'))
                        v(id, reason, confidence, status)`);
  } finally {
    db.close();
  }
  const cache = new RunFileCache((id) => join(runs, `${id}.duckdb`), dir);
  return {
    db: await cache.get('tiny'),
    async dispose() {
      await cache.closeAll();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
