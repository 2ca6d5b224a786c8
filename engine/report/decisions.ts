import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, STORE_FILE, type Store } from '../store/open.ts';
import { sql } from '../store/sql.ts';

/**
 * Reviewers' decisions on a run's breaks, from the workflow store: the
 * current status, the reason it carries, who decided and who approved. A
 * break no decision touched keeps the model's AUTO/REVIEW status and is
 * absent here. Read per break-id range, so an export of a million breaks
 * never holds every decision at once.
 */
export interface DecisionInfo {
  status: string;
  reason: string | null;
  kind: string;
  decidedBy: string;
  decidedAt: string;
  comment: string | null;
  approvedBy: string | null;
}

export interface DecisionReader {
  /** Decisions on breaks lo..hi (inclusive), by break id. */
  range(lo: number, hi: number): Map<number, DecisionInfo>;
  /** Current status counts over decided breaks. */
  statusCounts(): Record<string, number>;
}

/** A reader with no decisions (no workspace store). */
export const NO_DECISIONS: DecisionReader = { range: () => new Map(), statusCounts: () => ({}) };

/** Reads decisions of `runId` from an open store. */
export function decisionReader(store: Store, runId: string): DecisionReader {
  return {
    range(lo, hi) {
      const rows = store.read((tx) =>
        tx.all<{ break_id: number; status: string; reason: string | null; kind: string; actor: string; decided_at: string; comment: string | null; approver: string | null }>(
          sql`SELECT s.break_id, s.status, s.reason, d.kind, d.actor, d.decided_at, d.comment, a.approver
                FROM break_status s JOIN decisions d ON d.decision_id = s.decision_id
                LEFT JOIN approvals a ON a.approval_id = s.approval_id
               WHERE s.run_id = ${runId} AND s.break_id BETWEEN ${lo} AND ${hi}`,
        ),
      );
      return new Map(
        rows.map((r) => [
          r.break_id,
          { status: r.status, reason: r.reason, kind: r.kind, decidedBy: r.actor, decidedAt: r.decided_at, comment: r.comment, approvedBy: r.approver },
        ]),
      );
    },
    statusCounts() {
      const rows = store.read((tx) => tx.all<{ status: string; n: number }>(sql`SELECT status, count(*) AS n FROM break_status WHERE run_id = ${runId} GROUP BY status`));
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
  };
}

/** Opens the workspace store only when it already exists: exporting never creates one. */
export function openExistingStore(workspace: string): Store | undefined {
  return existsSync(join(workspace, STORE_FILE)) ? openStore(workspace) : undefined;
}
