/** Writes a run's DuckDB file with synthetic breaks, for tests of the DuckDB break source. */
import { openDuckDB } from '../../duckdb/open.ts';

/** Writes a run file with `n` synthetic breaks and their attributions (the tables the run writes). */
export async function writeRunFile(path: string, n: number, withAttributions = true): Promise<void> {
  const db = await openDuckDB({ path });
  try {
    const c = db.connection;
    // The same values as syntheticBreak, computed in SQL (no JS loop over rows).
    await c.run(`CREATE TABLE breaks AS
      SELECT i::BIGINT AS break_id, 'T' || lpad(i::VARCHAR, 6, '0') AS key,
             ['amount', 'trade_date', 'counterparty'][(i % 3) + 1] AS field,
             CASE WHEN i % 17 = 0 THEN 'MISSING_IN_B' ELSE 'MISMATCH' END AS diff_type, NULL::VARCHAR AS side,
             CASE WHEN i % 3 = 0 THEN '100.00' ELSE 'A' END AS value_a,
             CASE WHEN i % 3 = 0 THEN '100.0' || (i % 5) ELSE 'B' END AS value_b,
             CASE WHEN i % 3 = 0 THEN '0.0' || (i % 5) ELSE NULL END AS delta,
             CASE WHEN i % 3 = 0 THEN 'decimal' ELSE 'string' END AS field_type,
             i AS rid_a, i AS rid_b
        FROM range(1, ${n + 1}) t(i)`);
    if (withAttributions) {
      await c.run(`CREATE TABLE attributions AS
        SELECT i::BIGINT AS break_id,
               CASE WHEN i % 4 <> 0 THEN s ELSE 'UNKNOWN' END AS reason,
               CASE WHEN i % 4 <> 0 THEN 0.95 ELSE 0.5 END AS confidence,
               CASE WHEN i % 4 <> 0 THEN 'AUTO' ELSE 'REVIEW' END AS status,
               s AS suggested_reason, '[]'::JSON AS top_features
          FROM (SELECT i, CASE WHEN i % 11 = 0 THEN NULL
                               ELSE ['ROUNDING_DIFF', 'TIMING_DIFF', 'FX_DIFF', 'SCALE_DIFF', 'STATIC_DATA'][(i % 5) + 1] END AS s
                  FROM range(1, ${n + 1}) t(i))`);
    }
  } finally {
    db.close();
  }
}
