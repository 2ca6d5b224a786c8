import type { DuckDBConnection } from '@duckdb/node-api';
import type { ResolvedDefinition, ResolvedField } from '../definition/resolve.ts';
import type { SourceOptions } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { DUCKDB } from '../sql/dialect.ts';
import { hashSum, type LoadedSource } from '../ingest/load-source.ts';
import { trimSql } from '../normalize/sql.ts';
import type { StagedSource } from '../normalize/stage.ts';
import { ident } from '../sql/quote.ts';
import { controlTotalChecks, pairControlTotals, type ControlTotal, type SideControlTotal } from './control-totals.ts';
import { countBuckets, rowsAccountedCheck, type SideBuckets, type SideTotals } from './row-accounting.ts';

/**
 * Integrity checks after seed 004: each records expected, actual, passed and
 * discrepancy, so a run can prove that every input row is accounted for.
 */
export type CheckType = 'COUNT' | 'UNIQUENESS' | 'AMOUNT_TOTAL' | 'HASH';

export interface CheckResult {
  name: string;
  type: CheckType;
  side: 'a' | 'b';
  expected: string;
  actual: string;
  passed: boolean;
  discrepancy: string | null;
  message: string;
}

export interface SideInputs {
  loaded: LoadedSource;
  staged: StagedSource;
  source: SourceOptions;
  /** A wide definition's staging (normalize/wide.ts) sums its control totals itself, in the rows the query below gives. */
  controlTotalRows?: (decimals: readonly ResolvedField[], currency: ResolvedField | undefined) => Promise<Record<string, string>[]>;
  /** The key-only source read of the key hash check, started ahead of the checks (startSourceKeyHashes); used if the file had no structural reject. */
  sourceKeyHash?: Promise<string> | undefined;
  /** A run on a ClickHouse cluster: what the cluster holds of the side (clickhouse/cluster-checks.ts), which the checks read in place of the local staging's compared rows. */
  onCluster?: ClusterSideChecks | undefined;
}

/**
 * The side's compared (not rejected) rows as the cluster holds them: their count, the key hash of their keys
 * as the file spells them, and a TEMP table of the decimal fields' sums per currency (`ccy`, `s0`, `s1`, … in
 * the order of the definition's decimal fields, as text), absent when the workstation totals them itself.
 */
export interface ClusterSideChecks {
  rows: number;
  keyHash: string;
  /** Of those rows, the ones whose key is duplicated on neither side: the rows the cluster's diff compared (row accounting's `matched`). */
  compared: number;
  totalsTable?: string;
}

export const CHECKS_DDL = `
CREATE TABLE IF NOT EXISTS checks (
  name VARCHAR NOT NULL, type VARCHAR NOT NULL, side VARCHAR NOT NULL,
  expected VARCHAR, actual VARCHAR, passed BOOLEAN NOT NULL, discrepancy VARCHAR, message VARCHAR
)`;

/** Runs every check for both sides and stores them in the `checks` table; also returns where every row went. */
export async function runIntegrityChecks(
  conn: DuckDBConnection,
  resolved: ResolvedDefinition,
  sides: readonly [SideInputs, SideInputs],
  /** "match" for a matching run (engine/match): rows are paired by rules, not joined on the key. */
  mode: 'key' | 'match' = 'key',
): Promise<{ checks: CheckResult[]; buckets: { a: SideBuckets; b: SideBuckets }; controlTotals: ControlTotal[] }> {
  const results: CheckResult[] = [];
  const sideTotals: SideControlTotal[] = [];
  for (const s of sides) {
    results.push(countCheck(s));
    results.push(...(await uniquenessCheck(conn, s)));
    const totals = await controlTotalChecks(conn, resolved, s);
    results.push(...totals.checks);
    sideTotals.push(...totals.totals);
    results.push(await keyHashCheck(conn, resolved, s));
  }
  const totals = (s: SideInputs): SideTotals => ({
    side: s.loaded.side,
    sourceRecords: s.loaded.sourceRecords,
    rejected: s.loaded.structuralRejects + s.staged.rejected,
    // On a cluster run, `matched` is counted from the rows the cluster compared.
    compared: s.onCluster?.compared,
  });
  const buckets = await countBuckets(conn, totals(sides[0]), totals(sides[1]), mode);
  results.push(rowsAccountedCheck('a', buckets.a, buckets.b, mode), rowsAccountedCheck('b', buckets.b, buckets.a, mode));
  await conn.run(CHECKS_DDL);
  await conn.run('DELETE FROM checks');
  if (results.length > 0) {
    // One statement for all rows: each auto-committed INSERT would sync the file.
    const placeholders = results.map((_, i) => `(${Array.from({ length: 8 }, (_, j) => `$${i * 8 + j + 1}`).join(', ')})`).join(', ');
    await conn.run(
      `INSERT INTO checks VALUES ${placeholders}`,
      results.flatMap((r) => [r.name, r.type, r.side, r.expected, r.actual, r.passed, r.discrepancy, r.message]),
    );
  }
  return { checks: results, buckets, controlTotals: pairControlTotals(sideTotals) };
}

function countCheck({ loaded, staged: local, onCluster }: SideInputs): CheckResult {
  // On a cluster run, the rows compared are those the cluster holds.
  const staged = { staged: onCluster ? onCluster.rows : local.staged, rejected: local.rejected };
  const rejected = loaded.structuralRejects + staged.rejected;
  const actual = staged.staged + rejected;
  const passed = actual === loaded.sourceRecords;
  const side = loaded.side.toUpperCase();
  return {
    name: `source_rows_${loaded.side}`,
    type: 'COUNT',
    side: loaded.side,
    expected: String(loaded.sourceRecords),
    actual: String(actual),
    passed,
    discrepancy: String(actual - loaded.sourceRecords),
    message: passed
      ? `${side}: ${loaded.sourceRecords} source rows = ${staged.staged} staged + ${rejected} rejected`
      : `${side}: ${loaded.sourceRecords} source rows but ${staged.staged} staged + ${rejected} rejected`,
  };
}

async function uniquenessCheck(conn: DuckDBConnection, { loaded }: SideInputs): Promise<CheckResult[]> {
  const [row] = await queryRows<{ keys: string; rows: string }>(
    conn,
    `SELECT count(*) AS keys, coalesce(sum(n), 0) AS rows FROM dup_keys WHERE side = $1`,
    [loaded.side],
  );
  const keys = Number(row?.keys ?? 0);
  const rows = Number(row?.rows ?? 0);
  return [
    {
      name: `key_unique_${loaded.side}`,
      type: 'UNIQUENESS',
      side: loaded.side,
      expected: '0',
      actual: String(rows),
      passed: rows === 0,
      discrepancy: String(rows),
      message: rows === 0 ? `${loaded.side.toUpperCase()}: every key is unique` : `${loaded.side.toUpperCase()}: ${keys} key(s) appear on ${rows} rows`,
    },
  ];
}


/** The source half of the key hash check: the independent read of the file's keys. */
function sourceKeyHashSql(resolved: ResolvedDefinition, loaded: LoadedSource, everyColumn: boolean, portable: boolean): string {
  const keyText = resolved.keyFields
    // The same trim as staging's __key_text (normalize/sql.ts), so the two cannot drift apart.
    .map((k) => `coalesce(${trimSql(ident(loaded.side === 'a' ? k.aColumn : k.bColumn), DUCKDB, loaded.onlySpacesPad)}, '')`)
    .join(` || '|' || `);
  return loaded.keyHashSql(keyText, { everyColumn, portable });
}

async function sourceKeyHash(conn: DuckDBConnection, resolved: ResolvedDefinition, loaded: LoadedSource, portable: boolean): Promise<string> {
  // A record the staging read rejected (invalid UTF-8 in another column, say) may be
  // read by a key-only read, which does not look at the other columns: after any
  // structural reject the independent read looks at every column too, so both
  // reads reject the same records and an intact key set still hashes equal.
  const [src] = await queryRows<{ expected: string }>(conn, sourceKeyHashSql(resolved, loaded, loaded.structuralRejects > 0, portable));
  return src?.expected ?? '0';
}

/** The key-only source reads started ahead of the checks: each side's promise (delimited files only), and how to stop them. */
export interface EarlyKeyHashes {
  a?: Promise<string>;
  b?: Promise<string>;
  /** Interrupts a read still running and waits until its connection is closed (before the database closes). */
  stop(): Promise<void>;
}

/** Formats whose source is a file DuckDB reads again (read_csv); the others' raw rows are a TEMP table of the run's own connection. */
const REREAD_FORMATS: ReadonlySet<string> = new Set(['csv', 'tsv', 'txt']);

/**
 * Starts the key hash check's independent reads of the delimited files on a
 * connection of their own, so they run while the staging statements leave a
 * core idle (~0.3 s a side at 1M rows that the checks no longer wait for).
 * They read key columns only, the read the check makes when the staging read
 * rejected no record; a side that had structural rejects is read again, every
 * column, by the check itself (keyHashCheck), as is one whose early read failed.
 *
 * They run in a DuckDB of their own, not the run's: DuckDB 1.5 fails FATALLY on a
 * read of some columns of a file whose skipped column holds bytes that are not
 * UTF-8 ("Attempted to access index 2 within vector of size 1"), which invalidates
 * its whole database. Here that only loses the early read: such a file has
 * structural rejects, so the check reads it again, every column.
 */
export function startSourceKeyHashes(resolved: ResolvedDefinition, sides: readonly LoadedSource[], opts: { portable: boolean; signal?: AbortSignal | undefined }): EarlyKeyHashes {
  const { portable, signal } = opts;
  const todo = sides.filter((l) => REREAD_FORMATS.has(l.file.format));
  if (todo.length === 0 || resolved.keyFields.length === 0) return { stop: async () => undefined };
  const opened = openDuckDB({ path: ':memory:', threads: 1, memoryLimit: '512MB' });
  const connection = opened.then((d) => d.connection);
  let conn: DuckDBConnection | undefined;
  let stopped = false;
  const onAbort = (): void => conn?.interrupt();
  signal?.addEventListener('abort', onAbort);
  const out: { a?: Promise<string>; b?: Promise<string> } = {};
  let chain: Promise<unknown> = connection.then((c) => (conn = c));
  for (const loaded of todo) {
    const result = chain.then(async () => {
      if (stopped || signal?.aborted) throw new Error('the run has stopped');
      const [src] = await queryRows<{ expected: string }>(conn!, sourceKeyHashSql(resolved, loaded, false, portable));
      return src?.expected ?? '0';
    });
    result.catch(() => undefined); // the check reads the file itself then
    out[loaded.side] = result;
    chain = result.catch(() => undefined);
  }
  const settled = chain.then(
    () => undefined,
    () => undefined,
  );
  return {
    ...out,
    async stop() {
      stopped = true;
      conn?.interrupt();
      await settled;
      signal?.removeEventListener('abort', onAbort);
      (await opened.catch(() => undefined))?.close();
    },
  };
}

/**
 * Order-independent hash of the key as the file spells it: an independent
 * read of the source (delimited files are read a second time, key columns
 * only) against every staged row, rejected ones included. It proves what the
 * row count cannot: that no record was lost while another was duplicated, and
 * that the staged rows are the file's records. The second read (~0.2 s per
 * million rows) is kept on purpose: a hash taken inside the staging statement
 * would only check that statement against itself.
 */
async function keyHashCheck(conn: DuckDBConnection, resolved: ResolvedDefinition, { loaded, staged, sourceKeyHash: early, onCluster }: SideInputs): Promise<CheckResult> {
  // A cluster run hashes with the function both engines share (onCluster); a local run with DuckDB's own.
  // The early read was started with the same choice (startSourceKeyHashes `portable`).
  const portable = onCluster !== undefined;
  const expected = (early !== undefined && loaded.structuralRejects === 0 ? await early.catch(() => undefined) : undefined) ?? (await sourceKeyHash(conn, resolved, loaded, portable));
  // On a cluster run, the compared rows' keys are hashed there, and the rejected rows' (which stay home) here:
  // the hash is a sum modulo 2^64, so the parts add up.
  const [stg] = await queryRows<{ actual: string }>(conn, `SELECT ${hashSum('__key_text', portable)} AS actual FROM ${staged.table}${onCluster ? ' WHERE __bad' : ''}`);
  const actual = onCluster ? ((BigInt(stg?.actual ?? '0') + BigInt(onCluster.keyHash)) % 2n ** 64n).toString() : (stg?.actual ?? '0');
  return {
    name: `key_hash_${loaded.side}`,
    type: 'HASH',
    side: loaded.side,
    expected,
    actual,
    passed: expected === actual,
    discrepancy: null,
    message: expected === actual ? `${loaded.side.toUpperCase()}: key hash of source and staged rows agree` : `${loaded.side.toUpperCase()}: key hash differs between source and staged rows`,
  };
}

