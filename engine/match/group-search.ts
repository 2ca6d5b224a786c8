import { decimalLiteral, literal } from '../sql/quote.ts';
import { otherSide, type Side } from './columns.ts';
import {
  amountClosenessSql,
  amountTolerance,
  amountWithinSql,
  dateBucketSql,
  dateClosenessSql,
  dateWindow,
  equalSql,
  nameSimilaritySql,
  scoreSql,
} from './condition-sql.ts';
import { freeRowsSql, recordAmbiguous, recordMatched, type MatchContext } from './match-context.ts';
import type { PlannedRule } from './plan.ts';

/**
 * A 1:N rule (one A row, a group of B rows) or N:1 (the mirror), in SQL:
 *   1. candidates: for every still-available single row, the other side's rows
 *      with the equal fields equal, within the single row's date window (date
 *      buckets joined with their neighbours, then the exact test) and meeting
 *      any `similar` condition; partitioned by the rule's groupBy values
 *      (a group's rows share them); in each (single row, partition) the
 *      candidates that cannot be in any agreeing group are dropped (all
 *      amounts of one sign and the amount alone beyond what the tolerance
 *      allows), then at most maxGroupCandidates kept, closest in date first;
 *   2. subsets: a recursive CTE over each partition's candidates ordered by
 *      rid, carrying the running sum and member list, growing to
 *      maxGroupSize and pruned once the running |sum| is beyond the bound
 *      (when the partition's amounts share a sign the |sum| never shrinks);
 *      kept: 2 or more rows whose sum agrees with the single amount;
 *   3. rounds (at most MAX_GROUP_ROUNDS): a single row with exactly one best
 *      subset takes it, unless a member of it is also in another single row's
 *      best subset (both held back for the next round); subsets touching a
 *      taken row are dropped. After the rounds, every single row still with a
 *      subset is AMBIGUOUS, with the members of its best subsets (also
 *      ambiguous) as its candidates.
 * Score of a subset: the mean over the rule's conditions of amount closeness
 * (single amount against the sum), date closeness and name similarity (each
 * averaged over the members), equal conditions counting 1.
 */
export const MAX_GROUP_ROUNDS = 5;
/** Windows up to this many days join on exact day numbers; wider ones on buckets. */
const EXACT_DAY_JOIN_MAX = 15;

export async function matchGroups(ctx: MatchContext, rule: PlannedRule, maxCandidates: number, progress: (fraction: number) => void): Promise<void> {
  const single: Side = rule.type === '1:N' ? 'a' : 'b';
  const members = otherSide(single);
  const { cols } = ctx;
  const amt = cols.value(rule.amount!.field);
  const day = cols.dayNumber(rule);
  const w = dateWindow(rule);
  // Candidates within the window: each single row unnests the day numbers of its window and
  // meets the other side on the exact day (2w + 1 rows per single row); for a wide window,
  // buckets of w + 1 days and their neighbours instead (3 rows), then the exact test.
  const byDay = w <= EXACT_DAY_JOIN_MAX;
  const bucket = dateBucketSql(rule, `r.${day}`);
  const singleKey = byDay ? `unnest(range(${day} - ${w}, ${day} + ${w + 1}))` : bucket.neighbours ? 'unnest([__db - 1, __db, __db + 1])' : '__db';
  const memberKey = byDay ? day : '__db';
  // `__gid`: the member's groupBy values as a number (0 without groupBy). `__mixed`: the member's
  // partition (equal and groupBy values, any date) holds amounts of both signs. Where it does not,
  // every candidate set drawn from it is of one sign, so a member alone beyond the single amount's
  // bound can never be in an agreeing group and is left out of the join.
  const groupBy = rule.groupBy.map((f) => `r.${cols.value(f)}`);
  const global = [...new Map([...rule.equal, ...rule.groupBy].map((f) => [f.name, `r.${cols.value(f)}`])).values()];
  const over = `OVER (${global.length > 0 ? `PARTITION BY ${global.join(', ')}` : ''})`;
  await ctx.run(freeRowsSql(single, byDay ? [] : [`${bucket.sql} AS __db`]));
  await ctx.run(
    freeRowsSql(members, [
      ...(byDay ? [] : [`${bucket.sql} AS __db`]),
      `${groupBy.length > 0 ? `dense_rank() OVER (ORDER BY ${groupBy.join(', ')})` : '0'} AS __gid`,
      `(bool_or(r.${amt} < 0) ${over} AND bool_or(r.${amt} > 0) ${over}) AS __mixed`,
    ]),
  );

  // 1. Candidates per partition (single row × groupBy values, pid = s_rid · G + gid): at most
  //    maxGroupCandidates, the nearest in date first; a partition of one makes no group.
  const sims = rule.similar.map((s, j) => ({ sql: nameSimilaritySql(`s.${cols.name(s.field)}`, `o.${cols.name(s.field)}`), min: s.min, j }));
  const part = [dateClosenessSql(rule, 'dd'), ...sims.map(({ j }) => `sim${j}`)].join(' + ');
  const tests = [
    `abs(o.${day} - s.${day}) <= ${w}`,
    `s.${amt} IS NOT NULL`,
    `o.${amt} IS NOT NULL`,
    `(o.__mixed OR s.__lim IS NULL OR abs(o.${amt}) <= s.__lim)`,
    ...sims.map(({ sql, min }) => `${sql} >= ${min}`),
  ];
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_gcand AS
                 WITH g AS (SELECT coalesce(max(__gid), 0) + 1 AS n FROM m_free_${members})
                 SELECT * EXCLUDE (reach), ${part} AS part FROM (
                   SELECT *, sum(abs(amt)) OVER (PARTITION BY pid) AS reach FROM (
                   SELECT *, row_number() OVER (PARTITION BY pid ORDER BY abs(dd), o_rid) AS nearness
                     FROM (SELECT *, (bool_and(amt >= 0) OVER w OR bool_and(amt <= 0) OVER w) AS mono, count(*) OVER w AS pn
                             FROM (SELECT s.rid * (SELECT n FROM g) + o.__gid AS pid, s.rid AS s_rid, o.rid AS o_rid, s.${amt} AS target, s.__lim AS lim,
                                          o.${amt} AS amt, o.${day} - s.${day} AS dd${sims.map(({ sql, j }) => `, ${sql} AS sim${j}`).join('')}
                                     FROM (SELECT *, ${singleKey} AS __key_n, ${sumBoundSql(rule, amt)} AS __lim FROM m_free_${single}) s
                                     JOIN m_free_${members} o ON o.${memberKey} = s.__key_n${equalSql(rule, cols, 's', 'o').map((e) => ` AND ${e}`).join('')}
                                    WHERE ${tests.join(' AND ')})
                           WINDOW w AS (PARTITION BY pid))
                    WHERE pn >= 2 AND NOT (mono AND lim IS NOT NULL AND abs(amt) > lim))
                  WHERE nearness <= ${maxCandidates})
                 -- One sign and all together still short of the single amount: no subset can agree.
                 WHERE NOT (mono AND reach < ${sumFloorSql(rule, 'target')})`);
  progress(0.3);

  // 2. Subsets whose sum agrees with the single amount.
  const [x, y] = single === 'a' ? ['target', 'total'] : ['total', 'target'];
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_subsets AS
                 WITH RECURSIVE sub(pid, s_rid, target, last_rid, n, total, part_sum, members) AS (
                   SELECT pid, s_rid, target, o_rid, 1, amt, part, [o_rid] FROM m_gcand
                   UNION ALL
                   SELECT sub.pid, sub.s_rid, sub.target, c.o_rid, sub.n + 1, sub.total + c.amt, sub.part_sum + c.part, list_append(sub.members, c.o_rid)
                     FROM sub JOIN m_gcand c ON c.pid = sub.pid AND c.o_rid > sub.last_rid
                    WHERE sub.n < ${rule.maxGroupSize} AND NOT (c.mono AND c.lim IS NOT NULL AND abs(sub.total + c.amt) > c.lim))
                 SELECT row_number() OVER (ORDER BY s_rid, members) AS sub_id, s_rid, n, target, total, members,
                        ${scoreSql(rule, [amountClosenessSql(rule, x, y), '(part_sum / n)'])} AS score
                   FROM sub WHERE n >= 2 AND ${amountWithinSql(rule, x, y)}`);
  await ctx.run('CREATE OR REPLACE TEMP TABLE m_submem AS SELECT sub_id, unnest(members) AS o_rid FROM m_subsets');
  progress(0.6);

  // 3. Rounds.
  const best = `CREATE OR REPLACE TEMP TABLE m_gbest AS
                SELECT sub_id, s_rid, n, target, total, score, count(*) OVER (PARTITION BY s_rid) AS ties
                  FROM (SELECT *, max(score) OVER (PARTITION BY s_rid) AS best FROM m_subsets) WHERE score = best`;
  for (let round = 0; round < MAX_GROUP_ROUNDS; round++) {
    if ((await ctx.count('SELECT 1 FROM m_subsets LIMIT 1')) === 0) return;
    await ctx.run(best);
    await ctx.run(`CREATE OR REPLACE TEMP TABLE m_take AS
                   WITH contested AS (SELECT m.o_rid FROM m_gbest b JOIN m_submem m USING (sub_id) GROUP BY m.o_rid HAVING count(DISTINCT b.s_rid) > 1),
                        held AS (SELECT DISTINCT b.s_rid FROM m_gbest b JOIN m_submem m USING (sub_id) WHERE m.o_rid IN (SELECT o_rid FROM contested)),
                        taken AS (SELECT sub_id, s_rid, score FROM m_gbest WHERE ties = 1 AND s_rid NOT IN (SELECT s_rid FROM held))
                   SELECT s_rid AS grp, '${single}' AS side, s_rid AS rid, score FROM taken
                   UNION ALL
                   SELECT t.s_rid, '${members}', m.o_rid, t.score FROM taken t JOIN m_submem m USING (sub_id)`);
    if ((await ctx.count('SELECT 1 FROM m_take')) === 0) break;
    await recordMatched(ctx, rule.index, 'm_take');
    await ctx.run(`DELETE FROM m_subsets
                    WHERE s_rid IN (SELECT rid FROM m_state WHERE side = '${single}')
                       OR sub_id IN (SELECT sub_id FROM m_submem WHERE o_rid IN (SELECT rid FROM m_state WHERE side = '${members}'))`);
    progress(0.6 + (0.4 * (round + 1)) / MAX_GROUP_ROUNDS);
  }

  // What is left could not be decided: the single rows and their best subsets' members.
  if ((await ctx.count('SELECT 1 FROM m_subsets LIMIT 1')) === 0) return;
  await ctx.run(best);
  const why = `'one of ' || b.n || ' rows summing to ' || CAST(b.total AS VARCHAR) || ' against ' || ${literal(rule.amount!.field.name)} || ' ' || CAST(b.target AS VARCHAR)`;
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_amb AS
                 WITH c AS (SELECT b.s_rid, m.o_rid, b.score, ${why} AS why FROM m_gbest b JOIN m_submem m USING (sub_id))
                 SELECT '${single}' AS side, s_rid AS rid, '${members}' AS candidate_side, o_rid AS candidate_rid, max(score) AS score, arg_max(why, score) AS why
                   FROM c GROUP BY s_rid, o_rid
                 UNION ALL
                 SELECT '${members}', o_rid, '${single}', s_rid, max(score), arg_max(why, score) FROM c GROUP BY s_rid, o_rid`);
  await recordAmbiguous(ctx, rule.index, 'm_amb');
}

/**
 * The largest |sum| of a group that can still agree with `target`: within abs,
 * |sum| ≤ |target| + abs; within rel, |sum| ≤ |target| / (1 − rel). NULL (no
 * bound) for a rel of 1 or more. The rel bound is in DOUBLE, widened a hair.
 */
export function sumBoundSql(rule: PlannedRule, target: string): string {
  const tol = amountTolerance(rule);
  const bounds = [`abs(${target})${tol.abs !== undefined ? ` + ${decimalLiteral(tol.abs)}` : ''}`];
  if (tol.rel !== undefined) {
    const rel = Number(tol.rel);
    if (!(rel < 1)) return 'NULL';
    bounds.push(`abs(${target})::DOUBLE / ${1 - rel} * (1 + 1e-9)`);
  }
  return bounds.length === 1 ? bounds[0]! : `greatest(${bounds.map((b) => `(${b})::DOUBLE`).join(', ')})`;
}

/**
 * The smallest |sum| that can still agree with `target`: |target| − abs, or
 * |target| · (1 − rel), whichever is lower (|target| without a tolerance).
 */
export function sumFloorSql(rule: PlannedRule, target: string): string {
  const tol = amountTolerance(rule);
  const floors = [`abs(${target})${tol.abs !== undefined ? ` - ${decimalLiteral(tol.abs)}` : ''}`];
  if (tol.rel !== undefined) floors.push(`abs(${target})::DOUBLE * ${Math.max(0, 1 - Number(tol.rel))} * (1 - 1e-9)`);
  return floors.length === 1 ? floors[0]! : `least(${floors.map((f) => `(${f})::DOUBLE`).join(', ')})`;
}
