import { amountClosenessSql, amountWithinSql, dateWindow, nameSimilaritySql, scoreSql } from './condition-sql.ts';
import { freeRowsSql, recordMatched, type MatchContext } from './match-context.ts';
import type { PlannedRule } from './plan.ts';

/**
 * An N:M rule: groups on both sides whose sums agree, found as clusters, in SQL.
 * Among the rows still available on both sides, rows with the same values of
 * the equal and groupBy fields (across both sides) are sorted by date and
 * split wherever two consecutive dates are further apart than the window. A
 * cluster matches as N:M when it has 2..maxGroupSize rows on each side, all
 * its dates lie within the window of each other (first to last), its two
 * sums agree under the amount condition, and every A/B pair of it meets any
 * `similar` condition. No subset search: a cluster is taken whole or not at all.
 * Score: the mean of amount closeness (sum against sum), date closeness
 * (1 − span / (window + 1)) and each name similarity averaged over the
 * cluster's A/B pairs, equal conditions counting 1.
 */
export async function matchClusters(ctx: MatchContext, rule: PlannedRule, progress: (fraction: number) => void): Promise<void> {
  const { cols } = ctx;
  const amt = cols.value(rule.amount!.field);
  const day = cols.dayNumber(rule);
  const w = dateWindow(rule);
  await ctx.run(freeRowsSql('a', []));
  await ctx.run(freeRowsSql('b', []));
  const keys = [...new Map([...rule.equal, ...rule.groupBy].map((f) => [f.name, cols.value(f)])).values()];
  const partitionBy = keys.length > 0 ? `PARTITION BY ${keys.join(', ')}` : '';
  const side = (s: 'a' | 'b'): string => `SELECT '${s}' AS side, * FROM m_free_${s} WHERE ${amt} IS NOT NULL AND ${day} IS NOT NULL`;
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_crows AS
                 SELECT side, rid, ${amt} AS amt, ${day} AS dn, dense_rank() OVER (ORDER BY ${[...keys, 'cl'].join(', ')}) AS cid
                        ${rule.similar.map((s, j) => `, ${cols.name(s.field)} AS nm${j}`).join('')}
                   FROM (SELECT *, sum(brk) OVER (${partitionBy} ORDER BY ${day}, side, rid ROWS UNBOUNDED PRECEDING) AS cl
                           FROM (SELECT *, CASE WHEN ${day} - lag(${day}) OVER (${partitionBy} ORDER BY ${day}, side, rid) > ${w} THEN 1 ELSE 0 END AS brk
                                   FROM (${side('a')} UNION ALL BY NAME ${side('b')})))`);
  progress(0.4);
  const max = rule.maxGroupSize;
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_clusters AS
                 SELECT * FROM (
                   SELECT cid, count(*) FILTER (WHERE side = 'a') AS n_a, count(*) FILTER (WHERE side = 'b') AS n_b,
                          sum(amt) FILTER (WHERE side = 'a') AS sum_a, sum(amt) FILTER (WHERE side = 'b') AS sum_b, max(dn) - min(dn) AS span
                     FROM m_crows GROUP BY cid)
                  WHERE n_a BETWEEN 2 AND ${max} AND n_b BETWEEN 2 AND ${max} AND span <= ${w} AND ${amountWithinSql(rule, 'sum_a', 'sum_b')}`);
  // Name similarity over each qualifying cluster's A/B pairs (at most maxGroupSize² per cluster).
  const simCols = rule.similar.map((_, j) => `sim${j}`);
  const sims =
    rule.similar.length === 0
      ? 'SELECT cid FROM m_clusters'
      : `SELECT x.cid, ${rule.similar.map((_, j) => `min(${nameSimilaritySql(`x.nm${j}`, `y.nm${j}`)}) AS min${j}, avg(${nameSimilaritySql(`x.nm${j}`, `y.nm${j}`)}) AS sim${j}`).join(', ')}
           FROM m_crows x JOIN m_crows y ON x.cid = y.cid AND x.side = 'a' AND y.side = 'b'
          WHERE x.cid IN (SELECT cid FROM m_clusters) GROUP BY x.cid
         HAVING ${rule.similar.map((s, j) => `min${j} >= ${s.min}`).join(' AND ')}`;
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_take AS
                 WITH ok AS (SELECT c.cid, ${scoreSql(rule, [amountClosenessSql(rule, 'c.sum_a', 'c.sum_b'), `(1.0 - c.span / ${w + 1}.0)`, ...simCols.map((s) => `s.${s}`)])} AS score
                               FROM m_clusters c JOIN (${sims}) s ON s.cid = c.cid)
                 SELECT ok.cid AS grp, r.side, r.rid, ok.score FROM ok JOIN m_crows r ON r.cid = ok.cid`);
  await recordMatched(ctx, rule.index, 'm_take');
}
