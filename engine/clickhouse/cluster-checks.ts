import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import type { ClusterSideChecks } from '../checks/integrity.ts';
import type { ResolvedDefinition } from '../definition/resolve.ts';
import { comparedFields } from '../diff/sql.ts';
import { CLICKHOUSE } from '../sql/dialect.ts';
import { ReconError } from '../errors/recon-error.ts';
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
 */
export async function readClusterChecks(
  conn: DuckDBConnection,
  client: ClickHouseClient,
  resolved: ResolvedDefinition,
  side: 'a' | 'b',
  where: { database: string; runId: string; dir: string },
): Promise<ClusterSideChecks> {
  const dist = clusterTables(where.database, where.runId).dist(side);
  const [rows = '', keyHash = ''] = (await client.exec(`SELECT count(), ${CLICKHOUSE.keyHashSum('__key_text')} FROM ${dist} FORMAT TabSeparated`)).trim().split('\t');
  if (!/^\d+$/.test(rows) || !/^\d+$/.test(keyHash)) throw new ReconError('CLUSTER_QUERY_FAILED', `ClickHouse did not count the rows of ${side.toUpperCase()}`);
  const decimals = resolved.fields.filter((f) => f.type === 'decimal');
  const compared = comparedFields(resolved);
  // A decimal field that is not compared (or is a key) does not cross: its totals stay the workstation's.
  if (decimals.length === 0 || decimals.some((f) => !compared.includes(f))) return { rows: Number(rows), keyHash };
  const table = `__cluster_totals_${side}`;
  const file = join(where.dir, `totals_${side}.csv`);
  const ccy = resolved.currencyField ? `ifNull(__ccy, '(none)')` : `'ALL'`;
  const sums = decimals.map((f, i) => `sum(${side}${compared.indexOf(f)}) AS s${i}`);
  // HAVING: 18.16 gives a GROUP BY of a constant ('ALL') one row over no rows, and the local query none.
  await client.queryToFile(`SELECT ${ccy} AS ccy, ${sums.join(', ')} FROM ${dist} GROUP BY ccy HAVING count() > 0 FORMAT CSV`, file);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM ${readClusterCsv(file, ['ccy', ...decimals.map((_, i) => `s${i}`)])}`);
  return { rows: Number(rows), keyHash, totalsTable: table };
}
