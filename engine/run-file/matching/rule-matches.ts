/**
 * The matches the run's rules made (RUN_TABLES.matches / matchGroups), read
 * by row or by match id. Never changed after the run: what people undid or
 * added by hand is applied on top (action-overlay.ts).
 */
import { queryRows } from '../../duckdb/open.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES } from '../schema.ts';
import { rowKey, type MatchSide, type RowRef } from './rows-by-rid.ts';

/** The rule match each of these rows is in, by rowKey (rows in none are absent). */
export async function readRuleMatchOfRows(db: RunFile, refs: readonly RowRef[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const side of ['a', 'b'] as const) {
    const rids = [...new Set(refs.filter((r) => r.side === side).map((r) => r.rid))].filter((rid) => Number.isSafeInteger(rid) && rid >= 0);
    if (rids.length === 0) continue;
    const rows = await db.run((c) =>
      queryRows<{ rid: string; match_id: string }>(c, `SELECT rid, match_id FROM ${RUN_TABLES.matches} WHERE side = '${side}' AND rid IN (${rids.join(', ')})`),
    );
    for (const r of rows) out.set(rowKey({ side, rid: Number(r.rid) }), r.match_id);
  }
  return out;
}

/** A rule match: its rows and exact sums; undefined when the run's rules made no such match. */
export interface RuleMatch {
  matchId: string;
  rows: { side: MatchSide; rid: number; id: string }[];
  sumA: string | null;
  sumB: string | null;
  difference: string | null;
}

export async function readRuleMatch(db: RunFile, matchId: string): Promise<RuleMatch | undefined> {
  return db.run(async (c) => {
    const [g] = await queryRows<{ sum_a: string | null; sum_b: string | null; difference: string | null }>(
      c,
      `SELECT CAST(sum_a AS VARCHAR) AS sum_a, CAST(sum_b AS VARCHAR) AS sum_b, CAST(difference AS VARCHAR) AS difference FROM ${RUN_TABLES.matchGroups} WHERE match_id = $1`,
      [matchId],
    );
    if (!g) return undefined;
    const rows = await queryRows<{ side: MatchSide; rid: string; id: string }>(c, `SELECT side, rid, id FROM ${RUN_TABLES.matches} WHERE match_id = $1 ORDER BY side, rid`, [matchId]);
    return { matchId, rows: rows.map((r) => ({ side: r.side, rid: Number(r.rid), id: r.id })), sumA: g.sum_a, sumB: g.sum_b, difference: g.difference };
  });
}
