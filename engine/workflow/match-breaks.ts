/**
 * Breaks follow the rows of a manual match. When a MATCH comes into force
 * (at once, or when approved) the breaks of its rows (MISSING_IN_A/B,
 * AMBIGUOUS: the rows were unmatched) are settled by an ACCEPT decision with
 * reason MANUAL_MATCH; when the UNMATCH of a manual match comes into force,
 * the breaks that decision settled are reopened (REOPEN, back to REVIEW). Both
 * are ordinary decisions (decisions + decision_breaks + break_status), so the
 * review queue, the grid, history and team sync see them as any other; they
 * are written in the match action's transaction and recorded inside its
 * audit event (`settle`), where the team server projects them from.
 *
 * Only breaks where the rows left them move: an ACCEPT takes open breaks
 * (AUTO, REVIEW); one someone decided or proposed meanwhile is left alone. A
 * REOPEN takes back only breaks still ACCEPTED with MANUAL_MATCH.
 */
import { randomUUID } from 'node:crypto';
import { MANUAL_MATCH_REASON } from '../attribution/catalogue.ts';
import type { JsonValue } from '../store/canonical-json.ts';
import { jsonList, sql } from '../store/sql.ts';
import type { WriteTx } from '../store/store.ts';
import { setStatus } from './decisions.ts';
import type { Identity } from './identity.ts';
import { asBreakStatus, checkTransition, isOpen, type BreakStatus } from './status.ts';

/** A break of a matched row, with the attribution's status (its status while no decision touched it). */
export interface FollowingBreak {
  breakId: number;
  baseStatus: 'AUTO' | 'REVIEW';
}

/** The decision that moved the breaks, as the audit event records it (the server projects it from there). */
export interface SettleRecord {
  decision_id: string;
  run_id: string;
  kind: 'ACCEPT' | 'REOPEN';
  reason: string | null;
  /** The decision's comment (the action's, with the match it follows). */
  comment: string;
  columns: ['break_id', 'from_status', 'to_status', 'reason'];
  rows: [number, BreakStatus, BreakStatus, string | null][];
}

/** The settle record as JSON for an audit event (null when no break moved). */
export const settleJson = (s: SettleRecord | null): JsonValue => (s === null ? null : (s as unknown as JsonValue));

/**
 * Writes the decision that makes the breaks follow a match coming into force
 * (ACCEPT) or a manual match undone (REOPEN); null when no break is where it
 * can move from.
 */
export function settleMatchBreaks(
  tx: WriteTx,
  actor: Identity,
  input: { runId: string; kind: 'ACCEPT' | 'REOPEN'; breaks: readonly FollowingBreak[]; comment: string; approvalId?: string | null },
): SettleRecord | null {
  const ids = input.breaks.map((b) => b.breakId);
  const current = new Map(
    tx
      .all<{ break_id: number; status: string; reason: string | null }>(
        sql`SELECT break_id, status, reason FROM break_status WHERE run_id = ${input.runId} AND break_id IN (SELECT value FROM json_each(${jsonList(ids)}))`,
      )
      .map((r) => [r.break_id, { status: asBreakStatus(r.status), reason: r.reason }]),
  );
  const rows: SettleRecord['rows'] = [];
  for (const b of [...input.breaks].sort((x, y) => x.breakId - y.breakId)) {
    const now = current.get(b.breakId);
    const from = now?.status ?? b.baseStatus;
    if (input.kind === 'ACCEPT' && isOpen(from)) {
      checkTransition('ACCEPT', from, 'ACCEPTED', `break ${b.breakId}`);
      rows.push([b.breakId, from, 'ACCEPTED', MANUAL_MATCH_REASON]);
    } else if (input.kind === 'REOPEN' && from === 'ACCEPTED' && now?.reason === MANUAL_MATCH_REASON) {
      checkTransition('REOPEN', from, 'REVIEW', `break ${b.breakId}`);
      rows.push([b.breakId, from, 'REVIEW', null]);
    }
  }
  if (rows.length === 0) return null;
  const decisionId = randomUUID();
  const reason = input.kind === 'ACCEPT' ? MANUAL_MATCH_REASON : null;
  tx.run(sql`INSERT INTO decisions (decision_id, device_id, run_id, kind, reason, comment, actor, decided_at, is_proposal, bulk_filter, break_count)
    VALUES (${decisionId}, ${tx.deviceId}, ${input.runId}, ${input.kind}, ${reason}, ${input.comment}, ${actor.userId}, ${tx.now}, 0, NULL, ${rows.length})`);
  for (const [breakId, from, to, r] of rows) {
    tx.run(sql`INSERT INTO decision_breaks (decision_id, break_id, from_status, to_status, reason) VALUES (${decisionId}, ${breakId}, ${from}, ${to}, ${r})`);
    setStatus(tx, input.runId, breakId, to, r, decisionId, null);
  }
  return { decision_id: decisionId, run_id: input.runId, kind: input.kind, reason, comment: input.comment, columns: ['break_id', 'from_status', 'to_status', 'reason'], rows };
}
