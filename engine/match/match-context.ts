import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne, runWithProgress } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { MatchColumns, Side } from './columns.ts';

/**
 * What every matching step shares: the connection, the working columns, and
 * statements run one by one with the cancel signal checked between them.
 *
 * The TEMP tables the steps write (all gone with the connection):
 *   m_rows_a / m_rows_b  the rows each side offers (columns.ts)
 *   m_state              (side, rid, status 'matched' | 'ambiguous', rule_index): rows
 *                        withheld from later rules
 *   m_members            (rule_index, grp, side, rid, score): the rows of each matched
 *                        group; `grp` is unique within a rule (1:1 the A rid, 1:N / N:1 the
 *                        single row's rid, N:M the cluster's number)
 *   m_cands              (side, rid, rule_index, candidate_side, candidate_rid, score, why):
 *                        the candidates of every ambiguous row
 *   m_free_a / m_free_b  a rule's still-available rows, with its blocking keys
 */
export interface MatchContext {
  conn: DuckDBConnection;
  cols: MatchColumns;
  signal: AbortSignal | undefined;
  run(sql: string): Promise<void>;
  count(sql: string): Promise<number>;
}

export function matchContext(conn: DuckDBConnection, cols: MatchColumns, signal: AbortSignal | undefined): MatchContext {
  const check = (): void => {
    if (signal?.aborted) throw new ReconError('RUN_CANCELLED', 'the run was cancelled');
  };
  return {
    conn,
    cols,
    signal,
    async run(sql) {
      check();
      await runWithProgress(conn, sql, undefined, signal);
    },
    async count(sql) {
      check();
      const row = await queryOne<{ n: string | number }>(conn, `SELECT count(*) AS n FROM (${sql})`);
      return Number(row.n);
    },
  };
}

export const STATE_DDL = [
  'CREATE OR REPLACE TEMP TABLE m_state (side VARCHAR, rid BIGINT, status VARCHAR, rule_index INTEGER)',
  'CREATE OR REPLACE TEMP TABLE m_members (rule_index INTEGER, grp BIGINT, side VARCHAR, rid BIGINT, score DOUBLE)',
  `CREATE OR REPLACE TEMP TABLE m_cands (side VARCHAR, rid BIGINT, rule_index INTEGER, candidate_side VARCHAR, candidate_rid BIGINT,
                                         score DOUBLE, why VARCHAR)`,
];

/** `m_free_<side>`: the side's rows no earlier rule matched or found ambiguous, with extra (blocking) columns. */
export function freeRowsSql(side: Side, extra: readonly string[]): string {
  return `CREATE OR REPLACE TEMP TABLE m_free_${side} AS
          SELECT r.*${extra.length > 0 ? `, ${extra.join(', ')}` : ''}
            FROM m_rows_${side} r
           WHERE r.rid NOT IN (SELECT rid FROM m_state WHERE side = '${side}')`;
}

/** Records a round's matched groups: `rel` has (grp, side, rid, score). */
export async function recordMatched(ctx: MatchContext, ruleIndex: number, rel: string): Promise<void> {
  await ctx.run(`INSERT INTO m_members SELECT ${ruleIndex}, grp, side, rid, score FROM ${rel}`);
  await ctx.run(`INSERT INTO m_state SELECT side, rid, 'matched', ${ruleIndex} FROM ${rel}`);
}

/** Records ambiguous rows: `rel` has (side, rid, candidate_side, candidate_rid, score, why), one row per candidate. */
export async function recordAmbiguous(ctx: MatchContext, ruleIndex: number, rel: string): Promise<void> {
  await ctx.run(`INSERT INTO m_cands SELECT side, rid, ${ruleIndex}, candidate_side, candidate_rid, score, why FROM ${rel}`);
  await ctx.run(`INSERT INTO m_state SELECT DISTINCT side, rid, 'ambiguous', ${ruleIndex} FROM ${rel}`);
}
