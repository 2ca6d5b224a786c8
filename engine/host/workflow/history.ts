/** review.history: every decision (and its approval) that touched one break, from the workflow store. */
import type { CallResult } from '../../contract/index.ts';
import { sql } from '../../store/sql.ts';
import type { ReadTx, Store } from '../../store/store.ts';
import { carryOf } from '../../workflow/carry.ts';

type History = CallResult<'review.history'>;
type Entry = History['entries'][number];

interface Row {
  decision_id: string;
  kind: Entry['kind'];
  decision_reason: string | null;
  break_reason: string | null;
  comment: string | null;
  actor: string;
  decided_at: string;
  is_proposal: number;
  bulk_filter: string | null;
  break_count: number;
  from_status: Entry['from'];
  to_status: Entry['to'];
  verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | null;
  approver: string | null;
  approval_comment: string | null;
  approved_at: string | null;
}

/** How many carries back a history follows (a break open for months is carried once per run). */
const MAX_CARRIES = 60;

/**
 * The break's own decisions and, when a decision was carried to it from the
 * previous run of its series (break memory), the decisions on the break it
 * was carried from, and so on back: the whole story, oldest first.
 */
export function readHistory(store: Store, runId: string, breakId: number): History {
  return store.read((tx) => {
    const own = readEntries(tx, runId, breakId);
    const current = tx.get<{ status: Entry['to']; reason: string | null; decision_id: string; updated_at: string }>(
      sql`SELECT status, reason, decision_id, updated_at FROM break_status WHERE run_id = ${runId} AND break_id = ${breakId}`,
    );
    const first = carryOf(tx, runId, breakId);
    const earlier: Entry[] = [];
    for (let c = first, n = 0; c && n < MAX_CARRIES; n++) {
      earlier.unshift(...readEntries(tx, c.fromRunId, c.fromBreakId));
      // A dropped decision ends the story it carried: older runs' decisions were on other values.
      c = c.kept ? carryOf(tx, c.fromRunId, c.fromBreakId) : undefined;
    }
    return {
      current: current ? { status: current.status, reason: current.reason, decisionId: current.decision_id, updatedAt: current.updated_at } : null,
      entries: [...earlier, ...own],
      carried: first
        ? { fromRunId: first.fromRunId, fromBreakId: first.fromBreakId, kept: first.kept, status: first.status as Entry['to'], reason: first.reason, decisionId: first.decisionId, carriedAt: first.carriedAt }
        : null,
    };
  });
}

function readEntries(tx: ReadTx, runId: string, breakId: number): Entry[] {
  // decisions_by_run narrows to the run; decision_breaks is then probed by its primary key.
  const rows = tx.all<Row>(sql`SELECT d.decision_id, d.kind, d.reason AS decision_reason, db.reason AS break_reason, d.comment, d.actor, d.decided_at,
                                      d.is_proposal, d.bulk_filter, d.break_count, db.from_status, db.to_status,
                                      a.verdict, a.approver, a.comment AS approval_comment, a.decided_at AS approved_at
                                 FROM decisions d
                                 JOIN decision_breaks db ON db.decision_id = d.decision_id AND db.break_id = ${breakId}
                                 LEFT JOIN approvals a ON a.decision_id = d.decision_id
                                WHERE d.run_id = ${runId}
                                ORDER BY d.decided_at, d.decision_id`);
  return rows.map((r) => ({
    runId,
    decisionId: r.decision_id,
    kind: r.kind,
    reason: r.decision_reason ?? r.break_reason,
    comment: r.comment,
    actor: r.actor,
    decidedAt: r.decided_at,
    proposal: r.is_proposal === 1,
    bulk: r.bulk_filter !== null,
    breakCount: r.break_count,
    from: r.from_status,
    to: r.to_status,
    approval: r.verdict === null ? null : { verdict: r.verdict, approver: r.approver ?? '', comment: r.approval_comment, decidedAt: r.approved_at ?? '' },
  }));
}
