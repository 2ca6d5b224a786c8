/**
 * Reviewers' decisions as training labels for the attribution model: every
 * break whose current status is ACCEPTED or OVERRIDDEN (an override counts
 * only once approved), with the reason and the decision it came from.
 * A reopened or rejected break is not a label.
 */
import type { TrainingExample } from '../attribution/training-data.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';

/** One label. */
export interface TrainingLabel {
  runId: string;
  breakId: number;
  reason: string;
  status: 'ACCEPTED' | 'OVERRIDDEN';
  /** The run's DuckDB file, where the break's features are. */
  duckdbPath: string;
  source: { decisionId: string; kind: string; decidedBy: string; decidedAt: string; approvalId: string | null; approvedBy: string | null };
}

interface Row {
  run_id: string;
  break_id: number;
  reason: string;
  status: 'ACCEPTED' | 'OVERRIDDEN';
  duckdb_path: string;
  decision_id: string;
  kind: string;
  actor: string;
  decided_at: string;
  approval_id: string | null;
  approver: string | null;
}

/** Every current label, by run and break (optionally one run). */
export function listTrainingLabels(store: Store, opts: { runId?: string } = {}): TrainingLabel[] {
  const runId = opts.runId ?? null;
  const rows = store.read((tx) =>
    tx.all<Row>(sql`SELECT s.run_id, s.break_id, s.reason, s.status, r.duckdb_path, d.decision_id, d.kind, d.actor, d.decided_at, s.approval_id, a.approver
                      FROM break_status s
                      JOIN decisions d ON d.decision_id = s.decision_id
                      JOIN runs r ON r.run_id = s.run_id
                      LEFT JOIN approvals a ON a.approval_id = s.approval_id
                     WHERE s.status IN ('ACCEPTED', 'OVERRIDDEN') AND s.reason IS NOT NULL
                       AND (${runId} IS NULL OR s.run_id = ${runId})
                     ORDER BY s.run_id, s.break_id`),
  );
  return rows.map((r) => ({
    runId: r.run_id,
    breakId: r.break_id,
    reason: r.reason,
    status: r.status,
    duckdbPath: r.duckdb_path,
    source: { decisionId: r.decision_id, kind: r.kind, decidedBy: r.actor, decidedAt: r.decided_at, approvalId: r.approval_id, approvedBy: r.approver },
  }));
}

/** The labels in the attribution trainer's shape (run_db, break_id, reason). */
export function listTrainingExamples(store: Store, opts: { runId?: string } = {}): TrainingExample[] {
  return listTrainingLabels(store, opts).map((l) => ({ runDb: l.duckdbPath, breakId: l.breakId, reason: l.reason }));
}
