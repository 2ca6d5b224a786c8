import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, STORE_FILE, type Store } from '../store/open.ts';
import { sql } from '../store/sql.ts';
import { readReasonSlas } from '../workflow/reason-codes.ts';
import { NO_PROPOSALS, readDecidedStatuses, readProposalCounts, type DecidedStatus, type ProposalCounts } from './review-figures.ts';

/**
 * Reviewers' decisions on a run's breaks, from the workflow store: the
 * current status and the reason it carries, the decision that last moved the
 * break, and, for a proposal, what became of it (waiting, approved, rejected
 * by an approver, withdrawn by its maker) and who settled it. A break no
 * decision touched keeps the model's AUTO/REVIEW status and is absent here.
 * Read per break-id range, so an export of a million breaks never holds
 * every decision at once.
 */
export type ProposalOutcome = 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN';

export interface DecisionInfo {
  /** The break's status now (a rejected or withdrawn proposal leaves it where it was). */
  status: string;
  /** The reason it carries now; null where the model's stands. */
  reason: string | null;
  /** The decision that last moved it, and the reason that decision gave (or proposed) for this break. */
  kind: string;
  decisionReason: string | null;
  decidedBy: string;
  decidedAt: string;
  comment: string | null;
  /** Null for a decision that took effect at once; else the proposal's outcome. */
  outcome: ProposalOutcome | null;
  /** Who approved, rejected or withdrew the proposal. */
  outcomeBy: string | null;
  outcomeAt: string | null;
  outcomeComment: string | null;
  /** The approver, only when the proposal was approved. */
  approvedBy: string | null;
}

export interface DecisionReader {
  /** Decisions on breaks lo..hi (inclusive), by break id. */
  range(lo: number, hi: number): Map<number, DecisionInfo>;
  /** Every break's status and reason in the store (the review figures join them in SQL). */
  statuses(): DecidedStatus[];
  /** The run's proposals by outcome. */
  proposals(): ProposalCounts;
  /** Each reason code's SLA in days (codes without one are absent). */
  reasonSlas(): { reason: string; sla_days: number }[];
}

/** A reader with no decisions (no workspace store). */
export const NO_DECISIONS: DecisionReader = { range: () => new Map(), statuses: () => [], proposals: () => NO_PROPOSALS, reasonSlas: () => [] };

interface Row {
  break_id: number;
  status: string;
  reason: string | null;
  kind: string;
  decision_reason: string | null;
  actor: string;
  decided_at: string;
  comment: string | null;
  is_proposal: number;
  verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | null;
  approver: string | null;
  approved_at: string | null;
  approval_comment: string | null;
}

/** Reads decisions of `runId` from an open store. */
export function decisionReader(store: Store, runId: string): DecisionReader {
  return {
    range(lo, hi) {
      // The verdict is the proposal's own (approvals.decision_id), not break_status.approval_id's alone:
      // a rejected proposal leaves the break where it was, with the rejection as its last approval.
      const rows = store.read((tx) =>
        tx.all<Row>(
          sql`SELECT s.break_id, s.status, s.reason, d.kind, coalesce(db.reason, d.reason) AS decision_reason, d.actor, d.decided_at, d.comment, d.is_proposal,
                     a.verdict, a.approver, a.decided_at AS approved_at, a.comment AS approval_comment
                FROM break_status s JOIN decisions d ON d.decision_id = s.decision_id
                LEFT JOIN decision_breaks db ON db.decision_id = s.decision_id AND db.break_id = s.break_id
                LEFT JOIN approvals a ON a.decision_id = s.decision_id
               WHERE s.run_id = ${runId} AND s.break_id BETWEEN ${lo} AND ${hi}`,
        ),
      );
      return new Map(
        rows.map((r) => {
          const outcome: ProposalOutcome | null = r.is_proposal === 1 ? (r.verdict ?? 'PENDING') : null;
          return [
            r.break_id,
            {
              status: r.status,
              reason: r.reason,
              kind: r.kind,
              decisionReason: r.decision_reason,
              decidedBy: r.actor,
              decidedAt: r.decided_at,
              comment: r.comment,
              outcome,
              outcomeBy: r.verdict === null ? null : r.approver,
              outcomeAt: r.verdict === null ? null : r.approved_at,
              outcomeComment: r.verdict === null ? null : r.approval_comment,
              approvedBy: r.verdict === 'APPROVED' ? r.approver : null,
            },
          ];
        }),
      );
    },
    statuses: () => readDecidedStatuses(store, runId),
    proposals: () => readProposalCounts(store, runId),
    reasonSlas: () => store.read((tx) => readReasonSlas(tx)),
  };
}

/** Opens the workspace store only when it already exists: exporting never creates one. */
export function openExistingStore(workspace: string): Store | undefined {
  return existsSync(join(workspace, STORE_FILE)) ? openStore(workspace) : undefined;
}
