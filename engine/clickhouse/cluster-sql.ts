import type { ResolvedDefinition, ResolvedField } from '../definition/resolve.ts';
import { beyondTolerance, comparedFields } from '../diff/sql.ts';
import { missingCase } from '../contract/guards.ts';
import { CLICKHOUSE } from '../sql/dialect.ts';
import { ident, literal } from '../sql/quote.ts';

/**
 * The SQL of a cluster run, on both ends of the wire. The workstation ships
 * each side's staged, typed values as CSV, or with `--cluster-normalize` its raw
 * text to the nodes' raw tables, which the nodes normalize
 * (normalize-on-cluster.ts); either way the rows land in a MergeTree table per shard behind a
 * Distributed table sharded by cityHash64(__key), so every row of a key is on
 * one shard; the duplicate keys and the join run shard by shard, and only the
 * pairs that differ come back. Columns in ClickHouse are positional (`a0`,
 * `b0`, …): no name from a user's file is ever spelled in ClickHouse SQL.
 *
 * Values travel in forms both engines hold exactly: decimals and integers as
 * their decimal text into Decimal(38, s), dates as day numbers and timestamps as
 * microseconds since 1970-01-01 (see sql/dialect.ts), booleans as 0/1.
 */

/** How one field's typed value crosses: its ClickHouse column type, DuckDB's export of it and the import back. */
interface Wire {
  chType: string;
  /** DuckDB: the staged value as the text ClickHouse reads. */
  out(x: string): string;
  /** DuckDB: the text ClickHouse wrote back as the field's own type. */
  back(v: string): string;
  /** Strings are quoted in the CSV, so '' and NULL (\N) stay apart. */
  quoted: boolean;
}

export function wireOf(f: ResolvedField): Wire {
  switch (f.type) {
    case 'string':
      return { chType: 'Nullable(String)', out: (x) => x, back: (v) => v, quoted: true };
    case 'integer':
      return { chType: 'Nullable(Decimal(38, 0))', out: (x) => `CAST(${x} AS VARCHAR)`, back: (v) => `CAST(${v} AS HUGEINT)`, quoted: false };
    case 'decimal':
      return { chType: `Nullable(Decimal(38, ${f.scale}))`, out: (x) => `CAST(${x} AS VARCHAR)`, back: (v) => `CAST(${v} AS DECIMAL(38, ${f.scale}))`, quoted: false };
    case 'date':
      return { chType: 'Nullable(Int32)', out: (x) => `date_diff('day', DATE '1970-01-01', ${x})`, back: (v) => `CAST(DATE '1970-01-01' + CAST(${v} AS INTEGER) AS DATE)`, quoted: false };
    case 'timestamp':
      return { chType: 'Nullable(Int64)', out: (x) => `epoch_us(${x})`, back: (v) => `make_timestamp(CAST(${v} AS BIGINT))`, quoted: false };
    case 'boolean':
      return { chType: 'Nullable(UInt8)', out: (x) => `CAST(${x} AS INTEGER)`, back: (v) => `(CAST(${v} AS INTEGER) = 1)`, quoted: false };
    default:
      return missingCase(f.type);
  }
}

/** The run's tables in ClickHouse: `<prefix>_a` (each shard's rows) and `<prefix>_a_dist` (all of them), the same for b. */
export function clusterTables(
  database: string,
  runId: string,
): { local(side: 'a' | 'b'): string; dist(side: 'a' | 'b'): string; raw(side: 'a' | 'b'): string } {
  const prefix = `${database}.recon_${runId.replace(/[^A-Za-z0-9_]/g, '_')}`;
  return { local: (s) => `${prefix}_${s}`, dist: (s) => `${prefix}_${s}_dist`, raw: (s) => `${prefix}_raw_${s}` };
}

/** DDL on every node: the side's local table, then the Distributed table over the cluster's local tables. */
export function createTableSql(resolved: ResolvedDefinition, side: 'a' | 'b', database: string, runId: string, clusterName: string): string[] {
  const t = clusterTables(database, runId);
  const cols = ['__key String', `rid_${side} UInt64`, ...comparedFields(resolved).map((f, i) => `${side}${i} ${wireOf(f).chType}`), ...checkColumns(resolved).map((c) => c.ddl)];
  const local = t.local(side);
  return [
    // No sort order: the join builds a hash table and the duplicate search groups, neither reads in key order.
    `CREATE TABLE ${local} (${cols.join(', ')}) ENGINE = MergeTree() ORDER BY tuple()`,
    `CREATE TABLE ${t.dist(side)} AS ${local} ENGINE = Distributed(${clusterName}, ${database}, ${local.slice(database.length + 1)}, cityHash64(__key))`,
    // The raw text of the node's share of the side's records, which it normalizes (normalize-on-cluster.ts).
    `CREATE TABLE ${t.raw(side)} (rid UInt64, ${resolved.fields.map((_, i) => `r${i} Nullable(String)`).join(', ')}) ENGINE = MergeTree() ORDER BY tuple()`,
  ];
}

export function dropTableSql(database: string, runId: string): string[] {
  const t = clusterTables(database, runId);
  return (['a', 'b'] as const).flatMap((s) => [`DROP TABLE IF EXISTS ${t.dist(s)}`, `DROP TABLE IF EXISTS ${t.local(s)}`, `DROP TABLE IF EXISTS ${t.raw(s)}`]);
}

/**
 * DuckDB: the raw text of the side's records (every field the definition reads, as
 * the file spells it) with their position (rid), as CSV files for ClickHouse,
 * `parts` files in folders `__part=<n>` under `dir`. `raw` is a table of the
 * record's raw columns in file order (its rowid is the position).
 */
export function rawExportSql(resolved: ResolvedDefinition, raw: string, base: string, dir: string, parts: number): string {
  const cols = resolved.fields.map((_, i) => `r${i}`);
  return `COPY (SELECT rowid - ${base} AS rid, ${cols.join(', ')}, (rowid - ${base}) % ${parts} AS __part FROM ${raw})
            TO ${literal(dir)} (FORMAT csv, HEADER false, NULLSTR '\\N', FORCE_QUOTE (${cols.join(', ')}), PARTITION_BY (__part))`;
}

/**
 * DuckDB: the side's staged, typed compared values with the local key, as CSV files
 * for the side's Distributed table (the default cluster run: normalized here),
 * `parts` files in folders `__part=<n>` under `dir`. Rejected rows stay home: they
 * are not compared (their breaks come from the rejects).
 */
export function typedExportSql(resolved: ResolvedDefinition, side: 'a' | 'b', dir: string, parts: number): string {
  const fields = comparedFields(resolved).map((f, i) => ({ f, i, w: wireOf(f) }));
  const checks = checkColumns(resolved);
  const cols = ['__key', '__rid', ...fields.map(({ f, i, w }) => `${w.out(`${side}.${ident(f.name)}`)} AS c${i}`), ...checks.map((c) => `${c.duck} AS ${c.name}`)];
  const quoted = ['__key', ...fields.filter(({ w }) => w.quoted).map(({ i }) => `c${i}`), ...checks.map((c) => c.name)];
  return `COPY (SELECT ${cols.join(', ')}, __rid % ${parts} AS __part FROM ${side} WHERE NOT __bad)
            TO ${literal(dir)} (FORMAT csv, HEADER false, NULLSTR '\\N', FORCE_QUOTE (${quoted.join(', ')}), PARTITION_BY (__part))`;
}

/**
 * The columns the integrity checks read on the cluster (cluster-checks.ts), after the compared values: the key
 * as the file spells it (the key hash) and, with a currency field, its value (control totals per currency).
 * `duck` is the staged view's column the default path sends.
 */
export function checkColumns(resolved: ResolvedDefinition): { name: string; ddl: string; duck: string }[] {
  const ccy = resolved.currencyField;
  return [
    { name: '__key_text', ddl: '__key_text String', duck: '__key_text' },
    ...(ccy ? [{ name: '__ccy', ddl: '__ccy Nullable(String)', duck: `CAST(${ident(ccy.name)} AS VARCHAR)` }] : []),
  ];
}

/** ClickHouse: the keys on more than one of a side's rows, each shard for its own keys (distributed_group_by_no_merge). */
export function duplicateKeysSql(database: string, runId: string): string {
  const t = clusterTables(database, runId);
  // With one of the key's rows: the workstation spells the key as its own staging does.
  return `SELECT 'a' AS side, count() AS n, any(rid_a) AS rid FROM ${t.dist('a')} GROUP BY __key HAVING count() > 1
          UNION ALL
          SELECT 'b' AS side, count() AS n, any(rid_b) AS rid FROM ${t.dist('b')} GROUP BY __key HAVING count() > 1
          FORMAT CSV`;
}

/**
 * ClickHouse: the full outer join on the key, shard-local, with each compared
 * field's flags from the same definition the local diff uses (`beyondTolerance`
 * in ClickHouse's dialect), keeping only pairs missing on a side or differing
 * somewhere: the shape `joinedSql` (diff/sql.ts) takes. Pairs of duplicated keys
 * come back too (the few there are) and are dropped at home, as the local diff
 * drops them before its join.
 */
export function pairsSql(resolved: ResolvedDefinition, database: string, runId: string): string {
  const t = clusterTables(database, runId);
  const fields = comparedFields(resolved).map((f, i) => ({ f, i }));
  const both = 'isNotNull(rid_a) AND isNotNull(rid_b)';
  const cols = [
    'if(isNull(rid_a), key_b, __key) AS k',
    'rid_a',
    'rid_b',
    ...fields.flatMap(({ i }) => [`a${i}`, `b${i}`]),
    ...fields.flatMap(({ f, i }) => [`(${both} AND ${beyondTolerance(f, `a${i}`, `b${i}`, CLICKHOUSE)}) AS m${i}`, `(${both} AND ${CLICKHOUSE.distinct(`a${i}`, `b${i}`)}) AS x${i}`]),
  ];
  const right = ['__key', '__key AS key_b', 'rid_b', ...fields.map(({ i }) => `b${i}`)];
  return `SELECT ${cols.join(', ')}
            FROM ${t.dist('a')} ALL FULL OUTER JOIN (SELECT ${right.join(', ')} FROM ${t.dist('b')}) USING __key
           WHERE isNull(rid_a) OR isNull(rid_b)${fields.map(({ i }) => ` OR x${i}`).join('')}
           FORMAT CSV`;
}

/**
 * DuckDB: reads a CSV ClickHouse wrote (strings quoted, NULL as an unquoted \N) with
 * every column as text. Records end in "\n": told so, since a value holding "\r\n"
 * otherwise makes DuckDB's strict parser take the file for one with mixed line ends.
 */
export function readClusterCsv(path: string, columns: readonly string[]): string {
  const cols = `{${columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`;
  return `read_csv(${literal(path)}, columns = ${cols}, header = false, delim = ',', quote = '"', escape = '"', nullstr = '\\N', allow_quoted_nulls = false, auto_detect = false, new_line = '\\n')`;
}

/** DuckDB: the downloaded pairs typed back as the staged fields, in the shape `joinedSql` takes, without duplicated keys. */
export function pairsFromCsvSql(resolved: ResolvedDefinition, path: string, dupKeysTable: string): string {
  const fields = comparedFields(resolved).map((f, i) => ({ f, i, w: wireOf(f) }));
  const columns = ['k', 'rid_a', 'rid_b', ...fields.flatMap(({ i }) => [`a${i}`, `b${i}`]), ...fields.flatMap(({ i }) => [`m${i}`, `x${i}`])];
  // The key as the workstation's staging spells it, by rid: the cluster's key is an exact encoding, not that text.
  const typed = [
    'coalesce(ka.__key, kb.__key) AS __key',
    'CAST(p.rid_a AS BIGINT) AS rid_a',
    'CAST(p.rid_b AS BIGINT) AS rid_b',
    ...fields.flatMap(({ i, w }) => [`${w.back(`a${i}`)} AS a${i}`, `${w.back(`b${i}`)} AS b${i}`]),
    ...fields.flatMap(({ i }) => [`coalesce(m${i} = '1', false) AS m${i}`, `coalesce(x${i} = '1', false) AS x${i}`]),
  ];
  return `SELECT * FROM (SELECT ${typed.join(', ')} FROM ${readClusterCsv(path, columns)} p
                           LEFT JOIN a ka ON ka.__rid = CAST(p.rid_a AS BIGINT) LEFT JOIN b kb ON kb.__rid = CAST(p.rid_b AS BIGINT))
           WHERE __key NOT IN (SELECT __key FROM ${dupKeysTable})`;
}

/**
 * What the cluster must hold of a side after normalizing, on both engines: the row
 * count and, per compared field, the values present and an exact sum. A row lost, or
 * a value read differently by the two normalizations, is caught before the diff runs
 * on it. `duck` reads the local staged view, `clickhouse` the Distributed table.
 */
export function loadedTotalsSql(resolved: ResolvedDefinition, side: 'a' | 'b', database: string, runId: string): { duck: string; clickhouse: string; names: string[] } {
  const fields = comparedFields(resolved).map((f, i) => ({ f, i }));
  // Every compared field sums: numbers exactly, dates as day numbers, timestamps as microseconds,
  // booleans as 0/1 and text by its length in bytes; so a value normalized differently shows.
  const duckSum = (f: ResolvedField, x: string): string =>
    f.type === 'string' ? `strlen(${x})` : f.type === 'date' || f.type === 'timestamp' || f.type === 'boolean' ? wireOf(f).out(x) : x;
  const chSum = (f: ResolvedField, x: string): string =>
    f.type === 'string' ? `length(${x})` : f.type === 'date' || f.type === 'timestamp' || f.type === 'boolean' ? `toDecimal128(${x}, 0)` : x;
  const names = ['rows', ...fields.flatMap(({ i }) => [`n${i}`, `s${i}`])];
  const duck = [
    'CAST(count(*) AS VARCHAR) AS rows',
    ...fields.flatMap(({ f, i }) => [`CAST(count(${ident(f.name)}) AS VARCHAR) AS n${i}`, `CAST(sum(${duckSum(f, ident(f.name))}) AS VARCHAR) AS s${i}`]),
  ];
  const ch = ['count() AS rows', ...fields.flatMap(({ f, i }) => [`count(${side}${i}) AS n${i}`, `sum(${chSum(f, `${side}${i}`)}) AS s${i}`])];
  return {
    duck: `SELECT ${duck.join(', ')} FROM ${side} WHERE NOT __bad`,
    clickhouse: `SELECT ${ch.join(', ')} FROM ${clusterTables(database, runId).dist(side)} FORMAT TabSeparated`,
    names,
  };
}

/** A decimal's text with its trailing fractional zeros dropped ("12.50" and "12.5" alike; no sum is "0"): current ClickHouse prints decimals so. */
export function sameNumberText(text: string | null): string {
  if (text === null || text === '' || text === '\\N') return '0';
  const t = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  return t === '-0' ? '0' : t;
}
