/**
 * Decisions carried forward across a series (break memory, engine/series).
 * Before a run starts, the host hands it the decisions in force on the
 * previous run's breaks (decisionsInForce). The run links its breaks to the
 * previous run's and says, per decided break, whether it carries (CARRIED:
 * same values) or drops (CHANGED) the decision. When the run completes,
 * carryDecisions writes that into the store in the same transaction as the
 * run's completion: a carried break gets a status row of its own pointing at
 * the same decision and approval, so a pending proposal stays attached to it
 * and settles it too (approvals.ts), and every carry or drop is kept in
 * break_carries for the break's history. One audit event (breaks.carried)
 * records them all; team sync pushes it like any other event and the server
 * checks it against its own statuses. No approval is needed: nothing is
 * decided anew, a decision already made (and approved, where it needed it)
 * applies to a break whose values have not moved.
 */
import { ReconError } from '../errors/recon-error.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, WriteTx } from '../store/store.ts';
import type { Identity } from './identity.ts';
import { setStatus } from './decisions.ts';

/** A decided status that can carry: a final decision, or a proposal still waiting. */
export const CARRIED_STATUSES = ['PROPOSED', 'ACCEPTED', 'OVERRIDDEN', 'REJECTED'] as const;

/** A decision in force on a break of the previous run (what the run is handed). */
export interface DecisionInForce {
  breakId: number;
  status: string;
  reason: string | null;
  decisionId: string;
  approvalId: string | null;
}

/** What the run said about one of those: carried to a break of the new run, or dropped there. */
export interface CarriedDecision extends DecisionInForce {
  /** The new run's break. */
  breakId: number;
  /** The previous run's break the decision was on. */
  previousBreakId: number;
  kept: boolean;
}

/** The decisions in force on a run's breaks, from the store's break_status. */
export function decisionsInForce(tx: ReadTx, runId: string): DecisionInForce[] {
  return tx
    .all<{ break_id: number; status: string; reason: string | null; decision_id: string; approval_id: string | null }>(
      sql`SELECT break_id, status, reason, decision_id, approval_id FROM break_status
           WHERE run_id = ${runId} AND status IN ('PROPOSED', 'ACCEPTED', 'OVERRIDDEN', 'REJECTED') ORDER BY break_id`,
    )
    .map((r) => ({ breakId: r.break_id, status: r.status, reason: r.reason, decisionId: r.decision_id, approvalId: r.approval_id }));
}

/**
 * Writes the carries of a completed run. Each must match what is in force on
 * the previous break now: a decision settled or withdrawn while the run ran
 * is not carried in its old form (the run's own file says it was; the store,
 * which is the truth for statuses, does not).
 */
export function carryDecisions(tx: WriteTx, actor: Identity, runId: string, fromRunId: string, carried: readonly CarriedDecision[]): { kept: number; dropped: number } {
  if (carried.length === 0) return { kept: 0, dropped: 0 };
  const inForce = new Map(decisionsInForce(tx, fromRunId).map((d) => [d.breakId, d]));
  const rows: (string | number | boolean | null)[][] = [];
  let kept = 0;
  let dropped = 0;
  for (const c of carried) {
    const now = inForce.get(c.previousBreakId);
    if (!now || now.decisionId !== c.decisionId) continue;
    if (tx.get(sql`SELECT 1 AS x FROM break_status WHERE run_id = ${runId} AND break_id = ${c.breakId}`)) {
      throw new ReconError('ILLEGAL_TRANSITION', `break ${c.breakId} of run ${runId} already has a status; decisions are carried only once, when the run completes`);
    }
    if (c.kept) {
      setStatus(tx, runId, c.breakId, now.status as never, now.reason, now.decisionId, now.approvalId);
      kept++;
    } else dropped++;
    // A decision carried before keeps pointing at the break it was made on.
    const before = tx.get<{ origin_break_id: number }>(
      sql`SELECT origin_break_id FROM break_carries WHERE run_id = ${fromRunId} AND break_id = ${c.previousBreakId} AND kept = 1 AND decision_id = ${now.decisionId}`,
    );
    const origin = before?.origin_break_id ?? c.previousBreakId;
    tx.run(sql`INSERT INTO break_carries (run_id, break_id, from_run_id, from_break_id, decision_id, origin_break_id, kept, status, reason, carried_at)
      VALUES (${runId}, ${c.breakId}, ${fromRunId}, ${c.previousBreakId}, ${now.decisionId}, ${origin}, ${c.kept ? 1 : 0}, ${now.status}, ${now.reason}, ${tx.now})`);
    rows.push([c.breakId, c.previousBreakId, origin, now.decisionId, now.approvalId, now.status, now.reason, c.kept]);
  }
  if (rows.length > 0) {
    appendAuditEvent(tx, {
      actor: actor.userId,
      action: 'breaks.carried',
      target: `run:${runId}`,
      before: { run_id: fromRunId },
      after: {
        run_id: runId,
        from_run_id: fromRunId,
        kept,
        dropped,
        columns: ['break_id', 'from_break_id', 'origin_break_id', 'decision_id', 'approval_id', 'status', 'reason', 'kept'],
        rows,
      },
      comment: dropped > 0 ? `${kept} decision(s) carried; ${dropped} dropped because the break's values changed since the decision` : `${kept} decision(s) carried`,
    });
  }
  return { kept, dropped };
}

/** A break's carries into later runs and from earlier ones, for its history. */
export interface CarryRecord {
  runId: string;
  breakId: number;
  fromRunId: string;
  fromBreakId: number;
  decisionId: string;
  kept: boolean;
  status: string;
  reason: string | null;
  carriedAt: string;
}

/** How the decision on (runId, breakId) got there, if it was carried (or dropped) from the run before. */
export function carryOf(tx: ReadTx, runId: string, breakId: number): CarryRecord | undefined {
  const r = tx.get<{ from_run_id: string; from_break_id: number; decision_id: string; kept: number; status: string; reason: string | null; carried_at: string }>(
    sql`SELECT from_run_id, from_break_id, decision_id, kept, status, reason, carried_at FROM break_carries WHERE run_id = ${runId} AND break_id = ${breakId}`,
  );
  return r && { runId, breakId, fromRunId: r.from_run_id, fromBreakId: r.from_break_id, decisionId: r.decision_id, kept: r.kept === 1, status: r.status, reason: r.reason, carriedAt: r.carried_at };
}
