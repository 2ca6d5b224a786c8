/**
 * A forged client, for tests of the server's own checks: writes what the
 * local engine refuses (the maker approving their own proposal), with the
 * local trigger dropped, as an attacker with file access could.
 */
import { randomUUID } from 'node:crypto';
import { appendAuditEvent } from '../../store/audit-log.ts';
import { sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';

/** Approves `decisionId` as `approver`, bypassing every local check; returns the approval id. */
export function forgeSelfApproval(store: Store, approver: string, decisionId: string): string {
  store.db.exec('DROP TRIGGER IF EXISTS approvals_not_by_maker');
  const approvalId = randomUUID();
  store.write((tx) => {
    const d = tx.get<{ run_id: string; actor: string; kind: string }>(sql`SELECT run_id, actor, kind FROM decisions WHERE decision_id = ${decisionId}`)!;
    const rows = tx.all<{ break_id: number; to_status: string; reason: string | null }>(sql`SELECT break_id, to_status, reason FROM decision_breaks WHERE decision_id = ${decisionId}`);
    tx.run(sql`INSERT INTO approvals (approval_id, decision_id, device_id, verdict, approver, comment, decided_at)
      VALUES (${approvalId}, ${decisionId}, ${tx.deviceId}, 'APPROVED', ${approver}, NULL, ${tx.now})`);
    for (const r of rows) {
      tx.run(sql`UPDATE break_status SET status = ${r.to_status}, reason = ${r.reason}, approval_id = ${approvalId} WHERE run_id = ${d.run_id} AND break_id = ${r.break_id}`);
    }
    appendAuditEvent(tx, {
      actor: approver,
      action: 'proposal.approved',
      target: `decision:${decisionId}`,
      before: { maker: d.actor, columns: ['break_id', 'status'], rows: rows.map((r) => [r.break_id, 'PROPOSED']) },
      after: { approval_id: approvalId, verdict: 'APPROVED', run_id: d.run_id, kind: d.kind, columns: ['break_id', 'status', 'reason'], rows: rows.map((r) => [r.break_id, r.to_status, r.reason]) },
      comment: null,
    });
  });
  return approvalId;
}
