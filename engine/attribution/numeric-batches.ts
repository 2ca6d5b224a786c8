import type { DuckDBConnection } from '@duckdb/node-api';
import { ident } from '../sql/quote.ts';

/** Rows of numbers read from DuckDB: one BIGINT id plus `width` DOUBLEs per row, row-major. */
export interface NumericBatch {
  ids: bigint[];
  /** rows × width values, row-major. */
  x: Float64Array;
  rows: number;
  width: number;
}

/** Default rows per batch: bounded memory however many breaks a run has. */
export const BATCH_ROWS = 50_000;

export interface NumericQuery {
  /** BIGINT id column (qualified if needed), unique and the paging key. */
  id: string;
  /** DOUBLE expressions, never NULL. */
  columns: readonly string[];
  /** FROM clause body (tables and joins). */
  from: string;
  where?: string;
}

/**
 * Reads a query in pages of at most `batchRows` rows, ordered by id, so
 * JavaScript never holds all rows of a big run. Each page is its own
 * materialized query (keyset paging on the id): a streaming result would be
 * cut off by the appender writing results on the same connection meanwhile.
 */
export async function* readNumericBatches(conn: DuckDBConnection, q: NumericQuery, batchRows = BATCH_ROWS): AsyncGenerator<NumericBatch> {
  const width = q.columns.length;
  let after: bigint | null = null;
  for (;;) {
    const conds = [q.where, after === null ? undefined : `${q.id} > ${after}`].filter((c) => c !== undefined);
    const sql = `SELECT ${q.id} AS ${ident('__id')}, ${q.columns.join(', ')} FROM ${q.from}
                 ${conds.length > 0 ? `WHERE ${conds.map((c) => `(${c})`).join(' AND ')}` : ''}
                 ORDER BY ${q.id} LIMIT ${batchRows}`;
    const result = await conn.run(sql);
    const ids: bigint[] = [];
    const x = new Float64Array(batchRows * width);
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      const idVec = chunk.getColumnVector(0);
      for (let i = 0; i < n; i++) {
        const id = idVec.getItem(i);
        ids.push(typeof id === 'bigint' ? id : BigInt(Number(id)));
      }
      for (let j = 0; j < width; j++) {
        const vec = chunk.getColumnVector(j + 1);
        for (let i = 0; i < n; i++) {
          const v = vec.getItem(i);
          x[(rows + i) * width + j] = typeof v === 'number' ? v : Number(v ?? 0);
        }
      }
      rows += n;
    }
    if (rows > 0) yield { ids, x: x.subarray(0, rows * width), rows, width };
    if (rows < batchRows) return;
    after = ids[rows - 1]!;
  }
}
