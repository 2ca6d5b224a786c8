import { literal } from '../sql/quote.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import type { MatchContext } from './match-context.ts';
import type { MatchPlan } from './plan.ts';

/**
 * The run file's matching tables, from the steps' TEMP tables:
 *   matches          (match_id, side, id, rid, rule, rule_index, match_type, score)
 *   match_groups     (match_id, rule, rule_index, match_type, rows_a, rows_b, sum_a, sum_b, difference, score)
 *   match_candidates (side, rid, id, rule, candidate_side, candidate_rid, candidate_id, score, why)
 *   breaks           the keyed diff's columns (diff/sql.ts): MISSING_IN_A/B for unmatched rows,
 *                    AMBIGUOUS for ambiguous ones (the other side's value lists the candidates),
 *                    MISMATCH on a group whose sums differ (key = match id), DUPLICATE_KEY.
 * Match ids are 'M' and a zero-padded number, in the order of rule, then the
 * group's smallest A rid, then its smallest B rid.
 */

/** Candidates listed in an AMBIGUOUS break's value, the best first. */
const LISTED_CANDIDATES = 10;

export async function writeResults(ctx: MatchContext, plan: MatchPlan): Promise<void> {
  const { cols } = ctx;
  const amountOf = (i: number) => plan.rules[i]!.amount?.field ?? plan.amount;
  const rules = plan.rules.map((r, i) => {
    const f = amountOf(i);
    return `(${r.index}, ${literal(r.name)}, ${literal(r.type)}, ${f ? literal(f.name) : 'NULL'}, ${f ? literal(f.type) : 'NULL'})`;
  });
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_rules AS
                 SELECT CAST(rule_index AS INTEGER) AS rule_index, rule, match_type, CAST(amount_field AS VARCHAR) AS amount_field, CAST(amount_type AS VARCHAR) AS amount_type
                   FROM (VALUES ${rules.join(', ')}) v(rule_index, rule, match_type, amount_field, amount_type)`);

  // Sums in the widest scale any rule's amount field has, so one column holds them all exactly.
  const amountFields = plan.rules.map((_, i) => amountOf(i));
  const scale = Math.max(0, ...amountFields.map((f) => (f?.type === 'decimal' ? f.scale : 0)));
  const sumType = `DECIMAL(38, ${scale})`;
  const amountCase = amountFields.some((f) => f !== undefined)
    ? `CASE m.rule_index ${amountFields.map((f, i) => (f ? `WHEN ${i} THEN CAST(r.${cols.value(f)} AS ${sumType})` : '')).join(' ')} END`
    : `CAST(NULL AS ${sumType})`;
  // Each row's id and the amounts the sums read, in one narrow table both result statements join.
  const amountCols = [...new Set(amountFields.flatMap((f) => (f ? [cols.value(f)] : [])))];
  const keep = ['rid', 'id', ...amountCols].join(', ');
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_ids AS SELECT 'a' AS side, ${keep} FROM m_rows_a UNION ALL SELECT 'b', ${keep} FROM m_rows_b`);

  // Each member with its id and amount: one join the groups' sums and the matches table share.
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_mem AS
                 SELECT m.rule_index, m.grp, m.side, m.rid, m.score, r.id, ${amountCase} AS amt
                   FROM m_members m JOIN m_ids r ON r.side = m.side AND r.rid = m.rid`);
  // Numbered in one pass with their sums; the number is zero-padded to at least 6 digits (the width of
  // the group count: a scalar, not a window over every group, which made DuckDB hold them all first).
  await ctx.run(`CREATE OR REPLACE TEMP TABLE m_gsum AS
                 SELECT 'M' || lpad(CAST(g.seq AS VARCHAR),
                                    (SELECT CAST(greatest(6, length(CAST(count(*) AS VARCHAR))) AS INTEGER) FROM (SELECT DISTINCT rule_index, grp FROM m_mem)), '0') AS match_id,
                        ru.rule, g.rule_index, ru.match_type, g.rows_a, g.rows_b, g.sum_a, g.sum_b, g.sum_b - g.sum_a AS difference, g.score,
                        ru.amount_field, ru.amount_type, g.min_a, g.min_b, g.seq, g.grp
                   FROM (SELECT row_number() OVER (ORDER BY rule_index, min_a, min_b) AS seq, *
                           FROM (SELECT m.rule_index, m.grp, count(*) FILTER (WHERE m.side = 'a') AS rows_a, count(*) FILTER (WHERE m.side = 'b') AS rows_b,
                                        min(m.rid) FILTER (WHERE m.side = 'a') AS min_a, min(m.rid) FILTER (WHERE m.side = 'b') AS min_b, max(m.score) AS score,
                                        sum(m.amt) FILTER (WHERE m.side = 'a') AS sum_a, sum(m.amt) FILTER (WHERE m.side = 'b') AS sum_b
                                   FROM m_mem m GROUP BY m.rule_index, m.grp)) g
                   JOIN m_rules ru ON ru.rule_index = g.rule_index`);

  await ctx.run(`CREATE OR REPLACE TABLE ${RUN_TABLES.matches} AS
                 SELECT g.match_id, m.side, m.id, m.rid, g.rule, m.rule_index, g.match_type, g.score
                   FROM m_mem m JOIN m_gsum g USING (rule_index, grp)
                  ORDER BY g.seq, m.side, m.rid`);
  await ctx.run(`CREATE OR REPLACE TABLE ${RUN_TABLES.matchGroups} AS
                 SELECT match_id, rule, rule_index, match_type, rows_a, rows_b, sum_a, sum_b, difference, score FROM m_gsum ORDER BY seq`);

  await ctx.run(`CREATE OR REPLACE TABLE ${RUN_TABLES.matchCandidates} AS
                 SELECT c.side, c.rid, i.id, ru.rule, c.candidate_side, c.candidate_rid, ci.id AS candidate_id, c.score, c.why
                   FROM m_cands c JOIN m_rules ru ON ru.rule_index = c.rule_index
                   JOIN m_ids i ON i.side = c.side AND i.rid = c.rid JOIN m_ids ci ON ci.side = c.candidate_side AND ci.rid = c.candidate_rid
                  ORDER BY c.side, c.rid, c.score DESC, ci.id`);

  await ctx.run(`CREATE OR REPLACE TABLE ${RUN_TABLES.breaks} AS
                 WITH amb AS (
                   SELECT side, rid, any_value(id) AS id,
                          'candidates ' || array_to_string(list_slice(list(candidate_id ORDER BY score DESC, candidate_id), 1, ${LISTED_CANDIDATES}), ', ')
                            || CASE WHEN count(*) > ${LISTED_CANDIDATES} THEN ', … (' || count(*) || ' in all)' ELSE '' END
                            || ' (rule "' || any_value(rule) || '")' AS listed
                     FROM ${RUN_TABLES.matchCandidates} GROUP BY side, rid),
                 dup AS (
                   SELECT 'a' AS side, __rid AS rid, coalesce(__key_text, CAST(__key AS VARCHAR)) AS id FROM a
                    WHERE NOT __bad AND __key IN (SELECT __key FROM ${RUN_TABLES.dupKeys} WHERE side = 'a')
                   UNION ALL
                   SELECT 'b', __rid, coalesce(__key_text, CAST(__key AS VARCHAR)) FROM b
                    WHERE NOT __bad AND __key IN (SELECT __key FROM ${RUN_TABLES.dupKeys} WHERE side = 'b'))
                 SELECT row_number() OVER (ORDER BY key, field, diff_type, side NULLS FIRST, rid_a NULLS FIRST, rid_b NULLS FIRST) AS break_id,
                        key, field, diff_type, side, value_a, value_b, delta, field_type, rid_a, rid_b
                   FROM (
                     SELECT r.id AS key, '*' AS field, 'MISSING_IN_B' AS diff_type, NULL::VARCHAR AS side, NULL::VARCHAR AS value_a, NULL::VARCHAR AS value_b,
                            NULL::VARCHAR AS delta, NULL::VARCHAR AS field_type, r.rid AS rid_a, NULL::BIGINT AS rid_b
                       FROM m_rows_a r WHERE r.rid NOT IN (SELECT rid FROM m_state WHERE side = 'a')
                     UNION ALL
                     SELECT r.id, '*', 'MISSING_IN_A', NULL, NULL, NULL, NULL, NULL, NULL, r.rid
                       FROM m_rows_b r WHERE r.rid NOT IN (SELECT rid FROM m_state WHERE side = 'b')
                     UNION ALL
                     SELECT id, '*', 'AMBIGUOUS', side, CASE WHEN side = 'b' THEN listed END, CASE WHEN side = 'a' THEN listed END, NULL, NULL,
                            CASE WHEN side = 'a' THEN rid END, CASE WHEN side = 'b' THEN rid END
                       FROM amb
                     UNION ALL
                     SELECT match_id, amount_field, 'MISMATCH', NULL, CAST(sum_a AS VARCHAR), CAST(sum_b AS VARCHAR), CAST(difference AS VARCHAR), amount_type, min_a, min_b
                       FROM m_gsum WHERE difference <> 0
                     UNION ALL
                     SELECT id, '*', 'DUPLICATE_KEY', side, NULL, NULL, NULL, NULL, CASE WHEN side = 'a' THEN rid END, CASE WHEN side = 'b' THEN rid END
                       FROM dup)`);
}
