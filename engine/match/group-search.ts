import { decimalLiteral } from '../sql/quote.ts';
import { otherSide, type MatchColumns, type Side } from './columns.ts';
import {
  amountClosenessSql,
  amountTolerance,
  amountWithinSql,
  dateClosenessSql,
  dateWindow,
  equalSql,
  nameSimilaritySql,
  referenceClosenessSql,
  referenceFoundSql,
  referencePrefixSql,
  scoreSql,
} from './condition-sql.ts';
import { groupBlocking } from './group-blocking.ts';
import { decideGroups } from './group-rounds.ts';
import { freeRowsSql, type MatchContext } from './match-context.ts';
import type { PlannedRule } from './plan.ts';

/**
 * A 1:N rule (one A row, a group of B rows) or N:1 (the mirror), in SQL:
 *   1. candidates: for every still-available single row, the other side's rows
 *      with the equal fields equal, within the single row's date window and
 *      meeting any `similar` condition (found by group-blocking.ts: day
 *      numbers, and the names' first three characters); partitioned by the rule's groupBy values
 *      (a group's rows share them); in each (single row, partition) the
 *      candidates that cannot be in any agreeing group are dropped (a row of
 *      the single amount's sign beyond its bound by more than the partition's
 *      largest opposite-sign amount could take back; an opposite-sign row
 *      larger than the same-sign rows together could exceed the amount by),
 *      then ranked: a reference found first, then the rows of the single
 *      amount's sign (a group holds at most MAX_OPPOSITE_SIGN of the other),
 *      then the closest in date; the first maxGroupCandidates are searched;
 *   2. subsets: a recursive CTE over those candidates ordered by rid,
 *      carrying the running sum and member list, growing to maxGroupSize and
 *      pruned once the running sum of the single amount's sign is beyond the
 *      bound by more than an opposite-sign row still allowed could take back,
 *      with at most MAX_OPPOSITE_SIGN rows of the sign opposite to the
 *      single amount's; kept: 2 or more rows whose sum agrees with it.
 *      A single row that gets no subset so, in a rule with a reference
 *      condition, may take one more row from beyond the first
 *      maxGroupCandidates: a subset of them holding a row whose reference is
 *      found (the evidence that it is this single row's group) and lacking
 *      what one further candidate of the partition brings, under the amount
 *      condition (a busy counterparty's instalment whose narrative quotes no
 *      reference, dated after a dozen of its other lines);
 *   3. rounds (group-rounds.ts): a single row's unique best subset is taken
 *      when it is the best claim on each of its members; ties are withdrawn
 *      as AMBIGUOUS, the rows they tied between left to go on.
 * Score of a subset: the mean over the rule's conditions of amount closeness
 * (single amount against the sum), date closeness and name similarity (each
 * averaged over the members), equal conditions counting 1.
 */
/**
 * The most rows of a group whose sign is opposite to the single row's: one
 * credit note netted off a settlement. Every further one multiplies the
 * subsets that can sum to an amount by chance, and under a tolerance some do.
 */
export const MAX_OPPOSITE_SIGN = 1;

export async function matchGroups(ctx: MatchContext, rule: PlannedRule, maxCandidates: number, progress: (fraction: number) => void): Promise<void> {
  const single: Side = rule.type === '1:N' ? 'a' : 'b';
  const members = otherSide(single);
  const { cols } = ctx;
  const amt = cols.value(rule.amount!.field);
  const day = cols.dayNumber(rule);
  const w = dateWindow(rule);
  // Candidates within the window (and, with a `similar` condition, names alike at the start): group-blocking.ts.
  const block = groupBlocking(rule, cols);
  // `__gid`: the member's groupBy values as a number (0 without groupBy). `__mixed`: the member's
  // partition (equal and groupBy values, any date) holds amounts of both signs. Where it does not,
  // every candidate set drawn from it is of one sign, so a member alone beyond the single amount's
  // bound can never be in an agreeing group and is left out of the join.
  const groupBy = rule.groupBy.map((f) => `r.${cols.value(f)}`);
  const global = [...new Map([...rule.equal, ...rule.groupBy].map((f) => [f.name, `r.${cols.value(f)}`])).values()];
  const over = `OVER (${global.length > 0 ? `PARTITION BY ${global.join(', ')}` : ''})`;
  await ctx.run(freeRowsSql(single, cols.ruleColumns(rule), block.extra));
  await ctx.run(
    freeRowsSql(members, cols.ruleColumns(rule), [
      ...block.extra,
      `${groupBy.length > 0 ? `dense_rank() OVER (ORDER BY ${groupBy.join(', ')})` : '0'} AS __gid`,
      `(bool_or(r.${amt} < 0) ${over} AND bool_or(r.${amt} > 0) ${over}) AS __mixed`,
    ]),
  );

  // 1. Candidates per partition (single row × groupBy values, pid = s_rid · G + gid), all of them in
  //    m_gcand_all ranked (`nearness`), the first maxGroupCandidates in m_gcand; a partition of one
  //    makes no group. `x`: the amount signed as the single amount (a row of its sign positive), so a
  //    group's x sum is its |sum| when it agrees. `slack`: the most an opposite-sign row can take
  //    back (the partition's largest; 0 when all rows share a sign and the single amount is 0; NULL,
  //    no pruning, when a 0 single amount meets rows of both signs).
  const sims = rule.similar.map((s, j) => ({ sql: nameSimilaritySql(`s.${cols.name(s.field)}`, `o.${cols.name(s.field)}`), min: s.min, j }));
  const ref = groupReferenceSql(rule, cols, single, 's', 'o');
  const part = [dateClosenessSql(rule, 'dd'), ...sims.map(({ j }) => `sim${j}`), ...(ref ? ['refc'] : [])].join(' + ');
  const tests = [
    `abs(o.${day} - s.${day}) <= ${w}`,
    `s.${amt} IS NOT NULL`,
    `o.${amt} IS NOT NULL`,
    `(o.__mixed OR s.__lim IS NULL OR abs(o.${amt}) <= s.__lim)`,
    ...sims.map(({ sql, min }) => `${sql} >= ${min}`),
  ];
  const floor = sumFloorSql(rule, 'target');
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_gcand_all AS
                 WITH g AS (SELECT coalesce(max(__gid), 0) + 1 AS n FROM m_free_${members}),
                 c0 AS (SELECT s.rid * (SELECT n FROM g) + o.__gid AS pid, s.rid AS s_rid, o.rid AS o_rid, s.${amt} AS target, s.__lim AS lim,
                               o.${amt} AS amt, CASE WHEN s.${amt} <> 0 THEN o.${amt} * sign(s.${amt}) ELSE abs(o.${amt}) END AS x,
                               CAST(sign(o.${amt}) * sign(s.${amt}) < 0 AS INTEGER) AS opp, o.${day} - s.${day} AS dd${sims.map(({ sql, j }) => `, ${sql} AS sim${j}`).join('')}${ref ? `, ${ref} AS refc` : ''}
                          FROM (SELECT *, ${block.probeKey} AS __key_n, ${sumBoundSql(rule, amt)} AS __lim FROM m_free_${single}) s
                          JOIN m_free_${members} o ON o.${block.targetKey} = s.__key_n${[...block.on('s', 'o'), ...equalSql(rule, cols, 's', 'o')].map((e) => ` AND ${e}`).join('')}
                         WHERE ${tests.join(' AND ')}),
                 c1 AS (SELECT *, (bool_and(amt >= 0) OVER w OR bool_and(amt <= 0) OVER w) AS mono, count(*) OVER w AS pn FROM c0 WINDOW w AS (PARTITION BY pid)),
                 c2 AS (SELECT *, CASE WHEN target <> 0 THEN max(CASE WHEN opp = 1 THEN abs(amt) ELSE 0 END) OVER w WHEN mono THEN 0 END AS slack,
                               sum(greatest(x, 0)) OVER w AS sreach0
                          FROM c1 WINDOW w AS (PARTITION BY pid)),
                 c3 AS (SELECT * FROM c2
                         WHERE pn >= 2 AND NOT (lim IS NOT NULL AND slack IS NOT NULL AND x - slack > lim)
                           AND NOT (opp = 1 AND target <> 0 AND abs(amt) > sreach0 - (${floor}))),
                 c4 AS (SELECT *, row_number() OVER (PARTITION BY pid ORDER BY ${ref ? 'refc DESC, ' : ''}opp, abs(dd), o_rid) AS nearness FROM c3)
                 SELECT * EXCLUDE (sreach0), ${part} AS part FROM c4`);
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_gcand AS
                 SELECT * EXCLUDE (sreach) FROM (SELECT *, sum(greatest(x, 0)) OVER (PARTITION BY pid) AS sreach FROM m_gcand_all WHERE nearness <= ${maxCandidates})
                 -- The rows of the single amount's sign all together still short of it: no subset can agree.
                  WHERE NOT ((target <> 0 OR mono) AND sreach < ${floor})`);
  progress(0.3);

  const [x, y] = single === 'a' ? ['target', 'total'] : ['total', 'target'];
  const recursion = (from: string, maxSize: number): string => `sub(pid, s_rid, target, last_rid, n, opp, anchors, total, xs, part_sum, members) AS (
                   SELECT pid, s_rid, target, o_rid, 1, opp, ${ref ? 'CAST(refc > 0 AS INTEGER)' : '0'}, amt, x, part, [o_rid] FROM ${from}
                   UNION ALL
                   SELECT sub.pid, sub.s_rid, sub.target, c.o_rid, sub.n + 1, sub.opp + c.opp, sub.anchors + ${ref ? 'CAST(c.refc > 0 AS INTEGER)' : '0'}, sub.total + c.amt, sub.xs + c.x, sub.part_sum + c.part, list_append(sub.members, c.o_rid)
                     FROM sub JOIN ${from} c ON c.pid = sub.pid AND c.o_rid > sub.last_rid
                    WHERE sub.n < ${maxSize} AND sub.opp + c.opp <= ${MAX_OPPOSITE_SIGN}
                      AND NOT (c.lim IS NOT NULL AND c.slack IS NOT NULL AND sub.xs + c.x - CASE WHEN sub.opp + c.opp < ${MAX_OPPOSITE_SIGN} THEN c.slack ELSE 0 END > c.lim))`;
  const score = scoreSql(rule, [amountClosenessSql(rule, x, y), '(part_sum / n)']);
  // 2. Subsets whose sum agrees with the single amount, among the first maxGroupCandidates.
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_subsets AS
                 WITH RECURSIVE ${recursion('m_gcand', rule.maxGroupSize)}
                 SELECT row_number() OVER (ORDER BY s_rid, members) AS sub_id, s_rid, n, target, total, members, ${score} AS score
                   FROM sub WHERE n >= 2 AND ${amountWithinSql(rule, x, y)}`);
  if (ref) {
    // A single row without a subset: one row beyond the first maxGroupCandidates may complete a
    // subset of them that holds a row whose reference is found. m_gdeep: such rows' partitions
    // that have rows beyond and a row whose reference is found (ranked first, so among the searched).
    await ctx.run(`CREATE OR REPLACE TEMP TABLE m_gdeep AS
                   SELECT * FROM m_gcand_all c
                    WHERE c.pid IN (SELECT pid FROM m_gcand_all GROUP BY pid HAVING max(nearness) > ${maxCandidates} AND bool_or(refc > 0 AND nearness <= ${maxCandidates}))
                      AND c.s_rid NOT IN (SELECT s_rid FROM m_subsets)`);
    await ctx.run(`INSERT INTO m_subsets
                   WITH RECURSIVE ${recursion(`(SELECT * FROM m_gdeep WHERE nearness <= ${maxCandidates})`, rule.maxGroupSize - 1)},
                   ext AS (SELECT sub.s_rid, sub.n + 1 AS n, sub.target, sub.total + d.amt AS total, list_sort(list_append(sub.members, d.o_rid)) AS members, sub.part_sum + d.part AS part_sum
                             FROM sub JOIN m_gdeep d ON d.pid = sub.pid AND d.nearness > ${maxCandidates}
                            WHERE sub.opp + d.opp <= ${MAX_OPPOSITE_SIGN} AND sub.anchors > 0)
                   SELECT (SELECT coalesce(max(sub_id), 0) FROM m_subsets) + row_number() OVER (ORDER BY s_rid, members), s_rid, n, target, total, members, ${score}
                     FROM ext WHERE ${amountWithinSql(rule, x, y)}`);
  }
  await ctx.run('CREATE OR REPLACE TEMP TABLE m_submem AS SELECT sub_id, unnest(members) AS o_rid FROM m_subsets');
  progress(0.6);

  // 3. Rounds (group-rounds.ts).
  await decideGroups(ctx, rule, single, members, progress);
  for (const t of ['m_gcand_all', 'm_gdeep']) await ctx.run(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * A group rule's reference closeness of a (single row, member) pair, or undefined without a
 * reference condition: the reference side's value found in the text side's (condition-sql.ts,
 * whole or cut short as for 1:1), 0 when not found. Averaged over the members it is the share of
 * them whose reference the text holds, so a settlement's subset whose invoices the narrative
 * lists outranks another that only sums alike. Not required: a narrative often lists none.
 */
function groupReferenceSql(rule: PlannedRule, cols: MatchColumns, single: Side, s: string, o: string): string | undefined {
  if (!rule.reference) return undefined;
  const { field, textOn, minLength } = rule.reference;
  const col = cols.reference(field);
  const [t, r] = textOn === single ? [`${s}.${col}`, `${o}.${col}`] : [`${o}.${col}`, `${s}.${col}`];
  // The cheap test first: the costlier search runs only where the text holds the reference's first characters.
  return `CASE WHEN ${referencePrefixSql(t, r, minLength)} THEN ${referenceClosenessSql(referenceFoundSql(t, r, minLength), `length(${r})`)} ELSE 0.0 END`;
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
