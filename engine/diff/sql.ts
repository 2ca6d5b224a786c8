import type { ResolvedDefinition, ResolvedField } from '../definition/resolve.ts';
import { ident, literal } from '../sql/quote.ts';
import { DUCKDB, type Dialect } from '../sql/dialect.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

/**
 * The keyed diff, as SQL over the staged tables `a` and `b`:
 *   1. a key duplicated on either side stays out of the one-to-one compare on
 *      both sides, since there is no single record to compare it with; every
 *      row of such a key, on both sides, becomes a DUPLICATE_KEY break with
 *      its side, so the other side's single row is accounted for too;
 *   2. one aggregate of both sides by `__key` (`keyedSql`) gives the duplicated
 *      keys, the keys on one side only (MISSING_IN_A / MISSING_IN_B) and the pairs
 *      whose compared values differ (by a hash of them); for those pairs alone the
 *      values are read and each compared field gets a flag "beyond tolerance" and
 *      "equal only within tolerance". A record missing on one side whose key is on a row that
 *      side rejected is REJECTED_IN_A / REJECTED_IN_B instead, with the
 *      reject's line and reason in that side's value: the record exists, its
 *      row did not parse;
 *   3. one MISMATCH break per (key, field) beyond tolerance.
 * Every loaded row so lands in one bucket: matched, missing, duplicate or
 * rejected (the rows_accounted check adds them up). NULL = NULL is equal;
 * NULL against a value is a break. Numbers are DECIMAL, so the compare is exact.
 */

/**
 * SQL for "x and y differ beyond tolerance" (x from A, y from B, both typed). The one
 * definition of a break for both engines: `dialect` spells it for DuckDB (the default,
 * byte for byte what the local diff always ran) or for ClickHouse (engine/clickhouse).
 */
export function beyondTolerance(field: ResolvedField, x: string, y: string, dialect: Dialect = DUCKDB): string {
  const differs = dialect.distinct(x, y);
  const within = withinTolerance(field, x, y, dialect);
  return within === undefined ? differs : `(${differs} AND NOT ${dialect.orFalse(within)})`;
}

/** SQL for "x and y (both non-NULL) are within the field's tolerance", or undefined when it has none. */
export function withinTolerance(field: ResolvedField, x: string, y: string, dialect: Dialect = DUCKDB): string | undefined {
  const t = field.tolerance;
  const parts: string[] = [];
  if ((field.type === 'decimal' || field.type === 'integer') && (t.abs !== undefined || t.rel !== undefined)) {
    // B − A of two accepted values near the ends of the type overflows: no tolerance holds such a difference.
    const number = { integer: field.type === 'integer', scale: field.type === 'decimal' ? (field.scale ?? 0) : 0 };
    if (t.abs !== undefined) parts.push(dialect.numberWithin(x, y, number, 'abs', t.abs));
    if (t.rel !== undefined) parts.push(dialect.numberWithin(x, y, number, 'rel', t.rel));
  }
  if (field.type === 'date' && t.days !== undefined && t.days > 0) {
    parts.push(`abs(${dialect.daysBetween(x, y)}) <= ${Math.trunc(t.days)}`);
  }
  if (field.type === 'timestamp' && t.days !== undefined && t.days > 0) {
    parts.push(dialect.withinSeconds(x, y, Math.trunc(t.days) * 86400));
  }
  if (parts.length === 0) return undefined;
  return `(${dialect.notNull(x)} AND ${dialect.notNull(y)} AND (${parts.join(' OR ')}))`;
}

/**
 * Exact delta B − A as text for numbers and dates (days); NULL otherwise, and
 * NULL where B − A does not fit the type (two accepted values near the ends of
 * DECIMAL(38) or a 128-bit integer): a delta that cannot be written exactly is
 * not written at all.
 */
export function deltaSql(field: ResolvedField, x: string, y: string): string {
  switch (field.type) {
    case 'decimal':
    case 'integer':
      return `CAST(TRY(${y} - ${x}) AS VARCHAR)`;
    case 'date':
      return `CAST(date_diff('day', ${x}, ${y}) AS VARCHAR)`;
    case 'timestamp':
      return `CAST(epoch(${y}) - epoch(${x}) AS VARCHAR)`;
    default:
      return 'NULL';
  }
}

/**
 * Every row of a side whose key is known: the staged rows, rejected ones included, and
 * the records the reader rejected whole whose key ingest/reject-keys.ts recovered. A key
 * is a side's duplicate whether or not one of its rows was rejected: its rows are not
 * one record to compare.
 */
const knownKeys = (side: 'a' | 'b', more: { staged: string; rejected: string } = { staged: '', rejected: '' }): string =>
  `SELECT __key${more.staged} FROM ${side} WHERE __key IS NOT NULL
   UNION ALL
   SELECT key${more.rejected} FROM ${RUN_TABLES.rejects} WHERE side = '${side}' AND rid IS NULL AND key IS NOT NULL`;

/** `dup_keys`: the keys that occur more than once among a side's rows whose key is known (a matching run's duplicated ids too). */
export const DUPLICATE_KEYS_SQL = `CREATE OR REPLACE TABLE ${RUN_TABLES.dupKeys} AS
            SELECT 'a' AS side, __key, count(*) AS n FROM (${knownKeys('a')}) GROUP BY __key HAVING count(*) > 1
            UNION ALL
            SELECT 'b' AS side, __key, count(*) AS n FROM (${knownKeys('b')}) GROUP BY __key HAVING count(*) > 1`;

/**
 * For a `dup_keys` built from the loaded rows only (a cluster run counts on the
 * cluster, which holds no rejected row): the keys of rejected rows counted again over
 * every row whose key is known, so `dup_keys` ends as DUPLICATE_KEYS_SQL makes it.
 */
export const REJECTED_DUPLICATE_KEYS_SQL = `CREATE OR REPLACE TABLE ${RUN_TABLES.dupKeys} AS
            WITH rejected AS (
              SELECT DISTINCT side, __key FROM (
                SELECT 'a' AS side, __key FROM a WHERE __bad AND __key IS NOT NULL
                UNION ALL
                SELECT 'b' AS side, __key FROM b WHERE __bad AND __key IS NOT NULL
                UNION ALL
                SELECT side, key FROM ${RUN_TABLES.rejects} WHERE rid IS NULL AND key IS NOT NULL)),
            recounted AS (
              SELECT k.side, k.__key, count(*) AS n
                FROM (SELECT 'a' AS side, __key FROM (${knownKeys('a')}) UNION ALL SELECT 'b' AS side, __key FROM (${knownKeys('b')})) k
                SEMI JOIN rejected r ON r.side = k.side AND r.__key = k.__key
               GROUP BY k.side, k.__key HAVING count(*) > 1)
            SELECT d.side, d.__key, d.n FROM ${RUN_TABLES.dupKeys} d ANTI JOIN recounted r ON r.side = d.side AND r.__key = d.__key
            UNION ALL
            SELECT side, __key, n FROM recounted`;

/**
 * `keyed`: per key known on either side (`knownKeys`), its rows on each side (`na`, `nb`),
 * its compared row on each (`rid_a`, `rid_b`: a row not rejected) and a hash of that row's
 * compared values; only the keys that are not a clean one-to-one match are kept: duplicated,
 * on one side only (or rejected on one), or whose hashes differ. Two rows whose compared
 * values are equal hash equally, so a pair left out matches exactly; different values hash
 * equally with a chance of 2^-64 per differing pair. One aggregate over both sides replaced
 * a duplicate count per side and a full outer join carrying every compared value, whose hash
 * tables spilled at 10M rows a side.
 */
function keyedSql(compared: readonly string[]): string {
  const hash = compared.length === 0 ? '0' : `hash(${compared.join(', ')})`;
  // A rejected row counts towards its key's duplicates but is not compared (no rid, no hash).
  const side = (s: 'a' | 'b', n: 0 | 1): string =>
    `SELECT ${n} AS s, * FROM (${knownKeys(s, { staged: `, CASE WHEN NOT __bad THEN __rid END AS rid, CASE WHEN NOT __bad THEN ${hash} END AS h`, rejected: ', NULL, NULL' })})`;
  return `CREATE OR REPLACE TEMP TABLE keyed AS
            SELECT __key, count(*) FILTER (WHERE s = 0) AS na, count(*) FILTER (WHERE s = 1) AS nb,
                   min(rid) FILTER (WHERE s = 0) AS rid_a, min(rid) FILTER (WHERE s = 1) AS rid_b,
                   min(h) FILTER (WHERE s = 0) AS ha, min(h) FILTER (WHERE s = 1) AS hb
              FROM (${side('a', 0)} UNION ALL ${side('b', 1)})
             GROUP BY __key
            HAVING na > 1 OR nb > 1 OR rid_a IS NULL OR rid_b IS NULL OR ha <> hb`;
}

export interface DiffSql {
  statements: { label: string; sql: string }[];
}

/** The statements of the diff, in order. Each creates one table in the run database. */
export function diffStatements(resolved: ResolvedDefinition): DiffSql {
  const fieldMeta = comparedFields(resolved).map((f, i) => ({ f, i, q: ident(f.name) }));

  // Flags are computed once per matched pair; values of breaking fields are
  // packed into a list so one unnest yields every MISMATCH row, in one pass.
  const values = fieldMeta.flatMap(({ i, q }) => [`a.${q} AS a${i}`, `b.${q} AS b${i}`]);
  const flags = fieldMeta.flatMap(({ f, i }) => [
    `(rid_a IS NOT NULL AND rid_b IS NOT NULL AND ${beyondTolerance(f, `a${i}`, `b${i}`)}) AS m${i}`,
    `(rid_a IS NOT NULL AND rid_b IS NOT NULL AND a${i} IS DISTINCT FROM b${i}) AS x${i}`,
  ]);
  const valueCols = fieldMeta.flatMap(({ i }) => [`a${i}`, `b${i}`]);

  // Each key's rows on both sides in one aggregate (KEYED_SQL): the duplicated keys, the keys
  // on one side only, and the pairs whose compared values hash differently. Only those pairs'
  // values are read for the compare; the rest match exactly.
  const statements = [
    { label: 'keys', sql: keyedSql(fieldMeta.map(({ q }) => q)) },
    {
      label: 'duplicate keys',
      sql: `CREATE OR REPLACE TABLE ${RUN_TABLES.dupKeys} AS
            SELECT 'a' AS side, __key, na AS n FROM keyed WHERE na > 1
            UNION ALL
            SELECT 'b' AS side, __key, nb AS n FROM keyed WHERE nb > 1`,
    },
    {
      label: 'join',
      sql: joinedSql(
        resolved,
        `SELECT __key, rid_a, rid_b${valueCols.length > 0 ? `, ${valueCols.join(', ')}` : ''}${flags.length > 0 ? `, ${flags.join(',\n')}` : ''}
               FROM (
                SELECT k.__key, k.rid_a, k.rid_b${values.length > 0 ? `, ${values.join(', ')}` : ''}
                  FROM (SELECT __key, rid_a, rid_b FROM keyed WHERE na <= 1 AND nb <= 1 AND (rid_a IS NOT NULL OR rid_b IS NOT NULL)) k
                  LEFT JOIN a ON a.__rid = k.rid_a
                  LEFT JOIN b ON b.__rid = k.rid_b)`,
      ),
    },
    breaksStatement(resolved),
  ];
  return { statements };
}

/**
 * `joined` from pairs that carry their flags: `__key`, `rid_a`, `rid_b`, the values
 * `a<i>`/`b<i>` and the flags `m<i>` (beyond tolerance) and `x<i>` (distinct) of every
 * compared field. The local diff computes the pairs with DuckDB's full outer join; a
 * cluster run (engine/clickhouse) computes them shard by shard and hands in only the
 * pairs that differ, so both build the same table from here on.
 */
export function joinedSql(resolved: ResolvedDefinition, pairs: string): string {
  const fieldMeta = comparedFields(resolved).map((f, i) => ({ f, i }));
  const packed = fieldMeta.map(
    ({ f, i }) => `CASE WHEN m${i} THEN
       {'ord': ${i + 1}, 'field': ${literal(f.name)}, 'value_a': CAST(a${i} AS VARCHAR), 'value_b': CAST(b${i} AS VARCHAR),
        'delta': ${deltaSql(f, `a${i}`, `b${i}`)}, 'field_type': ${literal(f.type)}} END`,
  );
  const outerFlags = fieldMeta.flatMap(({ i }) => [`m${i}`, `(x${i} AND NOT m${i}) AS w${i}`]);
  const diffs = fieldMeta.length > 0 ? `list_filter([${packed.join(', ')}], x -> x IS NOT NULL)` : '[]';
  const anyM = fieldMeta.length > 0 ? fieldMeta.map(({ i }) => `m${i}`).join(' OR ') : 'false';
  return `CREATE OR REPLACE TEMP TABLE joined AS
            SELECT __key, rid_a, rid_b${outerFlags.length > 0 ? `, ${outerFlags.join(', ')}` : ''},
                   CASE WHEN ${anyM} THEN ${diffs} END AS diffs
              FROM (
               ${pairs}
              )
             -- Only pairs that are missing or differ somewhere are kept: a clean
             -- match needs no row here (it is counted from the staged tables).
             WHERE rid_a IS NULL OR rid_b IS NULL${fieldMeta.map(({ i }) => ` OR x${i}`).join('')}`;
}

/**
 * `breaks` from `joined`, `dup_keys`, the staged views and `rejects` (the last statement of the diff, on either engine).
 * A rejected record with a known key is always in it: as REJECTED_IN_A/B beside the other
 * side's compared record of its key, or alone (the other side's value and row empty) when
 * there is none: the key is absent there, rejected there too, or duplicated.
 */
export function breaksStatement(resolved: ResolvedDefinition): { label: string; sql: string } {
  const fieldMeta = comparedFields(resolved);
  return {
      label: 'breaks',
      sql: `CREATE OR REPLACE TABLE ${RUN_TABLES.breaks} AS
            WITH ${rejectLinks('a')}, ${rejectLinks('b')}
            SELECT row_number() OVER (ORDER BY __key, ord, side, coalesce(rid_a, rid_b), diff_type) AS break_id,
                   __key AS key, field, diff_type, side, value_a, value_b, delta, field_type, rid_a, rid_b
              FROM (
                SELECT j.__key, '*' AS field, CASE WHEN rb.__key IS NULL THEN 'MISSING_IN_B' ELSE 'REJECTED_IN_B' END AS diff_type,
                       NULL::VARCHAR AS side, NULL::VARCHAR AS value_a, rb.link AS value_b, NULL::VARCHAR AS delta,
                       NULL::VARCHAR AS field_type, j.rid_a, rb.rid AS rid_b, 0 AS ord
                  FROM joined j LEFT JOIN rejected_b rb ON rb.__key = j.__key WHERE j.rid_b IS NULL
                UNION ALL
                SELECT j.__key, '*', CASE WHEN ra.__key IS NULL THEN 'MISSING_IN_A' ELSE 'REJECTED_IN_A' END, NULL, ra.link, NULL, NULL, NULL, ra.rid, j.rid_b, 0
                  FROM joined j LEFT JOIN rejected_a ra ON ra.__key = j.__key WHERE j.rid_a IS NULL
                UNION ALL
                -- Rejected records with no compared record of their key on the other side.
                SELECT ra.__key, '*', 'REJECTED_IN_A', NULL, ra.link, NULL, NULL, NULL, ra.rid, NULL, 0
                  FROM rejected_a ra ANTI JOIN (SELECT __key FROM joined WHERE rid_a IS NULL) j ON j.__key = ra.__key
                UNION ALL
                SELECT rb.__key, '*', 'REJECTED_IN_B', NULL, NULL, rb.link, NULL, NULL, NULL, rb.rid, 0
                  FROM rejected_b rb ANTI JOIN (SELECT __key FROM joined WHERE rid_b IS NULL) j ON j.__key = rb.__key
                UNION ALL
                SELECT s.__key, '*', 'DUPLICATE_KEY', 'a', NULL, NULL, NULL, NULL, s.__rid, NULL, 0
                  FROM a s WHERE NOT s.__bad AND s.__key IN (SELECT __key FROM ${RUN_TABLES.dupKeys})
                UNION ALL
                SELECT s.__key, '*', 'DUPLICATE_KEY', 'b', NULL, NULL, NULL, NULL, NULL, s.__rid, 0
                  FROM b s WHERE NOT s.__bad AND s.__key IN (SELECT __key FROM ${RUN_TABLES.dupKeys})${
                    // With nothing to compare but the key there are no MISMATCH rows (and `diffs` is an empty list).
                    fieldMeta.length === 0
                      ? ''
                      : `
                UNION ALL
                SELECT __key, d.field, 'MISMATCH', NULL, d.value_a, d.value_b, d.delta, d.field_type, rid_a, rid_b, d.ord
                  FROM (SELECT __key, rid_a, rid_b, unnest(diffs) AS d FROM joined WHERE diffs IS NOT NULL)`
                  }
              )`,
  };
}

/**
 * A CTE `rejected_<side>`: the keys of the side's rejected records (those whose key
 * could be read: a staged row that did not cast, or a record the reader rejected whole
 * whose key ingest/reject-keys.ts recovered), each with its first rejected staged row
 * (NULL for a record the reader rejected) and the rejects' lines and reasons
 * ("line 7: column "Price": expected a decimal number…, got "1,2,3"").
 */
function rejectLinks(side: 'a' | 'b'): string {
  return `rejected_${side} AS (
      SELECT __key, min(rid) AS rid, string_agg(link, '; ' ORDER BY line, column_name) AS link
        FROM (
          SELECT s.__key, s.__rid AS rid, r.line, r.column_name,
                 'line ' || coalesce(CAST(r.line AS VARCHAR), '?') || ': column "' || coalesce(r.column_name, '?') || '": ' || r.reason AS link
            FROM ${side} s LEFT JOIN ${RUN_TABLES.rejects} r ON r.side = '${side}' AND r.rid = s.__rid
           WHERE s.__bad AND s.__key IS NOT NULL
          UNION ALL
          -- A record the reader could not split: its line and reason; the column where the reader names one.
          SELECT r.key, NULL, r.line, r.column_name,
                 'line ' || coalesce(CAST(r.line AS VARCHAR), '?') || ': ' || CASE WHEN r.column_name IS NULL THEN '' ELSE 'column "' || r.column_name || '": ' END || r.reason
            FROM ${RUN_TABLES.rejects} r WHERE r.side = '${side}' AND r.rid IS NULL AND r.key IS NOT NULL)
       GROUP BY __key)`;
}

/** Keys compared one-to-one on a side: loaded, not rejected, not duplicated on either side. */
const COMPARED_A = `(SELECT count(*) FROM a WHERE NOT __bad AND __key NOT IN (SELECT __key FROM ${RUN_TABLES.dupKeys}))`;

/**
 * Per-field counts over matched records: breaks and equal-within-tolerance.
 * `joined` holds only pairs that differ, so matched = compared A keys − missing in B.
 */
export function fieldStatsSql(resolved: ResolvedDefinition): string {
  const compared = resolved.fields.filter((f) => f.compare && !f.isKey);
  const matched = `${COMPARED_A} - count(*) FILTER (WHERE rid_b IS NULL)`;
  if (compared.length === 0) {
    return `SELECT ${matched} AS matched, 0 AS with_breaks, 0 AS within_only FROM joined`;
  }
  const anyM = compared.map((_, i) => `m${i}`).join(' OR ');
  const anyW = compared.map((_, i) => `w${i}`).join(' OR ');
  const perField = compared.map((_, i) => `count(*) FILTER (WHERE w${i}) AS w${i}, count(*) FILTER (WHERE m${i}) AS m${i}`).join(', ');
  return `SELECT ${matched} AS matched,
                 count(*) FILTER (WHERE rid_a IS NOT NULL AND rid_b IS NOT NULL AND (${anyM})) AS with_breaks,
                 count(*) FILTER (WHERE rid_a IS NOT NULL AND rid_b IS NOT NULL AND NOT (${anyM}) AND (${anyW})) AS within_only,
                 ${perField}
            FROM joined`;
}

/** The compared (non-key) fields, in the order their flags m0.., w0.. appear. */
export function comparedFields(resolved: ResolvedDefinition): ResolvedField[] {
  return resolved.fields.filter((f) => f.compare && !f.isKey);
}
