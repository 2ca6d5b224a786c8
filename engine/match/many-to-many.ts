import { amountBucketSql, amountClosenessSql, amountWithinSql, dateClosenessSql, dateWindow, equalSql, nameSimilaritySql, scoreSql } from './condition-sql.ts';
import { groupBlocking } from './group-blocking.ts';
import { freeRowsSql, type MatchContext } from './match-context.ts';
import { decideManyToMany } from './many-to-many-decide.ts';
import type { PlannedRule } from './plan.ts';

/**
 * An N:M rule: a group of A rows against a group of B rows whose sums agree,
 * in SQL:
 *   1. edges: pairs of a still-available A row and B row meeting the rule's
 *      per-row conditions: the equal fields equal, dates within the window,
 *      names similar (`similar`), found by group-blocking.ts (day numbers and
 *      the names' first three characters), never by comparing every pair.
 *      Only rows with an edge take part;
 *   2. each side's subsets (a recursive CTE): 1..maxGroupSize rows sharing
 *      that side's groupBy values, all within the date window of each other,
 *      drawn from a row and the maxGroupCandidates rows after it in date
 *      order (bounding the search where a counterparty has many rows);
 *   3. candidate groups: an A subset and a B subset of 2 or more rows each
 *      whose sums agree (an equality join on the sum, or on its tolerance
 *      buckets), all their dates within the window of each other, every row
 *      with an edge to a row of the other subset (a group hangs together);
 *   4. decided by many-to-many-decide.ts.
 * The sides need not spell the groupBy values alike (the statement names a
 * counterparty its own way): edges link them, through `similar`.
 * Score: the mean of amount closeness (sum against sum) and, averaged over
 * the group's edges, date closeness and each name similarity; equal
 * conditions count 1.
 */
export async function matchManyToMany(ctx: MatchContext, rule: PlannedRule, maxCandidates: number, progress: (fraction: number) => void): Promise<void> {
  const { cols } = ctx;
  const amt = cols.value(rule.amount!.field);
  const day = cols.dayNumber(rule);
  const w = dateWindow(rule);
  const block = groupBlocking(rule, cols);
  await ctx.run(freeRowsSql('a', cols.ruleColumns(rule), block.extra));
  await ctx.run(freeRowsSql('b', cols.ruleColumns(rule), block.extra));

  // 1. Edges.
  const sims = rule.similar.map((s, j) => ({ sql: nameSimilaritySql(`x.${cols.name(s.field)}`, `y.${cols.name(s.field)}`), min: s.min, j }));
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_nedge AS
                 SELECT * FROM (
                   SELECT x.rid AS rid_a, y.rid AS rid_b, y.${day} - x.${day} AS dd${sims.map(({ sql, j }) => `, ${sql} AS sim${j}`).join('')}
                     FROM (SELECT *, ${block.probeKey} AS __key_n FROM m_free_a WHERE ${amt} IS NOT NULL) x
                     JOIN m_free_b y ON y.${block.targetKey} = x.__key_n${[...block.on('x', 'y'), ...equalSql(rule, cols, 'x', 'y')].map((e) => ` AND ${e}`).join('')}
                    WHERE y.${amt} IS NOT NULL AND abs(y.${day} - x.${day}) <= ${w})
                 ${sims.length > 0 ? `WHERE ${sims.map(({ min, j }) => `sim${j} >= ${min}`).join(' AND ')}` : ''}`);
  progress(0.2);

  // 2. Subsets per side. `gid`: the side's groupBy values as a number; `pos`: the row's place in date order among them.
  const groupBy = rule.groupBy.map((f) => `r.${cols.value(f)}`);
  const gid = groupBy.length > 0 ? `dense_rank() OVER (ORDER BY ${groupBy.join(', ')})` : '0';
  const rows = (side: 'a' | 'b'): string =>
    `SELECT '${side}' AS side, rid, amt, dn, gid, row_number() OVER (PARTITION BY gid ORDER BY dn, rid) AS pos
       FROM (SELECT r.rid, r.${amt} AS amt, r.${day} AS dn, ${gid} AS gid FROM m_free_${side} r WHERE r.rid IN (SELECT rid_${side} FROM m_nedge))`;
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_crows AS ${rows('a')} UNION ALL ${rows('b')}`);
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_nsub AS
                 WITH RECURSIVE sub(side, gid, first_pos, last_pos, n, total, dmin, dmax, members) AS (
                   SELECT side, gid, pos, pos, 1, amt, dn, dn, [rid] FROM m_crows
                   UNION ALL
                   SELECT s.side, s.gid, s.first_pos, c.pos, s.n + 1, s.total + c.amt, least(s.dmin, c.dn), greatest(s.dmax, c.dn), list_append(s.members, c.rid)
                     FROM sub s JOIN m_crows c ON c.side = s.side AND c.gid = s.gid AND c.pos > s.last_pos AND c.pos <= s.first_pos + ${maxCandidates}
                    WHERE s.n < ${rule.maxGroupSize} AND greatest(s.dmax, c.dn) - least(s.dmin, c.dn) <= ${w})
                 SELECT row_number() OVER () AS sub_id, side, gid, n, total, dmin, dmax, members FROM sub`);
  progress(0.5);

  // 3. Candidate groups.
  const key = amountBucketSql(rule, 'total');
  const keyed = (side: 'a' | 'b', neighbours: boolean): string =>
    `SELECT *, ${key === undefined ? '0' : neighbours && key.neighbours ? `unnest([${key.sql} - 1, ${key.sql}, ${key.sql} + 1])` : key.sql} AS __k FROM m_nsub WHERE side = '${side}' AND n >= 2`;
  const edgeCloseness = [dateClosenessSql(rule, 'e.dd'), ...rule.similar.map((_, j) => `e.sim${j}`)];
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_ncand AS
                 WITH pair AS (SELECT row_number() OVER () AS cand_id, x.gid AS gid_a, y.gid AS gid_b, x.total AS sum_a, y.total AS sum_b, x.members AS rids_a, y.members AS rids_b
                                 FROM (${keyed('a', true)}) x JOIN (${keyed('b', false)}) y ON y.__k = x.__k
                                WHERE greatest(x.dmax, y.dmax) - least(x.dmin, y.dmin) <= ${w} AND ${amountWithinSql(rule, 'x.total', 'y.total')}),
                      inner_edges AS (SELECT p.cand_id, e.rid_a, e.rid_b, ${edgeCloseness.map((c, i) => `${c} AS c${i}`).join(', ')}
                                        FROM (SELECT cand_id, unnest(rids_a) AS rid_a, rids_b FROM pair) p
                                        JOIN m_nedge e ON e.rid_a = p.rid_a AND list_contains(p.rids_b, e.rid_b)),
                      held AS (SELECT cand_id, count(DISTINCT rid_a) AS linked_a, count(DISTINCT rid_b) AS linked_b, ${edgeCloseness.map((_, i) => `avg(c${i}) AS c${i}`).join(', ')}
                                 FROM inner_edges GROUP BY cand_id)
                 SELECT p.*, ${scoreSql(rule, [amountClosenessSql(rule, 'p.sum_a', 'p.sum_b'), ...edgeCloseness.map((_, i) => `h.c${i}`)])} AS score
                   FROM pair p JOIN held h USING (cand_id)
                  WHERE h.linked_a = len(p.rids_a) AND h.linked_b = len(p.rids_b)`);
  progress(0.8);
  await decideManyToMany(ctx, rule);
}
