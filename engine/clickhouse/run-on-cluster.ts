import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedDefinition } from '../definition/resolve.ts';
import { breaksStatement, joinedSql } from '../diff/sql.ts';
import { queryOne } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import type { Keychain } from '../sync/credentials.ts';
import { ClickHouseClient } from './client.ts';
import { clusterTables, createTableSql, dropTableSql, duplicateKeysSql, exportSql, loadedTotalsSql, pairsFromCsvSql, pairsSql, readClusterCsv, sameNumberText } from './cluster-sql.ts';
import { clusterNodes, type ClusterTarget } from './cluster-target.ts';

/**
 * The diff of a keyed run on a ClickHouse cluster (`recon run --engine
 * clickhouse`), in place of the local diff's statements. The workstation has
 * read and normalized both sides (so rejects, line numbers and every check are
 * the local engine's own); this ships each side's compared rows to the
 * cluster, several INSERTs at a time, finds the duplicate keys and joins the
 * sides there shard by shard, and downloads only the pairs that differ. From
 * those it builds `dup_keys`, `joined` and `breaks` with the local diff's own
 * statements (diff/sql.ts), so the run file is a normal one: attribution,
 * review, audit and sync read it unchanged. The run's tables are dropped from
 * the cluster whatever happens.
 */
export interface ClusterDiffOptions {
  runId: string;
  scratchDir: string;
  onStep?: (label: string, fraction: number) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  keychain?: Keychain;
  /** For the run's timings: milliseconds per step. */
  timings?: Record<string, number>;
}

export async function diffOnCluster(conn: DuckDBConnection, resolved: ResolvedDefinition, target: ClusterTarget, opts: ClusterDiffOptions): Promise<void> {
  const keychain = opts.keychain ?? (await import('../sync/credentials.ts')).osKeychain();
  const clients = clusterNodes(target, opts.env ?? process.env, keychain).map((n) => new ClickHouseClient(n, opts.signal));
  const step = opts.onStep ?? (() => undefined);
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      if (opts.timings) opts.timings[name] = Math.round(performance.now() - t0);
    }
  };
  const checkCancelled = (): void => {
    if (opts.signal?.aborted) throw new ReconError('RUN_CANCELLED', `run ${opts.runId} was cancelled`);
  };
  const dir = join(opts.scratchDir, 'cluster');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { database, clusterName } = target;
  const first = clients[0]!;

  step('Cluster: connecting', 0);
  await checkShards(first, target, clients.length);
  let created = false;
  try {
    step('Cluster: creating tables', 0);
    created = true;
    for (const c of clients) {
      for (const side of ['a', 'b'] as const) for (const sql of createTableSql(resolved, side, database, opts.runId, clusterName)) await c.exec(sql);
    }
    checkCancelled();

    // Two INSERTs per node at a time: each is parsed by the node it is sent to and
    // forwarded to the shards by key (insert_distributed_sync: done when they hold it).
    const parts = clients.length * 2;
    for (const side of ['a', 'b'] as const) {
      const label = `Cluster: loading ${side.toUpperCase()}`;
      step(label, 0);
      await timed(`clusterLoad${side.toUpperCase()}`, async () => {
        const sideDir = join(dir, side);
        await conn.run(exportSql(resolved, side, sideDir, parts));
        const files = await partFiles(sideDir);
        let done = 0;
        await Promise.all(
          files.map(async (file, i) => {
            await clients[i % clients.length]!.insertFile(clusterTables(database, opts.runId).dist(side), 'CSV', file);
            step(label, ++done / files.length);
          }),
        );
        await rm(sideDir, { recursive: true, force: true });
      });
      await checkLoaded(conn, first, resolved, side, database, opts.runId);
      checkCancelled();
    }

    step('Cluster: duplicate keys', 0);
    await timed('clusterDiff', async () => {
      const dupFile = join(dir, 'dup_keys.csv');
      await first.queryToFile(duplicateKeysSql(database, opts.runId), dupFile, { distributed_group_by_no_merge: '1' });
      await conn.run(
        `CREATE OR REPLACE TABLE ${RUN_TABLES.dupKeys} AS SELECT side, __key, CAST(n AS BIGINT) AS n FROM ${readClusterCsv(dupFile, ['side', '__key', 'n'])}`,
      );
      checkCancelled();
      step('Cluster: join', 0);
      const pairsFile = join(dir, 'pairs.csv');
      await first.queryToFile(pairsSql(resolved, database, opts.runId), pairsFile);
      checkCancelled();
      step('Cluster: breaks', 0);
      await conn.run(joinedSql(resolved, pairsFromCsvSql(resolved, pairsFile, RUN_TABLES.dupKeys)));
    });
    await conn.run(breaksStatement(resolved).sql);
  } finally {
    if (created) await dropTables(clients, database, opts.runId);
    await rm(dir, { recursive: true, force: true });
  }
}

/** `recon cluster test`: every node answers with the login, and the cluster has one shard per node given. */
export async function testCluster(target: ClusterTarget, env: NodeJS.ProcessEnv = process.env, keychain?: Keychain): Promise<{ shards: number; version: string }> {
  const clients = clusterNodes(target, env, keychain ?? (await import('../sync/credentials.ts')).osKeychain()).map((n) => new ClickHouseClient(n));
  const versions = await Promise.all(clients.map((c) => c.exec('SELECT version() FORMAT TabSeparated')));
  await checkShards(clients[0]!, target, clients.length);
  return { shards: clients.length, version: versions[0]!.trim() };
}

/** The cluster the nodes name must have one shard per node given, or rows would go to shards no table was created on. */
async function checkShards(client: ClickHouseClient, target: ClusterTarget, nodes: number): Promise<void> {
  const out = await client.exec(`SELECT count(DISTINCT shard_num) FROM system.clusters WHERE cluster = '${target.clusterName}' FORMAT TabSeparated`);
  const shards = Number(out.trim());
  if (shards === 0) throw new ReconError('CLUSTER_QUERY_FAILED', `ClickHouse ${target.nodes[0]}: no cluster "${target.clusterName}" in its <remote_servers> (--cluster-name)`);
  if (shards !== nodes) {
    throw new ReconError('INVALID_ARGUMENT', `--cluster: cluster "${target.clusterName}" has ${shards} shard(s); give the HTTP URL of one node of each (${nodes} given)`);
  }
}

/** The rows the cluster holds must be the rows sent, value for value in count and sum: a short load is a lost load, not a smaller recon. */
async function checkLoaded(conn: DuckDBConnection, client: ClickHouseClient, resolved: ResolvedDefinition, side: 'a' | 'b', database: string, runId: string): Promise<void> {
  const sql = loadedTotalsSql(resolved, side, database, runId);
  const local = await queryOne<Record<string, string | null>>(conn, sql.duck);
  const held = (await client.exec(sql.clickhouse)).replace(/\n$/, '').split('\t');
  const differ = sql.names.filter((name, i) => sameNumberText(local[name] ?? null) !== sameNumberText(held[i] ?? null));
  if (differ.length > 0) {
    const what = differ.map((name) => `${name} ${local[name] ?? 'NULL'} sent, ${held[sql.names.indexOf(name)] ?? '?'} held`).join('; ');
    throw new ReconError('CLUSTER_QUERY_FAILED', `ClickHouse does not hold what was loaded of side ${side.toUpperCase()} (${what})`);
  }
}

async function partFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const part of await readdir(dir)) for (const f of await readdir(join(dir, part))) out.push(join(dir, part, f));
  return out.sort();
}

/** Drops the run's tables on every node; a node that cannot be reached now keeps them (named after the run) and is not the run's failure. */
async function dropTables(clients: ClickHouseClient[], database: string, runId: string): Promise<void> {
  await Promise.all(
    clients.map(async (c) => {
      // Without the run's signal: a cancelled run drops its tables too.
      const client = new ClickHouseClient(c.node);
      for (const sql of dropTableSql(database, runId)) {
        try {
          await client.exec(sql);
        } catch {
          // Reported by the step that failed, if any; a leftover table is named after its run.
        }
      }
    }),
  );
}
