import { literal } from '../sql/quote.ts';
import { amountWithinSql } from './condition-sql.ts';
import { recordAmbiguous, recordMatched, type MatchContext } from './match-context.ts';
import type { PlannedRule } from './plan.ts';

/**
 * Decides an N:M rule's candidate groups (many-to-many.ts made
 * `m_ncand(cand_id, gid_a, gid_b, sum_a, sum_b, rids_a, rids_b, score)` and
 * each side's subsets `m_nsub(side, gid, n, total, members)`, 1 row and up):
 *   - a candidate with a proper part that agrees on its own (one row against
 *     one, or a smaller group) reads more than one way and is dropped: two
 *     pairs of equal amounts are two 1:1 ties, not one 2:2 match, and a
 *     group with an unrelated pair of equal amounts added is the group;
 *   - a candidate sharing no row with another is matched;
 *   - the rows of candidates that share one are AMBIGUOUS (never guessed),
 *     the other side's rows of their candidates listed as their candidates.
 */
export async function decideManyToMany(ctx: MatchContext, rule: PlannedRule): Promise<void> {
  await ctx.run(`DELETE FROM m_ncand c
                  WHERE EXISTS (SELECT 1 FROM m_nsub x JOIN m_nsub y ON y.side = 'b' AND y.gid = c.gid_b AND list_has_all(c.rids_b, y.members)
                                 WHERE x.side = 'a' AND x.gid = c.gid_a AND list_has_all(c.rids_a, x.members)
                                   AND NOT (x.n = len(c.rids_a) AND y.n = len(c.rids_b)) AND ${amountWithinSql(rule, 'x.total', 'y.total')})`);

  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_clusters AS
                 WITH rows AS (SELECT cand_id, 'a' AS side, unnest(rids_a) AS rid, score FROM m_ncand
                               UNION ALL SELECT cand_id, 'b', unnest(rids_b), score FROM m_ncand)
                 SELECT *, bool_or(claims > 1) OVER (PARTITION BY cand_id) AS contested
                   FROM (SELECT *, count(*) OVER (PARTITION BY side, rid) AS claims FROM rows)`);
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_take AS SELECT cand_id AS grp, side, rid, score FROM m_clusters WHERE NOT contested`);
  await recordMatched(ctx, rule.index, 'm_take');

  const why = `'one of ' || len(k.rids_a) || ' + ' || len(k.rids_b) || ' rows summing to ' || CAST(k.sum_a AS VARCHAR) || ' against ' || CAST(k.sum_b AS VARCHAR) || ' (' || ${literal(rule.amount!.field.name)} || ')'`;
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_amb AS
                 SELECT c.side, c.rid, o.side AS candidate_side, o.rid AS candidate_rid, max(c.score) AS score, arg_max(${why}, c.score) AS why
                   FROM m_clusters c JOIN m_clusters o ON o.cand_id = c.cand_id AND o.side <> c.side JOIN m_ncand k ON k.cand_id = c.cand_id
                  WHERE c.contested
                  GROUP BY c.side, c.rid, o.side, o.rid`);
  await recordAmbiguous(ctx, rule.index, 'm_amb');
}
