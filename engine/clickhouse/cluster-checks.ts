import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import type { ClusterSideChecks } from '../checks/integrity.ts';
import type { ResolvedDefinition } from '../definition/resolve.ts';
import { comparedFields } from '../diff/sql.ts';
import { CLICKHOUSE } from '../sql/dialect.ts';
import { queryRows } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import type { ClickHouseClient } from './client.ts';
import { clusterTables, readClusterCsv } from './cluster-sql.ts';

/**
 * The integrity checks' reads of what the cluster holds of a side, taken there
 * before its tables are dropped: the rows it compared, the key hash of their keys
 * as the files spell them (the same hash as the local check: sql/dialect.ts
 * keyHashSum) and, per currency, the sum of every decimal field. The checks
 * (checks/integrity.ts) then count, hash and total the cluster's rows, not the
 * workstation's staging. Rejected rows never reach the side's table: the
 * workstation adds its own (with --cluster-normalize, checkRejects has required
 * the cluster's rejects to be those, cell for cell).
 *
 * The same read counts the rows the cluster compared (row accounting's `matched`
 * bucket, checks/row-accounting.ts): those whose key no side holds twice. Needs
 * `dup_keys`, `a` and `b` (the diff's), for the keys only rejected rows duplicate.
 */
export async function readClusterChecks(
  conn: DuckDBConnection,
  client: ClickHouseClient,
  resolved: ResolvedDefinition,
  side: 'a' | 'b',
  where: { database: string; runId: string; dir: string },
): Promise<ClusterSideChecks> {
  const tables = clusterTables(where.database, where.runId);
  const dist = tables.dist(side);
  const compared = await comparedCountSql(conn, side, tables);
  const sql = `SELECT count(), ${CLICKHOUSE.keyHashSum('__key_text')}, ${compared} FROM ${dist} FORMAT TabSeparated`;
  // A long list of rids is one literal, but the parser's limit counts its bytes.
  const [rows = '', keyHash = '', comparedRows = ''] = (await client.exec(sql, { max_query_size: String(Math.max(262_144, sql.length + 1024)) })).trim().split('\t');
  if (![rows, keyHash, comparedRows].every((n) => /^\d+$/.test(n))) throw new ReconError('CLUSTER_QUERY_FAILED', `ClickHouse did not count the rows of ${side.toUpperCase()}`);
  const counted = { rows: Number(rows), keyHash, compared: Number(comparedRows) };
  const decimals = resolved.fields.filter((f) => f.type === 'decimal');
  const fields = comparedFields(resolved);
  // A decimal field that is not compared (or is a key) does not cross: its totals stay the workstation's.
  if (decimals.length === 0 || decimals.some((f) => !fields.includes(f))) return counted;
  const table = `__cluster_totals_${side}`;
  const file = join(where.dir, `totals_${side}.csv`);
  const ccy = resolved.currencyField ? `ifNull(__ccy, '(none)')` : `'ALL'`;
  const sums = decimals.map((f, i) => `sum(${side}${fields.indexOf(f)}) AS s${i}`);
  // HAVING: 18.16 gives a GROUP BY of a constant ('ALL') one row over no rows, and the local query none.
  await client.queryToFile(`SELECT ${ccy} AS ccy, ${sums.join(', ')} FROM ${dist} GROUP BY ccy HAVING count() > 0 FORMAT CSV`, file);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM ${readClusterCsv(file, ['ccy', ...decimals.map((_, i) => `s${i}`)])}`);
  return { ...counted, totalsTable: table };
}

/**
 * ClickHouse: the count of the side's rows whose key no side holds twice, as the local
 * diff compares them (diff/sql.ts: keys in `dup_keys` are not joined). Each shard finds
 * its own duplicates (distributed_product_mode = local: the tables are sharded by the
 * key). A key that a rejected row duplicates is known at home only (rejected rows never
 * reach the cluster), and its spelling there may differ from the cluster's encoding:
 * the rows the cluster holds of such keys are left out by rid, a list as short as the
 * rejects are.
 */
async function comparedCountSql(conn: DuckDBConnection, side: 'a' | 'b', tables: ReturnType<typeof clusterTables>): Promise<string> {
  const rid = `rid_${side}`;
  const duplicated = (['a', 'b'] as const).map((s) => `SELECT __key FROM ${tables.dist(s)} GROUP BY __key HAVING count() > 1`).join(' UNION ALL ');
  const rids = await rejectedDuplicateRids(conn, side);
  const byRejects = rids.length > 0 ? ` AND ${rid} NOT IN (SELECT toUInt64(arrayJoin([${rids.join(', ')}])))` : '';
  return `countIf(__key NOT IN (${duplicated})${byRejects})`;
}

/** The rids of the side's loaded (not rejected) rows whose key `dup_keys` holds only because rejected rows share it. */
async function rejectedDuplicateRids(conn: DuckDBConnection, side: 'a' | 'b'): Promise<string[]> {
  const rows = await queryRows<{ rid: string }>(
    conn,
    `WITH dup AS (SELECT DISTINCT __key FROM ${RUN_TABLES.dupKeys}),
          held AS (SELECT 'a' AS side, __key, __rid FROM a WHERE NOT __bad AND __key IN (SELECT __key FROM dup)
                   UNION ALL
                   SELECT 'b' AS side, __key, __rid FROM b WHERE NOT __bad AND __key IN (SELECT __key FROM dup)),
          held_twice AS (SELECT __key FROM held GROUP BY side, __key HAVING count(*) > 1)
     SELECT CAST(__rid AS VARCHAR) AS rid FROM held WHERE side = '${side}' AND __key NOT IN (SELECT __key FROM held_twice) ORDER BY __rid`,
  );
  return rows.map((r) => r.rid);
}
