import { queryRows } from '../duckdb/open.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { MATCH_TYPES, type MatchType } from './definition.ts';
import type { MatchContext } from './match-context.ts';
import type { MatchPlan } from './plan.ts';

/** What matching found, for the run's summary and row accounting. */
export interface MatchingResult {
  byRule: { rule: string; type: MatchType; groups: number; rowsA: number; rowsB: number }[];
  /** Matched groups per match type. */
  byType: Record<MatchType, number>;
  matchedRows: { a: number; b: number };
  /** Rows offered to matching (loaded, not rejected, id not duplicated) that no rule matched or found ambiguous. */
  unmatched: { a: number; b: number };
  ambiguous: { a: number; b: number };
  /** Loaded, non-rejected rows whose id occurs more than once on their side: never matched. */
  duplicate: { a: number; b: number };
  /** Matched groups whose amount sums differ (each a MISMATCH break). */
  groupDifferences: number;
}

type Pair = { a: number; b: number };

export async function readResult(ctx: MatchContext, plan: MatchPlan): Promise<MatchingResult> {
  const perRule = await queryRows<{ rule_index: number; groups: string; rows_a: string; rows_b: string }>(
    ctx.conn,
    `SELECT rule_index, count(*) AS groups, sum(rows_a) AS rows_a, sum(rows_b) AS rows_b FROM ${RUN_TABLES.matchGroups} GROUP BY rule_index`,
  );
  const byRule = plan.rules.map((r) => {
    const row = perRule.find((x) => Number(x.rule_index) === r.index);
    return { rule: r.name, type: r.type, groups: Number(row?.groups ?? 0), rowsA: Number(row?.rows_a ?? 0), rowsB: Number(row?.rows_b ?? 0) };
  });
  const byType = Object.fromEntries(MATCH_TYPES.map((t) => [t, 0])) as Record<MatchType, number>;
  for (const r of byRule) byType[r.type] += r.groups;

  const counts = await queryRows<{ side: 'a' | 'b'; what: string; n: string }>(
    ctx.conn,
    `SELECT side, status AS what, count(*) AS n FROM m_state GROUP BY side, status
     UNION ALL SELECT 'a', 'offered', count(*) FROM m_rows_a
     UNION ALL SELECT 'b', 'offered', count(*) FROM m_rows_b
     UNION ALL SELECT side, 'duplicate', count(*) FROM ${RUN_TABLES.breaks} WHERE diff_type = 'DUPLICATE_KEY' GROUP BY side
     UNION ALL SELECT 'a', 'differences', count(*) FROM ${RUN_TABLES.matchGroups} WHERE difference <> 0`,
  );
  const pair = (what: string): Pair => {
    const get = (side: 'a' | 'b'): number => Number(counts.find((c) => c.side === side && c.what === what)?.n ?? 0);
    return { a: get('a'), b: get('b') };
  };
  const matchedRows = pair('matched');
  const ambiguous = pair('ambiguous');
  const offered = pair('offered');
  return {
    byRule,
    byType,
    matchedRows,
    unmatched: { a: offered.a - matchedRows.a - ambiguous.a, b: offered.b - matchedRows.b - ambiguous.b },
    ambiguous,
    duplicate: pair('duplicate'),
    groupDifferences: pair('differences').a,
  };
}
