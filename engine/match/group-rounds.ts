import { literal } from '../sql/quote.ts';
import type { Side } from './columns.ts';
import { decidedSql, recordAmbiguous, recordMatched, type MatchContext } from './match-context.ts';
import type { PlannedRule } from './plan.ts';

/**
 * The rounds that decide a 1:N or N:1 rule's subsets (group-search.ts made
 * `m_subsets(sub_id, s_rid, n, target, total, members, score)` and
 * `m_submem(sub_id, o_rid)`), on what is left each round:
 *   - each single row's best subsets (highest score); a member's contenders
 *     are the single rows with a best subset holding it, its top contender
 *     the one whose subset scores highest;
 *   - taken: a single row's unique best subset whose every member has it as
 *     the unique top contender (the 1:1 rule's mutual unique best);
 *   - when a round takes nothing: a single row whose best is tied between
 *     subsets, and a member whose top is tied between single rows, is
 *     AMBIGUOUS and withdrawn (its subsets dropped); the rows it tied
 *     between stay and may take their next-best subset later.
 * Subsets touching a taken or withdrawn row are dropped. After the rounds,
 * every single row still with a subset is AMBIGUOUS with its best subsets'
 * members; and a row left unmatched that a withdrawn row was tied between
 * is AMBIGUOUS too, with that row as its candidate.
 */
export const MAX_GROUP_ROUNDS = 10;

export async function decideGroups(ctx: MatchContext, rule: PlannedRule, single: Side, members: Side, progress: (fraction: number) => void): Promise<void> {
  const why = `'one of ' || b.n || ' rows summing to ' || CAST(b.total AS VARCHAR) || ' against ' || ${literal(rule.amount!.field.name)} || ' ' || CAST(b.target AS VARCHAR)`;
  // Best subsets per single row, and each member's contenders in them.
  const best = `CREATE OR REPLACE TEMP TABLE m_gbest AS
                SELECT sub_id, s_rid, n, target, total, score, count(*) OVER (PARTITION BY s_rid) AS ties
                  FROM (SELECT *, max(score) OVER (PARTITION BY s_rid) AS best FROM m_subsets) WHERE score = best`;
  const contest = `CREATE OR REPLACE TEMP TABLE m_gtop AS
                   SELECT o_rid, max(score) AS top, count(DISTINCT s_rid) FILTER (WHERE score = o_top) AS contenders
                     FROM (SELECT m.o_rid, b.s_rid, b.score, max(b.score) OVER (PARTITION BY m.o_rid) AS o_top FROM m_gbest b JOIN m_submem m USING (sub_id))
                    GROUP BY o_rid`;
  // (withdrawn side, rid, tied row's side, rid, score, why): the rows a withdrawn row was tied between.
  await ctx.run('CREATE OR REPLACE TEMP TABLE m_tied (side VARCHAR, rid BIGINT, candidate_side VARCHAR, candidate_rid BIGINT, score DOUBLE, why VARCHAR)');
  // The rows a round decided are exactly those of `rel` (side, rid), m_take or m_gtied (every row of
  // m_subsets was undecided when the round began): cheaper than testing m_state, which holds every match so far.
  const dropDecided = (rel: string): string => `DELETE FROM m_subsets
                        WHERE s_rid IN (SELECT rid FROM ${rel} WHERE side = '${single}')
                           OR sub_id IN (SELECT sub_id FROM m_submem WHERE o_rid IN (SELECT rid FROM ${rel} WHERE side = '${members}'))`;

  for (let round = 0; round < MAX_GROUP_ROUNDS; round++) {
    if ((await ctx.count('SELECT 1 FROM m_subsets LIMIT 1')) === 0) break;
    await ctx.run(best);
    await ctx.run(contest);
    await ctx.run(`CREATE OR REPLACE TEMP TABLE m_take AS
                   WITH taken AS (SELECT b.sub_id, b.s_rid, b.score FROM m_gbest b JOIN m_submem m USING (sub_id) JOIN m_gtop t USING (o_rid)
                                   WHERE b.ties = 1 GROUP BY ALL HAVING bool_and(t.top = b.score AND t.contenders = 1))
                   SELECT s_rid AS grp, '${single}' AS side, s_rid AS rid, score FROM taken
                   UNION ALL
                   SELECT t.s_rid, '${members}', m.o_rid, t.score FROM taken t JOIN m_submem m USING (sub_id)`);
    if ((await ctx.count('SELECT 1 FROM m_take')) > 0) {
      await recordMatched(ctx, rule.index, 'm_take');
      await ctx.run(dropDecided('m_take'));
    } else {
      await withdrawTies(ctx, rule, single, members, why);
      await ctx.run(dropDecided('m_gtied'));
    }
    progress(0.6 + (0.4 * (round + 1)) / MAX_GROUP_ROUNDS);
  }

  // Out of rounds: what is left could not be decided, the single rows and their best subsets' members.
  if ((await ctx.count('SELECT 1 FROM m_subsets LIMIT 1')) > 0) {
    await ctx.run(best);
    await ctx.run(`CREATE OR REPLACE TEMP TABLE m_amb AS
                   WITH c AS (SELECT b.s_rid, m.o_rid, b.score, ${why} AS why FROM m_gbest b JOIN m_submem m USING (sub_id))
                   SELECT '${single}' AS side, s_rid AS rid, '${members}' AS candidate_side, o_rid AS candidate_rid, max(score) AS score, arg_max(why, score) AS why
                     FROM c GROUP BY s_rid, o_rid
                   UNION ALL
                   SELECT '${members}', o_rid, '${single}', s_rid, max(score), arg_max(why, score) FROM c GROUP BY s_rid, o_rid`);
    await recordAmbiguous(ctx, rule.index, 'm_amb');
  }
  // The rows withdrawn rows were tied between, left unmatched: ambiguous, with the withdrawn rows as candidates.
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_amb AS
                 SELECT candidate_side AS side, candidate_rid AS rid, side AS candidate_side, rid AS candidate_rid, max(score) AS score, arg_max(why, score) AS why
                   FROM m_tied t
                  WHERE (t.candidate_side = 'a' AND t.candidate_rid NOT IN (${decidedSql('a', rule.index)}))
                     OR (t.candidate_side = 'b' AND t.candidate_rid NOT IN (${decidedSql('b', rule.index)}))
                  GROUP BY ALL`);
  await recordAmbiguous(ctx, rule.index, 'm_amb');
}

/**
 * A round that took nothing: single rows whose best is tied between subsets,
 * and members whose top is tied between single rows, become AMBIGUOUS (their
 * best subsets' members, or their top contenders, as candidates) and are
 * withdrawn; m_tied keeps the rows they were tied between.
 */
async function withdrawTies(ctx: MatchContext, rule: PlannedRule, single: Side, members: Side, why: string): Promise<void> {
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_gtied AS
                 WITH pairs AS (SELECT b.s_rid, m.o_rid, b.score, b.ties, t.top, t.contenders, ${why} AS why
                                  FROM m_gbest b JOIN m_submem m USING (sub_id) JOIN m_gtop t USING (o_rid))
                 SELECT '${single}' AS side, s_rid AS rid, '${members}' AS candidate_side, o_rid AS candidate_rid, max(score) AS score, arg_max(why, score) AS why
                   FROM pairs WHERE ties > 1 GROUP BY s_rid, o_rid
                 UNION ALL
                 SELECT '${members}', o_rid, '${single}', s_rid, max(score), arg_max(why, score)
                   FROM pairs WHERE contenders > 1 AND score = top GROUP BY s_rid, o_rid`);
  await ctx.run('INSERT INTO m_tied SELECT * FROM m_gtied');
  await recordAmbiguous(ctx, rule.index, 'm_gtied');
}
