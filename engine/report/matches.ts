import { queryRows } from '../duckdb/open.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

/** One matched source row of a matching run (engine/match), with its group's sums: the XLSX's Matches sheet. */
export interface MatchedRow {
  matchId: string;
  rule: string;
  matchType: string;
  side: 'A' | 'B';
  id: string;
  score: number;
  sumA: string | null;
  sumB: string | null;
  difference: string | null;
}

/** Every matched row in match order, in batches read by key (match id, side, rid), so a million rows never sit in memory. */
export async function* matchedRows(run: FinishedRun, size = 10_000): AsyncGenerator<MatchedRow[]> {
  if (!run.file.tables.has(RUN_TABLES.matches)) return;
  let after: [string, string, number] = ['', '', -1];
  for (;;) {
    const rows = await queryRows<{ match_id: string; rule: string; match_type: string; side: string; id: string; rid: string; score: number; sum_a: string | null; sum_b: string | null; difference: string | null }>(
      run.conn,
      `SELECT m.match_id, m.rule, m.match_type, m.side, m.id, m.rid, m.score,
              CAST(g.sum_a AS VARCHAR) AS sum_a, CAST(g.sum_b AS VARCHAR) AS sum_b, CAST(g.difference AS VARCHAR) AS difference
         FROM ${RUN_TABLES.matches} m JOIN ${RUN_TABLES.matchGroups} g USING (match_id)
        WHERE (m.match_id, m.side, m.rid) > ($1, $2, $3)
        ORDER BY m.match_id, m.side, m.rid LIMIT ${Math.trunc(size)}`,
      after,
    );
    if (rows.length === 0) return;
    const last = rows.at(-1)!;
    after = [last.match_id, last.side, Number(last.rid)];
    yield rows.map((r) => ({
      matchId: r.match_id,
      rule: r.rule,
      matchType: r.match_type,
      side: r.side === 'a' ? 'A' : 'B',
      id: r.id,
      score: Number(r.score),
      sumA: r.sum_a,
      sumB: r.sum_b,
      difference: r.difference,
    }));
  }
}
