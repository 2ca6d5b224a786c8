import { freeRowsSql, recordAmbiguous, recordMatched, type MatchContext } from './match-context.ts';
import { pairBlockingColumns, pairsSql, pairWhySql } from './pair-sql.ts';
import type { PlannedRule } from './plan.ts';

/**
 * A 1:1 rule. Its candidate pairs (pair-sql.ts) are decided in rounds:
 *   - a pair whose two rows are each other's unique best (highest score among
 *     their remaining pairs, no other pair at that score) is matched, and
 *     every other pair of either row dropped;
 *   - when a round matches nothing, every remaining row whose best is tied,
 *     and every row that is one of the tied bests of another, is AMBIGUOUS
 *     (its remaining pairs recorded as its candidates; never matched), and
 *     the rounds go on with what is left.
 * Scores are symmetric, so the highest remaining pair is always mutual: a
 * round either matches or finds a tie, and the rounds end. After
 * MAX_ROUNDS every row still with a pair is ambiguous.
 */
export const MAX_ROUNDS = 20;

export async function matchOneToOne(ctx: MatchContext, rule: PlannedRule, progress: (fraction: number) => void): Promise<void> {
  const extra = pairBlockingColumns(rule, ctx.cols);
  await ctx.run(freeRowsSql('a', extra));
  await ctx.run(freeRowsSql('b', extra));
  await ctx.run(pairsSql(rule, ctx.cols));
  progress(0.5);
  const why = pairWhySql(rule);

  for (let round = 0; round < MAX_ROUNDS; round++) {
    if ((await ctx.count('SELECT 1 FROM m_pairs LIMIT 1')) === 0) return;
    await ctx.run(`CREATE OR REPLACE TEMP TABLE m_ranked AS
                   SELECT *, sum(CASE WHEN score = best_a THEN 1 ELSE 0 END) OVER (PARTITION BY rid_a) AS ties_a,
                             sum(CASE WHEN score = best_b THEN 1 ELSE 0 END) OVER (PARTITION BY rid_b) AS ties_b
                     FROM (SELECT *, max(score) OVER (PARTITION BY rid_a) AS best_a, max(score) OVER (PARTITION BY rid_b) AS best_b FROM m_pairs)`);
    await ctx.run(`CREATE OR REPLACE TEMP TABLE m_take AS
                   WITH mutual AS (SELECT rid_a, rid_b, score FROM m_ranked WHERE score = best_a AND score = best_b AND ties_a = 1 AND ties_b = 1)
                   SELECT rid_a AS grp, 'a' AS side, rid_a AS rid, score FROM mutual
                   UNION ALL SELECT rid_a, 'b', rid_b, score FROM mutual`);
    if ((await ctx.count('SELECT 1 FROM m_take')) > 0) {
      await recordMatched(ctx, rule.index, 'm_take');
    } else {
      await markAmbiguous(ctx, rule, why, `SELECT 'a' AS side, rid_a AS rid FROM m_ranked WHERE score = best_a AND ties_a > 1
                                    UNION SELECT 'b', rid_b FROM m_ranked WHERE score = best_b AND ties_b > 1
                                    UNION SELECT 'b', rid_b FROM m_ranked WHERE score = best_a AND ties_a > 1
                                    UNION SELECT 'a', rid_a FROM m_ranked WHERE score = best_b AND ties_b > 1`);
    }
    await ctx.run(`DELETE FROM m_pairs WHERE rid_a IN (SELECT rid FROM m_state WHERE side = 'a') OR rid_b IN (SELECT rid FROM m_state WHERE side = 'b')`);
    progress(0.5 + (0.5 * (round + 1)) / MAX_ROUNDS);
  }
  // Out of rounds: whatever still has a candidate could not be decided.
  await markAmbiguous(ctx, rule, why, `SELECT 'a' AS side, rid_a AS rid FROM m_pairs UNION SELECT 'b', rid_b FROM m_pairs`);
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
