/**
 * Source rows of a matching run read by (side, rid): their id as the file
 * spells it, their amount and date (the matching amount and date fields, as
 * exact text) and whether matching could take them at all. A manual match
 * reads its rows here rather than trusting the caller's copy.
 */
import { queryRows } from '../../duckdb/open.ts';
import { ident } from '../../sql/quote.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES } from '../schema.ts';
import type { MatchingLayout } from './layout.ts';

export type MatchSide = 'a' | 'b';

/** A row's place in the run file: its side and `__rid`. */
export interface RowRef {
  side: MatchSide;
  rid: number;
}

/** A row as a manual match records it. */
export interface RowFacts extends RowRef {
  id: string;
  /** The amount field's value as exact decimal text (null without an amount field, or empty). */
  amount: string | null;
  date: string | null;
  /** Matching could take it: loaded without a reject and its id unique on its side. */
  eligible: boolean;
}

/** `a:12`: one key per row, for maps and sets. */
export const rowKey = (r: RowRef): string => `${r.side}:${r.rid}`;

/** The rows asked for that exist, by rowKey (a rid not in the file is absent from the map). */
export async function readRowsByRid(db: RunFile, layout: MatchingLayout, refs: readonly RowRef[]): Promise<Map<string, RowFacts>> {
  const out = new Map<string, RowFacts>();
  for (const side of ['a', 'b'] as const) {
    const rids = [...new Set(refs.filter((r) => r.side === side).map((r) => r.rid))].filter((rid) => Number.isSafeInteger(rid) && rid >= 0);
    if (rids.length === 0) continue;
    const amount = layout.amount ? `CAST(${ident(layout.amount.name)} AS VARCHAR)` : 'NULL::VARCHAR';
    const date = layout.date ? `CAST(${ident(layout.date.name)} AS VARCHAR)` : 'NULL::VARCHAR';
    const view = side === 'a' ? RUN_TABLES.a : RUN_TABLES.b;
    // rids are checked integers: inlined, as the grid does for its id lists.
    const rows = await db.run((c) =>
      queryRows<{ rid: string; id: string | null; amount: string | null; date: string | null; eligible: boolean }>(
        c,
        `SELECT __rid AS rid, coalesce(__key_text, CAST(__key AS VARCHAR)) AS id, ${amount} AS amount, ${date} AS date,
                (NOT __bad AND __key NOT IN (SELECT __key FROM ${RUN_TABLES.dupKeys} WHERE side = '${side}')) AS eligible
           FROM ${view} WHERE __rid IN (${rids.join(', ')})`,
      ),
    );
    for (const r of rows) {
      const ref = { side, rid: Number(r.rid) };
      out.set(rowKey(ref), { ...ref, id: r.id ?? '', amount: r.amount, date: r.date, eligible: r.eligible === true });
    }
  }
  return out;
}
