/**
 * The breaks that follow a row when it is matched or unmatched by hand: an
 * unmatched row's MISSING_IN_B (side A) or MISSING_IN_A (side B) break, and
 * an ambiguous row's AMBIGUOUS break, each with the attribution's status (what
 * the break is when no decision has touched it).
 */
import { queryRows } from '../../duckdb/open.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES } from '../schema.ts';
import type { MatchSide, RowRef } from './rows-by-rid.ts';

/** A row's break and the status it has without a decision. */
export interface RowBreak {
  side: MatchSide;
  rid: number;
  breakId: number;
  diffType: 'MISSING_IN_A' | 'MISSING_IN_B' | 'AMBIGUOUS';
  baseStatus: 'AUTO' | 'REVIEW';
}

/** The breaks of these rows that a manual match settles, in break id order. */
export async function readRowBreaks(db: RunFile, refs: readonly RowRef[]): Promise<RowBreak[]> {
  const ridsOf = (side: MatchSide): number[] => [...new Set(refs.filter((r) => r.side === side).map((r) => r.rid))].filter((rid) => Number.isSafeInteger(rid) && rid >= 0);
  const a = ridsOf('a');
  const b = ridsOf('b');
  if (a.length + b.length === 0) return [];
  const inList = (col: string, rids: number[]): string => (rids.length === 0 ? 'false' : `${col} IN (${rids.join(', ')})`);
  const status = db.hasAttributions ? `coalesce(t.status, 'REVIEW')` : `'REVIEW'`;
  const join = db.hasAttributions ? `LEFT JOIN ${RUN_TABLES.attributions} t ON t.break_id = k.break_id` : '';
  const rows = await db.run((c) =>
    queryRows<{ break_id: string; diff_type: RowBreak['diffType']; rid_a: string | null; rid_b: string | null; status: string }>(
      c,
      `SELECT k.break_id, k.diff_type, k.rid_a, k.rid_b, ${status} AS status
         FROM ${RUN_TABLES.breaks} k ${join}
        WHERE k.diff_type IN ('MISSING_IN_A', 'MISSING_IN_B', 'AMBIGUOUS')
          AND ((k.rid_a IS NOT NULL AND k.rid_b IS NULL AND ${inList('k.rid_a', a)}) OR (k.rid_b IS NOT NULL AND k.rid_a IS NULL AND ${inList('k.rid_b', b)}))
        ORDER BY k.break_id`,
    ),
  );
  return rows.map((r) => ({
    side: r.rid_a !== null ? 'a' : 'b',
    rid: Number(r.rid_a ?? r.rid_b),
    breakId: Number(r.break_id),
    diffType: r.diff_type,
    baseStatus: r.status === 'AUTO' ? 'AUTO' : 'REVIEW',
  }));
}
