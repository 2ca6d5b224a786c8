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
 *   m_state              (side, rid, status 'matched' | 'ambiguous', rule_index): matched rows,
 *                        withheld from later rules, and ambiguous ones, offered to later rules
 *                        again (the last rule that found a row ambiguous, or matched it, counts)
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

/**
 * `m_free_<side>`: the side's rows no earlier rule matched, with the rule's columns
 * (MatchColumns.ruleColumns) and extra (blocking) ones. A row an
 * earlier rule found ambiguous is offered again: that rule's evidence could not decide it, another
 * rule's may (a reference cut short names many invoices; the counterparty's name tells them apart).
 * A later rule that only sees the same tie leaves it ambiguous.
 */
export function freeRowsSql(side: Side, columns: readonly string[], extra: readonly string[]): string {
  return `CREATE OR REPLACE TEMP TABLE m_free_${side} AS
          SELECT ${['r.rid', ...columns.map((c) => `r.${c}`), ...extra].join(', ')}
            FROM m_rows_${side} r
           WHERE r.rid NOT IN (SELECT rid FROM m_state WHERE side = '${side}' AND status = 'matched')`;
}

/** The rids of a side decided for rule `ruleIndex`: matched by any rule, or found ambiguous by this one. */
export function decidedSql(side: Side, ruleIndex: number): string {
  return `SELECT rid FROM m_state WHERE side = '${side}' AND (status = 'matched' OR rule_index = ${ruleIndex})`;
}

/**
 * Forgets what earlier rules found for the rows of `rel` (side, rid): an ambiguity a later rule
 * decides. Only ambiguous rows can be forgotten (a row an earlier rule matched is offered to no
 * later rule), so m_state's matched rows, nearly all of it, are filtered out before the join.
 */
async function forgetEarlier(ctx: MatchContext, ruleIndex: number, rel: string): Promise<void> {
  if (ruleIndex === 0) return; // no earlier rule
  const earlier = (t: string, only: string): string =>
    `DELETE FROM ${t} x WHERE x.rule_index < ${ruleIndex}${only} AND EXISTS (SELECT 1 FROM ${rel} r WHERE r.side = x.side AND r.rid = x.rid)`;
  await ctx.run(earlier('m_state', ` AND x.status = 'ambiguous'`));
  await ctx.run(earlier('m_cands', ''));
}

/** Records a round's matched groups: `rel` has (grp, side, rid, score). */
export async function recordMatched(ctx: MatchContext, ruleIndex: number, rel: string): Promise<void> {
  await forgetEarlier(ctx, ruleIndex, rel);
  await ctx.run(`INSERT INTO m_members SELECT ${ruleIndex}, grp, side, rid, score FROM ${rel}`);
  await ctx.run(`INSERT INTO m_state SELECT side, rid, 'matched', ${ruleIndex} FROM ${rel}`);
}

/**
 * Records ambiguous rows: `rel` has (side, rid, candidate_side, candidate_rid, score, why), one row per
 * candidate. A row an earlier rule found ambiguous keeps only this rule's candidates.
 */
export async function recordAmbiguous(ctx: MatchContext, ruleIndex: number, rel: string): Promise<void> {
  await forgetEarlier(ctx, ruleIndex, rel);
  await ctx.run(`INSERT INTO m_cands SELECT side, rid, ${ruleIndex}, candidate_side, candidate_rid, score, why FROM ${rel}`);
  await ctx.run(`INSERT INTO m_state SELECT DISTINCT side, rid, 'ambiguous', ${ruleIndex} FROM ${rel} x
                  WHERE NOT EXISTS (SELECT 1 FROM m_state s WHERE s.side = x.side AND s.rid = x.rid)`);
}

/**
 * After the last rule: an ambiguous row whose candidates all ended up matched (in the rule that
 * found the tie, or a later one) has nothing left to choose between: it is unmatched after all.
 */
export async function settleAmbiguous(ctx: MatchContext): Promise<void> {
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_settled AS
                 SELECT s.side, s.rid FROM m_state s
                  WHERE s.status = 'ambiguous'
                    AND NOT EXISTS (SELECT 1 FROM m_cands c
                                     WHERE c.side = s.side AND c.rid = s.rid
                                       AND NOT EXISTS (SELECT 1 FROM m_state m WHERE m.status = 'matched' AND m.side = c.candidate_side AND m.rid = c.candidate_rid))`);
  for (const t of ['m_state', 'm_cands']) {
    await ctx.run(`DELETE FROM ${t} x WHERE EXISTS (SELECT 1 FROM m_settled d WHERE d.side = x.side AND d.rid = x.rid)`);
  }
}
