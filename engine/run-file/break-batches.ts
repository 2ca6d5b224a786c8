import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import { breakSelect, toBreak, type Break } from './break.ts';
import { RUN_TABLES } from './schema.ts';

/** One batch: the breaks with ids in [first, last], in id order. */
export interface BreakBatch {
  first: number;
  last: number;
  breaks: Break[];
}

/**
 * Yields every break of a run in batches of `size` ids, in break-id order.
 * break_id is 1..N (row_number in the diff), so batch k is one id range:
 * DuckDB never sorts or holds the whole table, and a million breaks stream
 * through in bounded memory.
 */
export async function* breakBatches(conn: DuckDBConnection, hasAttributions: boolean, size = 10_000): AsyncGenerator<BreakBatch> {
  const [{ hi }] = (await queryRows<{ hi: string | null }>(conn, `SELECT max(break_id) AS hi FROM ${RUN_TABLES.breaks}`)) as [{ hi: string | null }];
  const last = hi === null ? 0 : Number(hi);
  const select = `${breakSelect(hasAttributions)} WHERE b.break_id BETWEEN $1 AND $2 ORDER BY b.break_id`;
  for (let lo = 1; lo <= last; lo += size) {
    const rows = await queryRows<Record<string, unknown>>(conn, select, [lo, lo + size - 1]);
    if (rows.length === 0) continue;
    yield { first: lo, last: lo + size - 1, breaks: rows.map(toBreak) };
  }
}
