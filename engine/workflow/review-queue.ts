/**
 * The review list: a run's breaks with their current status, where a
 * decision's status (SQLite) overrides the attribution's (the run file).
 * Pages through the run file so a large run is never loaded whole.
 */
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { baseStatusOf, suggestionOf } from '../run-file/break.ts';
import type { BreakFilter, BreakSource, ReviewedBreak } from './breaks.ts';
import { asBreakStatus, type BreakStatus } from './status.ts';

/** What to list. */
export interface ReviewQuery {
  runId: string;
  /** Current status (after decisions). */
  status?: BreakStatus;
  filter?: BreakFilter;
  limit?: number;
  /** Keyset: only breaks after this id. */
  afterId?: number;
}

/** Up to `limit` breaks (default 50) in break_id order, with current status. */
export async function listBreaks(store: Store, source: BreakSource, q: ReviewQuery): Promise<ReviewedBreak[]> {
  const limit = q.limit ?? 50;
  const out: ReviewedBreak[] = [];
  let after = q.afterId ?? 0;
  // A page is checked against SQLite statuses; keep paging until `limit` survive the status filter.
  for (;;) {
    const page = await source.page(q.filter ?? {}, after, Math.max(limit, 500));
    if (page.length === 0) return out;
    const ids = page.map((b) => b.breakId);
    const rows = store.read((tx) =>
      tx.all<{ break_id: number; status: string; reason: string | null; decision_id: string }>(
        sql`SELECT break_id, status, reason, decision_id FROM break_status
             WHERE run_id = ${q.runId} AND break_id BETWEEN ${ids[0]!} AND ${ids.at(-1)!}`,
      ),
    );
    const byId = new Map(rows.map((r) => [r.break_id, r]));
    for (const b of page) {
      const s = byId.get(b.breakId);
      const status = s ? asBreakStatus(s.status) : baseStatusOf(b);
      if (q.status !== undefined && status !== q.status) continue;
      out.push({ ...b, status, reason: s ? s.reason : baseStatusOf(b) === 'AUTO' ? suggestionOf(b) : null, decisionId: s?.decision_id ?? null });
      if (out.length >= limit) return out;
    }
    after = page.at(-1)!.breakId;
  }
}
