/**
 * Source rows of a matching run found by their id as the file spells it: how
 * a manual match of the series' previous run finds its rows in a new run
 * (host/match-carry.ts). Rows that matching could not take (rejected, or an
 * id duplicated on its side) come back with eligible = false.
 */
import { queryRows } from '../../duckdb/open.ts';
import { literal } from '../../sql/quote.ts';
import type { RunFile } from '../run-file.ts';
import { RUN_TABLES } from '../schema.ts';
import type { MatchingLayout } from './layout.ts';
import { readRowsByRid, type MatchSide, type RowFacts } from './rows-by-rid.ts';

/** `a:LE0001`: one key per (side, id). */
export const idKey = (side: MatchSide, id: string): string => `${side}:${id}`;

/** The rows with these ids, by idKey; an id found on more than one row of its side is not eligible. */
export async function readRowsById(db: RunFile, layout: MatchingLayout, ids: readonly { side: MatchSide; id: string }[]): Promise<Map<string, RowFacts>> {
  const out = new Map<string, RowFacts>();
  for (const side of ['a', 'b'] as const) {
    const wanted = [...new Set(ids.filter((r) => r.side === side).map((r) => r.id))];
    if (wanted.length === 0) continue;
    const view = side === 'a' ? RUN_TABLES.a : RUN_TABLES.b;
    const found = await db.run((c) =>
      queryRows<{ rid: string }>(c, `SELECT __rid AS rid FROM ${view} WHERE coalesce(__key_text, CAST(__key AS VARCHAR)) IN (${wanted.map(literal).join(', ')})`),
    );
    const facts = await readRowsByRid(db, layout, found.map((r) => ({ side, rid: Number(r.rid) })));
    for (const f of facts.values()) {
      const key = idKey(side, f.id);
      // The same id twice on a side: matching never took such rows, and neither does a carry.
      out.set(key, out.has(key) ? { ...f, eligible: false } : f);
    }
  }
  return out;
}
