import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne } from '../duckdb/open.ts';
import type { CheckResult } from './integrity.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

/**
 * Where every source row of a side went. Each row is in exactly one bucket:
 *   matched:    compared one-to-one with a record of the other side;
 *   missing:    the other side has no record with its key (MISSING_IN_B for A);
 *   counterpartRejected: the other side's record with its key was rejected
 *               (a REJECTED_IN_B break naming A's row; a REJECTED_IN_B break
 *               naming no A row is B's rejected record alone, in B's rejected bucket);
 *   duplicate:  its key is duplicated on either side (a DUPLICATE_KEY break);
 *   ambiguous:  matching runs only: tied between candidates under a rule (an AMBIGUOUS break);
 *   rejected:   it could not be read or cast (in `rejects`).
 * A matching run (engine/match) has no join: matched is the rows in `matches`,
 * missing the unmatched rows, and a row's id is duplicated on its own side only.
 * `matched` comes from the staged tables (on a cluster run, the rows the cluster
 * compared) and the join, the other buckets from the breaks and the rejects, so a
 * row the breaks lose shows as a shortfall.
 */
export interface SideBuckets {
  source: number;
  matched: number;
  missing: number;
  counterpartRejected: number;
  duplicate: number;
  ambiguous: number;
  rejected: number;
}

export interface SideTotals {
  side: 'a' | 'b';
  /** Records in the file, counted independently of the loader. */
  sourceRecords: number;
  /** Structural rejects plus cast rejects. */
  rejected: number;
  /**
   * A cluster run: the rows the cluster compared (held there, key duplicated on neither side;
   * clickhouse/cluster-checks.ts), so `matched` is counted from what the diff ran on. Absent:
   * counted from the staged view.
   */
  compared?: number | undefined;
}

/**
 * Counts both sides' buckets after the diff (needs `a`, `b`, `dup_keys`, `joined`
 * and `breaks`) or, for a matching run, after matching (needs `matches` and
 * `breaks`). Only "matched" is counted differently; the other buckets are the
 * breaks (a keyed run has no AMBIGUOUS break, a matching run no REJECTED_IN_*).
 */
export async function countBuckets(conn: DuckDBConnection, a: SideTotals, b: SideTotals, mode: 'key' | 'match' = 'key'): Promise<{ a: SideBuckets; b: SideBuckets }> {
  const compared = (side: 'a' | 'b'): string => {
    const onCluster = (side === 'a' ? a : b).compared;
    return onCluster !== undefined ? String(onCluster) : `(SELECT count(*) FROM ${side} WHERE NOT __bad AND __key NOT IN (SELECT __key FROM ${RUN_TABLES.dupKeys}))`;
  };
  const matched = (side: 'a' | 'b'): string =>
    mode === 'match'
      ? `(SELECT count(DISTINCT rid) FROM ${RUN_TABLES.matches} WHERE side = '${side}')`
      : `${compared(side)} - (SELECT count(*) FROM joined WHERE rid_${side === 'a' ? 'b' : 'a'} IS NULL)`;
  const r = await queryOne<Record<string, string>>(
    conn,
    `SELECT ${matched('a')} AS matched_a,
            ${matched('b')} AS matched_b,
            count(*) FILTER (WHERE diff_type = 'MISSING_IN_B') AS missing_a,
            count(*) FILTER (WHERE diff_type = 'MISSING_IN_A') AS missing_b,
            count(*) FILTER (WHERE diff_type = 'REJECTED_IN_B' AND rid_a IS NOT NULL) AS counterpart_rejected_a,
            count(*) FILTER (WHERE diff_type = 'REJECTED_IN_A' AND rid_b IS NOT NULL) AS counterpart_rejected_b,
            count(*) FILTER (WHERE diff_type = 'DUPLICATE_KEY' AND side = 'a') AS duplicate_a,
            count(*) FILTER (WHERE diff_type = 'DUPLICATE_KEY' AND side = 'b') AS duplicate_b,
            count(*) FILTER (WHERE diff_type = 'AMBIGUOUS' AND side = 'a') AS ambiguous_a,
            count(*) FILTER (WHERE diff_type = 'AMBIGUOUS' AND side = 'b') AS ambiguous_b
       FROM ${RUN_TABLES.breaks} WHERE field = '*'`,
  );
  const side = (t: SideTotals): SideBuckets => ({
    source: t.sourceRecords,
    matched: Number(r[`matched_${t.side}`]),
    missing: Number(r[`missing_${t.side}`]),
    counterpartRejected: Number(r[`counterpart_rejected_${t.side}`]),
    duplicate: Number(r[`duplicate_${t.side}`]),
    ambiguous: Number(r[`ambiguous_${t.side}`]),
    rejected: t.rejected,
  });
  return { a: side(a), b: side(b) };
}

/**
 * The check that the buckets add up to the source rows, and, for a keyed run,
 * that both sides agree on what matched (one-to-one); a matching run's groups
 * pair different numbers of rows on each side.
 */
export function rowsAccountedCheck(side: 'a' | 'b', own: SideBuckets, other: SideBuckets, mode: 'key' | 'match' = 'key'): CheckResult {
  const actual = own.matched + own.missing + own.counterpartRejected + own.duplicate + own.ambiguous + own.rejected;
  const agree = mode === 'match' || own.matched === other.matched;
  const passed = actual === own.source && agree;
  const S = side.toUpperCase();
  const parts =
    mode === 'match'
      ? `${own.matched} matched + ${own.missing} unmatched + ${own.ambiguous} ambiguous + ${own.duplicate} with a duplicated id + ${own.rejected} rejected`
      : `${own.matched} matched + ${own.missing} missing on the other side + ${own.counterpartRejected} whose counterpart was rejected + ${own.duplicate} duplicate + ${own.rejected} rejected`;
  return {
    name: `rows_accounted_${side}`,
    type: 'COUNT',
    side,
    expected: String(own.source),
    actual: String(actual),
    passed,
    discrepancy: String(actual - own.source),
    message: passed
      ? `${S}: ${own.source} source rows = ${parts}`
      : agree
        ? `${S}: ${own.source} source rows but ${parts} = ${actual}`
        : `${S}: ${own.matched} matched on ${S} but ${other.matched} on the other side`,
  };
}

/** The run summary's counts of records, per bucket and side. */
export interface RunCounts {
  a: number;
  b: number;
  matched: number;
  matchedExact: number;
  matchedWithinTolerance: number;
  matchedWithBreaks: number;
  /** B records with no A record of their key (MISSING_IN_A breaks). */
  missingInA: number;
  missingInB: number;
  /** B records whose A record was rejected (REJECTED_IN_A breaks naming a B row). */
  rejectedInA: number;
  rejectedInB: number;
  /** Keys that appear more than once on the side. */
  duplicateKeysA: number;
  duplicateKeysB: number;
  /** Rows of the side whose key is duplicated on either side (DUPLICATE_KEY breaks). */
  duplicateRowsA: number;
  duplicateRowsB: number;
  /** Rows of the side that could not be read or cast. */
  rejectedA: number;
  rejectedB: number;
}

/** The summary's counts: the row buckets of both sides (see checks/row-accounting.ts) and the matched records' split. */
export async function runCounts(conn: DuckDBConnection, buckets: { a: SideBuckets; b: SideBuckets }, matched: { withBreaks: number; withinOnly: number }): Promise<RunCounts> {
  const d = await queryOne<{ da: string; db: string }>(
    conn,
    `SELECT count(*) FILTER (WHERE side = 'a') AS da, count(*) FILTER (WHERE side = 'b') AS db FROM ${RUN_TABLES.dupKeys}`,
  );
  const { a, b } = buckets;
  const withBreaks = matched.withBreaks;
  const within = matched.withinOnly;
  return {
    a: a.source,
    b: b.source,
    matched: a.matched,
    matchedExact: a.matched - withBreaks - within,
    matchedWithinTolerance: within,
    matchedWithBreaks: withBreaks,
    missingInA: b.missing,
    missingInB: a.missing,
    rejectedInA: b.counterpartRejected,
    rejectedInB: a.counterpartRejected,
    duplicateKeysA: Number(d.da),
    duplicateKeysB: Number(d.db),
    duplicateRowsA: a.duplicate,
    duplicateRowsB: b.duplicate,
    rejectedA: a.rejected,
    rejectedB: b.rejected,
  };
}
