/**
 * A synthetic run with N breaks, built in seconds with DuckDB SQL: the same
 * tables and shapes a real run writes (a, b, breaks, checks, rejects,
 * run_info, attributions) and its `<run-id>.json` summary, so the grid can be
 * measured at 1,000,000 breaks without generating and reconciling files.
 *
 * The breaks table is written like the diff writes it: break_id from
 * row_number() over (key, field), with insertion order not preserved.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDuckDB, queryRows } from '../engine/duckdb/open.ts';

export interface SyntheticRunOptions {
  workspace: string;
  runId: string;
  breaks: number;
  /** Also write an `attributions` table (default true). */
  attributions?: boolean;
}

const FIELDS = ['Notional', 'Price', 'SettleDate', 'TradeDate', 'Counterparty', 'Side', 'Book', 'ISIN', 'Quantity'];
const REASONS = ['ROUNDING_DIFF', 'TIMING_DIFF', 'FX_DIFF', 'SCALE_DIFF', 'SIGN_FLIP', 'STATIC_DATA', 'UNKNOWN'];

/** Writes `<workspace>/runs/<runId>.duckdb` and `.json`; returns the database path. */
export async function createSyntheticRun(opts: SyntheticRunOptions): Promise<string> {
  const runsDir = join(opts.workspace, 'runs');
  await mkdir(runsDir, { recursive: true });
  const dbPath = join(runsDir, `${opts.runId}.duckdb`);
  const records = Math.ceil(opts.breaks / 2);
  await rm(dbPath, { force: true });
  await rm(`${dbPath}.wal`, { force: true });
  const db = await openDuckDB({ path: dbPath });
  const c = db.connection;
  try {
    await c.run('SET preserve_insertion_order = false');
    const fieldList = `[${FIELDS.map((f) => `'${f}'`).join(', ')}]`;
    const recordSql = (side: 'a' | 'b'): string => `
      CREATE TABLE ${side} AS
      SELECT i AS __rid, 'T' || lpad(CAST(i AS VARCHAR), 9, '0') AS TradeID,
             DATE '2026-01-02' + CAST(i % 200 AS INTEGER) AS TradeDate,
             DATE '2026-01-04' + CAST(i % 200 AS INTEGER) ${side === 'b' ? "+ CAST(i % 7 = 0 AS INTEGER)" : ''} AS SettleDate,
             CASE WHEN i % 2 = 0 THEN 'BUY' ELSE 'SELL' END AS Side,
             'CPTY' || (i % 97) AS Counterparty, 'XS' || lpad(CAST(i % 5000 AS VARCHAR), 10, '0') AS ISIN,
             CAST(100 + i % 900 AS BIGINT) AS Quantity,
             CAST(10 + (i % 10000) / 100.0 ${side === 'b' ? '+ 0.0001' : ''} AS DECIMAL(18, 4)) AS Price,
             CAST((100 + i % 900) * (10 + (i % 10000) / 100.0) ${side === 'b' ? '+ 0.05' : ''} AS DECIMAL(18, 2)) AS Notional,
             CASE WHEN i % 3 = 0 THEN 'EUR' ELSE 'USD' END AS Currency, 'BOOK' || (i % 12) AS Book,
             'T' || lpad(CAST(i AS VARCHAR), 9, '0') AS __key, 'T' || lpad(CAST(i AS VARCHAR), 9, '0') AS __key_text, false AS __bad
        FROM range(${records}) t(i)`;
    await c.run(recordSql('a'));
    await c.run(recordSql('b'));
    await c.run(`
      CREATE TABLE breaks AS
      SELECT row_number() OVER (ORDER BY key, field) AS break_id, key, field, diff_type, side, value_a, value_b, delta, field_type, rid_a, rid_b
        FROM (
          SELECT 'T' || lpad(CAST(i // 2 AS VARCHAR), 9, '0') AS key,
                 CASE WHEN i % 50 = 0 THEN '*' ELSE ${fieldList}[1 + CAST((hash(i) % ${FIELDS.length}) AS INTEGER)] END AS field,
                 CASE WHEN i % 50 = 0 THEN (CASE WHEN i % 100 = 0 THEN 'MISSING_IN_A' ELSE 'MISSING_IN_B' END) ELSE 'MISMATCH' END AS diff_type,
                 NULL::VARCHAR AS side,
                 CAST(round(CAST(hash(i) % 1000000 AS BIGINT) / 100.0, 2) AS VARCHAR) AS value_a,
                 CAST(round(CAST(hash(i) % 1000000 AS BIGINT) / 100.0 + (CAST(hash(i * 7) % 2001 AS BIGINT) - 1000) / 100.0, 2) AS VARCHAR) AS value_b,
                 CAST(round((CAST(hash(i * 7) % 2001 AS BIGINT) - 1000) / 100.0, 2) AS VARCHAR) AS delta,
                 'decimal' AS field_type, i // 2 AS rid_a, i // 2 AS rid_b
            FROM range(${opts.breaks}) t(i))`);
    if (opts.attributions !== false) {
      const reasons = `[${REASONS.map((r) => `'${r}'`).join(', ')}]`;
      await c.run(`
        CREATE TABLE attributions AS
        SELECT break_id, CASE WHEN conf >= 0.9 THEN r ELSE 'UNKNOWN' END AS reason, conf AS confidence,
               CASE WHEN conf >= 0.9 THEN 'AUTO' ELSE 'REVIEW' END AS status, r AS suggested_reason,
               '[{"feature":"abs_delta","weight":0.42},{"feature":"ratio_log10","weight":0.21}]'::JSON AS top_features
          FROM (SELECT break_id, ${reasons}[1 + CAST(hash(break_id) % ${REASONS.length - 1} AS INTEGER)] AS r,
                       round(CAST(hash(break_id * 3) % 1000 AS BIGINT) / 1000.0, 3) AS conf FROM breaks)`);
    }
    await c.run(`CREATE TABLE checks (name VARCHAR NOT NULL, type VARCHAR NOT NULL, side VARCHAR NOT NULL, expected VARCHAR, actual VARCHAR,
                   passed BOOLEAN NOT NULL, discrepancy VARCHAR, message VARCHAR)`);
    await c.run(`CREATE TABLE rejects (side VARCHAR NOT NULL, file VARCHAR NOT NULL, line BIGINT, column_name VARCHAR, raw_value VARCHAR,
                   reason VARCHAR NOT NULL, error_type VARCHAR NOT NULL)`);
    const byType = await queryRows<{ k: string; n: string }>(c, 'SELECT diff_type AS k, count(*) AS n FROM breaks GROUP BY 1');
    const byField = await queryRows<{ k: string; n: string }>(c, 'SELECT field AS k, count(*) AS n FROM breaks GROUP BY 1');
    const now = new Date().toISOString();
    const toRecord = (rows: { k: string; n: string }[]): Record<string, number> => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
    const file = (side: string): { path: string; bytes: number; sha256: string; format: string } => ({ path: `/synthetic/${side}.csv`, bytes: 0, sha256: '', format: 'csv' });
    const summary = {
      runId: opts.runId,
      definition: 'Synthetic (benchmark)',
      status: 'COMPLETED',
      startedAt: now,
      finishedAt: now,
      database: dbPath,
      inputs: { a: file('a'), b: file('b') },
      counts: {
        a: records, b: records, matched: records, matchedExact: 0, matchedWithinTolerance: 0, matchedWithBreaks: records,
        missingInA: 0, missingInB: 0, duplicateKeysA: 0, duplicateKeysB: 0, rejectedA: 0, rejectedB: 0,
      },
      breaks: { total: opts.breaks, byField: toRecord(byField), byType: toRecord(byType) },
      withinTolerance: { byField: {} },
      rejects: { a: 0, b: 0, sample: [] },
      checks: [],
      checksPassed: true,
      controlTotals: [],
      warnings: { a: [], b: [] },
      timings: {},
    };
    const definition = { name: 'Synthetic (benchmark)', key: ['TradeID'], fields: FIELDS.map((name) => ({ name, type: 'string' })) };
    await c.run('CREATE TABLE run_info AS SELECT $1::VARCHAR AS run_id, $2::JSON AS definition, $3::JSON AS summary', [
      opts.runId,
      JSON.stringify(definition),
      JSON.stringify(summary),
    ]);
    await writeFile(join(runsDir, `${opts.runId}.json`), `${JSON.stringify(summary, null, 2)}\n`);
    return dbPath;
  } finally {
    db.close();
  }
}
