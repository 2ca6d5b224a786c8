import { queryOne } from '../duckdb/open.ts';
import type { Side } from './columns.ts';
import { decidedSql, freeRowsSql, recordAmbiguous, recordMatched, type MatchContext } from './match-context.ts';
import { pairBlockingColumns, pairsSql, pairWhySql } from './pair-sql.ts';
import type { PlannedRule } from './plan.ts';

/**
 * A 1:1 rule. Its candidate pairs (pair-sql.ts) are decided in rounds; each
 * round, on the pairs still left:
 *   - a pair whose two rows are each other's unique best (highest score
 *     among their remaining pairs, no other pair at that score) is matched;
 *   - a row whose best is tied between two or more candidates that each
 *     have it as their best too is stuck for good (none of them can match
 *     anyone else while it stays, and it cannot choose): it is AMBIGUOUS,
 *     its remaining pairs recorded as its candidates, and it is withdrawn.
 *     The rows it ties between stay: they may match their next-best
 *     candidate in a later round (scores are symmetric, so that is no
 *     guess: their best is gone).
 * Every pair of a matched or withdrawn row is then dropped. A row whose best
 * is tied between candidates that want others waits: the tie resolves when
 * they match elsewhere. A round always makes progress: among the pairs at
 * the highest remaining score, a pair alone in its connected set is a unique
 * mutual best, and a larger set holds a row tied between rows that want it.
 *
 * At the end of the rule, a row left unmatched that was one of the tied
 * bests of a withdrawn row is AMBIGUOUS too, with the withdrawn rows as its
 * candidates: two identical ledger rows competing for one bank line are
 * both ambiguous, never one of them matched. After MAX_ROUNDS every row
 * still with a pair is ambiguous.
 */
export const MAX_ROUNDS = 20;

export async function matchOneToOne(ctx: MatchContext, rule: PlannedRule, progress: (fraction: number) => void): Promise<void> {
  await ctx.run(freeRowsSql('a', ctx.cols.ruleColumns(rule), pairBlockingColumns(rule, ctx.cols, 'a')));
  await ctx.run(freeRowsSql('b', ctx.cols.ruleColumns(rule), pairBlockingColumns(rule, ctx.cols, 'b')));
  await ctx.run(pairsSql(rule, ctx.cols));
  progress(0.5);
  const why = pairWhySql(rule);
  // The tied-best pairs of withdrawn rows: (withdrawn side, rid, tied candidate's side, rid, score, why).
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_tied (side VARCHAR, rid BIGINT, candidate_side VARCHAR, candidate_rid BIGINT, score DOUBLE, why VARCHAR)`);

  for (let round = 0; round < MAX_ROUNDS; round++) {
    if ((await ctx.count('SELECT 1 FROM m_pairs LIMIT 1')) === 0) break;
    await ctx.run(`CREATE OR REPLACE TEMP TABLE m_ranked AS
                   SELECT *, sum(CASE WHEN score = best_a THEN 1 ELSE 0 END) OVER (PARTITION BY rid_a) AS ties_a,
                             sum(CASE WHEN score = best_b THEN 1 ELSE 0 END) OVER (PARTITION BY rid_b) AS ties_b
                     FROM (SELECT *, max(score) OVER (PARTITION BY rid_a) AS best_a, max(score) OVER (PARTITION BY rid_b) AS best_b FROM m_pairs)`);
    await ctx.run(`CREATE OR REPLACE TEMP TABLE m_take AS
                   WITH mutual AS (SELECT rid_a, rid_b, score FROM m_ranked WHERE score = best_a AND score = best_b AND ties_a = 1 AND ties_b = 1)
                   SELECT rid_a AS grp, 'a' AS side, rid_a AS rid, score FROM mutual
                   UNION ALL SELECT rid_a, 'b', rid_b, score FROM mutual`);
    // Stuck: best tied between two or more candidates whose best it is as well.
    await ctx.run(`CREATE OR REPLACE TEMP TABLE m_stuck AS
                   SELECT 'a' AS side, rid_a AS rid FROM m_ranked WHERE score = best_a AND score = best_b AND ties_a > 1 GROUP BY rid_a HAVING count(*) > 1
                   UNION ALL
                   SELECT 'b', rid_b FROM m_ranked WHERE score = best_b AND score = best_a AND ties_b > 1 GROUP BY rid_b HAVING count(*) > 1`);
    const { taken, stuck } = await roundCounts(ctx);
    if (taken === 0 && stuck === 0) break; // cannot happen (see above); a guard against looping idle
    if (taken > 0) await recordMatched(ctx, rule.index, 'm_take');
    if (stuck > 0) {
      await ctx.run(`INSERT INTO m_tied
                     SELECT 'a', rid_a, 'b', rid_b, score, ${why} FROM m_ranked WHERE score = best_a AND rid_a IN (SELECT rid FROM m_stuck WHERE side = 'a')
                     UNION ALL
                     SELECT 'b', rid_b, 'a', rid_a, score, ${why} FROM m_ranked WHERE score = best_b AND rid_b IN (SELECT rid FROM m_stuck WHERE side = 'b')`);
      await markAmbiguous(ctx, rule, why, 'SELECT side, rid FROM m_stuck');
    }
    // The rows this round decided are exactly those taken and stuck (every row of m_pairs was
    // undecided when the round began): cheaper than testing m_state, which holds every match so far.
    const decided = (side: Side): string => `SELECT rid FROM m_take WHERE side = '${side}' UNION ALL SELECT rid FROM m_stuck WHERE side = '${side}'`;
    await ctx.run(`DELETE FROM m_pairs WHERE rid_a IN (${decided('a')}) OR rid_b IN (${decided('b')})`);
    progress(0.5 + (0.5 * (round + 1)) / MAX_ROUNDS);
  }
  // Out of rounds: whatever still has a candidate could not be decided.
  if ((await ctx.count('SELECT 1 FROM m_pairs LIMIT 1')) > 0) {
    await markAmbiguous(ctx, rule, why, `SELECT 'a' AS side, rid_a AS rid FROM m_pairs UNION SELECT 'b', rid_b FROM m_pairs`);
  }
  // The rows withdrawn rows tied between, left unmatched: ambiguous, with the withdrawn rows as candidates.
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_amb AS
                 SELECT t.candidate_side AS side, t.candidate_rid AS rid, t.side AS candidate_side, t.rid AS candidate_rid, t.score, t.why
                   FROM m_tied t
                  WHERE (t.candidate_side = 'a' AND t.candidate_rid NOT IN (${decidedSql('a', rule.index)}))
                     OR (t.candidate_side = 'b' AND t.candidate_rid NOT IN (${decidedSql('b', rule.index)}))`);
  await recordAmbiguous(ctx, rule.index, 'm_amb');
}

/** Marks `rows` (side, rid) ambiguous, each with its remaining pairs as candidates. */
async function markAmbiguous(ctx: MatchContext, rule: PlannedRule, why: string, rows: string): Promise<void> {
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_amb AS
                 WITH amb AS (${rows}), p AS (SELECT *, ${why} AS why FROM m_pairs)
                 SELECT 'a' AS side, p.rid_a AS rid, 'b' AS candidate_side, p.rid_b AS candidate_rid, p.score, p.why
                   FROM p JOIN amb ON amb.side = 'a' AND amb.rid = p.rid_a
                 UNION ALL
                 SELECT 'b', p.rid_b, 'a', p.rid_a, p.score, p.why
                   FROM p JOIN amb ON amb.side = 'b' AND amb.rid = p.rid_b`);
  await recordAmbiguous(ctx, rule.index, 'm_amb');
}

/** How many rows a round took and found stuck, in one query. */
async function roundCounts(ctx: MatchContext): Promise<{ taken: number; stuck: number }> {
  const row = await queryOne<{ taken: string | number; stuck: string | number }>(
    ctx.conn,
    'SELECT (SELECT count(*) FROM m_take) AS taken, (SELECT count(*) FROM m_stuck) AS stuck',
  );
  return { taken: Number(row.taken), stuck: Number(row.stuck) };
}
