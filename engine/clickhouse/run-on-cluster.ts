import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedDefinition } from '../definition/resolve.ts';
import { breaksStatement, comparedFields, joinedSql, REJECTED_DUPLICATE_KEYS_SQL } from '../diff/sql.ts';
import { queryOne } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import type { Keychain } from '../sync/credentials.ts';
import { ClickHouseClient } from './client.ts';
import { clusterTables, createTableSql, dropTableSql, duplicateKeysSql, loadedTotalsSql, pairsFromCsvSql, pairsSql, rawExportSql, readClusterCsv, sameNumberText, typedExportSql } from './cluster-sql.ts';
import { clusterNodes, type ClusterTarget } from './cluster-target.ts';
import type { SourceOptions } from '../definition/schema.ts';
import type { LoadedSource } from '../ingest/load-source.ts';
import { fieldSql, trimSql } from '../normalize/sql.ts';
import { visibleTextSql } from '../normalize/visible-text.ts';
import { ident, literal } from '../sql/quote.ts';
import { clusterStageSql } from './normalize-on-cluster.ts';
import { readClusterChecks } from './cluster-checks.ts';
import type { ClusterSideChecks } from '../checks/integrity.ts';

/**
 * The diff of a keyed run on a ClickHouse cluster (`recon run --engine
 * clickhouse`), in place of the local diff's statements. The workstation has
 * read both sides (structural rejects, line map, input hashes) and staged them
 * locally too (see below). This ships each side's raw text (every field the
 * definition reads, with the record's position) to the nodes, several INSERTs at
 * a time; each node normalizes its rows with the ClickHouse spelling of the same
 * normalization (normalize-on-cluster.ts) into tables sharded by the key. The
 * cluster's normalization must agree with the local one, or the run fails and
 * says to run it locally: the same rejects (row, field, value and reason), the same
 * rows, values present and sums per field, and no value the engines read
 * differently. It then finds the duplicate keys and joins the sides there shard by
 * shard, and downloads only the pairs that differ.
 *
 * Why the workstation still stages both sides: every reader of a run file (the
 * review grid's record context, rules, series links, reports, training,
 * attribution) reads the staged `a`/`b` by rid and key, and the checks read them.
 * Keeping them makes the run file a normal one and makes the local staging the
 * proof of the cluster's; a billion-row run would keep only the rows of records
 * with a break (docs/SCALE.md). From
 * those it builds `dup_keys`, `joined` and `breaks` with the local diff's own
 * statements (diff/sql.ts), so the run file is a normal one: attribution,
 * review, audit and sync read it unchanged. The run's tables are dropped from
 * the cluster whatever happens.
 */
export interface ClusterDiffOptions {
  runId: string;
  /** Each side's loaded source (its raw relation) and options, for the cluster's normalization. */
  sides: { a: { loaded: LoadedSource; source: SourceOptions }; b: { loaded: LoadedSource; source: SourceOptions } };
  scratchDir: string;
  onStep?: (label: string, fraction: number) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  keychain?: Keychain;
  /** For the run's timings: milliseconds per step. */
  timings?: Record<string, number>;
}

/**
 * For tests only: called with the first node's client and the run's tables just before the integrity checks
 * read the cluster, so a test can change what the cluster holds and see a check fail.
 */
export const clusterTestHooks: { beforeChecks?: (client: ClickHouseClient, tables: ReturnType<typeof clusterTables>) => Promise<void> } = {};

/** Runs the diff on the cluster; returns what the integrity checks read of each side there (checks/integrity.ts). */
export async function diffOnCluster(
  conn: DuckDBConnection,
  resolved: ResolvedDefinition,
  target: ClusterTarget,
  opts: ClusterDiffOptions,
): Promise<{ a: ClusterSideChecks; b: ClusterSideChecks }> {
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

    // Two INSERTs per node at a time. By default each side's staged, typed values go to its
    // Distributed table, which sends every row to the shard of its key (insert_distributed_sync:
    // done when they hold it). With --cluster-normalize the raw rows go to the nodes' own raw
    // tables, and each node normalizes its share into the Distributed table.
    const parts = clients.length * 2;
    const t = clusterTables(database, opts.runId);
    const onCluster = target.normalizeOnCluster === true;
    for (const side of ['a', 'b'] as const) {
      const label = `Cluster: loading ${side.toUpperCase()}`;
      step(label, 0);
      const { loaded, source } = opts.sides[side];
      await timed(`clusterLoad${side.toUpperCase()}`, async () => {
        const sideDir = join(dir, side);
        if (onCluster) await exportRaw(conn, resolved, loaded, side, sideDir, parts);
        else {
          await checkFitsWire(conn, resolved, side);
          await conn.run(typedExportSql(resolved, side, sideDir, parts));
        }
        const files = await partFiles(sideDir);
        let done = 0;
        await Promise.all(
          files.map(async (file, i) => {
            await clients[i % clients.length]!.insertFile(onCluster ? t.raw(side) : t.dist(side), 'CSV', file);
            step(label, ++done / files.length);
          }),
        );
        await rm(sideDir, { recursive: true, force: true });
      });
      checkCancelled();
      if (onCluster) {
        step(`Cluster: normalizing ${side.toUpperCase()}`, 0);
        const sql = clusterStageSql(resolved, side, source, loaded.file.format, { raw: t.raw(side), dist: t.dist(side) });
        // Timed apart (docs/SCALE.md): the count of values read differently, the staging insert, the rejects' read-back.
        const S = side.toUpperCase();
        await timed(`clusterNormalize${S}`, async () => {
          const refused = await timed(`clusterRefused${S}`, () => Promise.all(clients.map(async (c) => Number((await c.exec(sql.refused)).trim()))));
          const n = refused.reduce((x, y) => x + y, 0);
          if (!Number.isInteger(n)) throw new ReconError('CLUSTER_QUERY_FAILED', `ClickHouse did not count the values of ${side.toUpperCase()} it would read differently`);
          if (n > 0) {
            throw new ReconError(
              'INVALID_ARGUMENT',
              `--cluster-normalize: ${n} value(s) of ${side.toUpperCase()} would be normalized differently on ClickHouse (a case-folded text with a character such as ß or ı, or a number key beyond 2^63): leave out --cluster-normalize, or run it locally`,
            );
          }
          await timed(`clusterStage${S}`, () => Promise.all(clients.map((c) => c.exec(sql.insert))));
          await timed(`clusterRejects${S}`, () => checkRejects(conn, resolved, clients, sql.rejects, side, dir, opts.sides[side]));
        });
      }
      await timed(`clusterAgree${side.toUpperCase()}`, () => checkLoaded(conn, first, resolved, side, database, opts.runId));
      checkCancelled();
    }

    step('Cluster: duplicate keys', 0);
    await timed('clusterDiff', async () => {
      const dupFile = join(dir, 'dup_keys.csv');
      await first.queryToFile(duplicateKeysSql(database, opts.runId), dupFile, { distributed_group_by_no_merge: '1' });
      // The key as the local staging spells it, by one of its rows.
      await conn.run(
        `CREATE OR REPLACE TABLE ${RUN_TABLES.dupKeys} AS
         SELECT d.side, coalesce(ka.__key, kb.__key) AS __key, CAST(d.n AS BIGINT) AS n FROM ${readClusterCsv(dupFile, ['side', 'n', 'rid'])} d
           LEFT JOIN a ka ON d.side = 'a' AND ka.__rid = CAST(d.rid AS BIGINT) LEFT JOIN b kb ON d.side = 'b' AND kb.__rid = CAST(d.rid AS BIGINT)`,
      );
      // The cluster holds no rejected row: keys that rejected rows duplicate are counted at home.
      await conn.run(REJECTED_DUPLICATE_KEYS_SQL);
      checkCancelled();
      step('Cluster: join', 0);
      const pairsFile = join(dir, 'pairs.csv');
      await first.queryToFile(pairsSql(resolved, database, opts.runId), pairsFile);
      checkCancelled();
      step('Cluster: breaks', 0);
      await conn.run(joinedSql(resolved, pairsFromCsvSql(resolved, pairsFile, RUN_TABLES.dupKeys)));
    });
    await conn.run(breaksStatement(resolved).sql);
    step('Cluster: integrity checks', 0);
    return await timed('clusterChecks', async () => {
      await clusterTestHooks.beforeChecks?.(first, clusterTables(database, opts.runId));
      const where = { database, runId: opts.runId, dir };
      return { a: await readClusterChecks(conn, first, resolved, 'a', where), b: await readClusterChecks(conn, first, resolved, 'b', where) };
    });
  } finally {
    if (created) await dropTables(clients, database, opts.runId);
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The wire holds integers as Decimal(38, 0): a staged 39-digit whole number (DuckDB's
 * HUGEINT goes to 1.7 × 10^38) cannot cross, and the run says so rather than fail on
 * ClickHouse's parse of it.
 */
async function checkFitsWire(conn: DuckDBConnection, resolved: ResolvedDefinition, side: 'a' | 'b'): Promise<void> {
  const integers = comparedFields(resolved).filter((x) => x.type === 'integer');
  if (integers.length === 0) return;
  // One scan of the side for every integer field.
  const limit = `CAST('100000000000000000000000000000000000000' AS HUGEINT)`;
  const counts = await queryOne<Record<string, string>>(
    conn,
    `SELECT ${integers.map((f, i) => `CAST(count(*) FILTER (WHERE abs(${ident(f.name)}) >= ${limit}) AS VARCHAR) AS n${i}`).join(', ')} FROM ${side} WHERE NOT __bad`,
  );
  integers.forEach((f, i) => {
    const n = counts[`n${i}`];
    if (n !== '0') {
      throw new ReconError('INVALID_ARGUMENT', `--engine clickhouse: field "${f.name}" of ${side.toUpperCase()} has ${n} whole number(s) of 39 digits, beyond the cluster's Decimal(38, 0): run it locally`);
    }
  });
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

/**
 * The side's raw text as CSV parts: every field's column as the file spells it,
 * re-read from the loader's raw relation in file order, so a row's position is the
 * rid the local staging gave the same record.
 */
async function exportRaw(conn: DuckDBConnection, resolved: ResolvedDefinition, loaded: LoadedSource, side: 'a' | 'b', dir: string, parts: number): Promise<void> {
  const raw = `__cluster_raw_${side}`;
  const col = (i: number): string => ident(side === 'a' ? resolved.fields[i]!.aColumn : resolved.fields[i]!.bColumn);
  await conn.run('SET preserve_insertion_order = true');
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT ${resolved.fields.map((_, i) => `${col(i)} AS r${i}`).join(', ')} FROM ${loaded.rawRelation}`);
  } finally {
    await conn.run('SET preserve_insertion_order = false');
  }
  try {
    const { base, n, staged } = await queryOne<{ base: string; n: string; staged: string }>(
      conn,
      `SELECT CAST(coalesce(min(rowid), 0) AS VARCHAR) AS base, CAST(count(*) AS VARCHAR) AS n, (SELECT CAST(count(*) AS VARCHAR) FROM ${side}) AS staged FROM ${raw}`,
    );
    if (n !== staged) throw new ReconError('CLUSTER_QUERY_FAILED', `side ${side.toUpperCase()}: ${n} records read for the cluster but ${staged} staged`);
    // Record for record in the staging's order: the cluster's rids name the local rows (pairs, rejects, keys).
    const keyText = resolved.keyFields.map((k) => `coalesce(${trimSql(`r.r${resolved.fields.indexOf(k)}`)}, '')`).join(` || '|' || `);
    const { moved } = await queryOne<{ moved: string }>(
      conn,
      `SELECT CAST(count(*) AS VARCHAR) AS moved FROM ${raw} r LEFT JOIN ${side} s ON s.__rid = r.rowid - ${BigInt(base).toString()}
        WHERE s.__key_text IS DISTINCT FROM ${keyText}`,
    );
    if (moved !== '0') throw new ReconError('CLUSTER_QUERY_FAILED', `side ${side.toUpperCase()}: ${moved} record(s) read for the cluster are not where the staging has them`);
    await conn.run(rawExportSql(resolved, raw, BigInt(base).toString(), dir, parts));
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${raw}`);
  }
}

/**
 * The cluster's rejects of a side must be the local staging's, cell for cell: the
 * row, the field, the raw value and the reason text the user sees. A difference is a
 * value the engines read differently, and the run stops rather than differ.
 */
async function checkRejects(
  conn: DuckDBConnection,
  resolved: ResolvedDefinition,
  clients: ClickHouseClient[],
  sql: string,
  side: 'a' | 'b',
  dir: string,
  { loaded, source }: { loaded: LoadedSource; source: SourceOptions },
): Promise<void> {
  const files = clients.map((_, i) => join(dir, `rejects_${side}_${i}.csv`));
  await Promise.all(clients.map((c, i) => c.queryToFile(sql, files[i]!)));
  // The reason text, spelled as stage.ts's writeCastRejects spells it, from the cluster's kind of failure.
  const reason = resolved.fields
    .map((f, i) => {
      const fs = fieldSql(f, side, source, loaded.file.format);
      return `WHEN ord = '${i}' THEN (CASE kind WHEN 'E' THEN ${literal(`key field "${f.name}" is empty`)} WHEN 'A' THEN ${literal(fs.adjust?.failure ?? '')}
                 WHEN 'X' THEN ${literal(`expected ${fs.expected}`)} ELSE kind END)`;
    })
    .join(' ');
  const column = resolved.fields.map((f, i) => `WHEN ord = '${i}' THEN ${literal(side === 'a' ? f.aColumn : f.bColumn)}`).join(' ');
  const cluster = `SELECT CAST(rid AS BIGINT) AS rid, CASE ${column} END AS column_name, raw AS raw_value,
                          CASE ${reason} END || CASE WHEN raw IS NULL THEN '' ELSE ', got "' || ${visibleTextSql('raw')} || '"' END AS reason,
                          CASE WHEN kind = 'E' THEN 'EMPTY_KEY' ELSE 'CAST' END AS error_type
                     FROM ${readClusterCsv(files[0]!, ['rid', 'ord', 'raw', 'kind']).replace(literal(files[0]!), `[${files.map(literal).join(', ')}]`)}`;
  const local = `SELECT rid, column_name, raw_value, reason, error_type FROM rejects WHERE side = '${side}' AND rid IS NOT NULL`;
  const diff = await queryOne<{ n: string; first: string | null }>(
    conn,
    `SELECT CAST(count(*) AS VARCHAR) AS n, min(column_name || ': ' || coalesce(raw_value, 'NULL')) AS first
       FROM ((${cluster} EXCEPT ALL ${local}) UNION ALL (${local} EXCEPT ALL ${cluster}))`,
  );
  if (diff.n !== '0') {
    throw new ReconError(
      'CLUSTER_QUERY_FAILED',
      `ClickHouse normalized side ${side.toUpperCase()} differently from the local engine (${diff.n} reject(s) differ; first: ${diff.first}): leave out --cluster-normalize, or run it locally`,
    );
  }
}
