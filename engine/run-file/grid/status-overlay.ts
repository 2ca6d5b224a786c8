/**
 * Keeps a run file's `status_overlay` TEMP table equal to the run's decided
 * statuses in the workflow store (`break_status`), so the grid sorts, filters
 * and shows PROPOSED / ACCEPTED / OVERRIDDEN / REJECTED over the model's
 * AUTO / REVIEW in SQL, without loading breaks into JavaScript.
 *
 * Cheap to call before every grid query: every status change is written in
 * the same transaction as an audit event, so the audit heads are a stamp of
 * "anything changed", also for writes by another process on the workspace.
 * Only when the stamp moved are the run's rows read; only when they differ is
 * the overlay replaced (which drops the run's cached views). The reason
 * codes' SLAs (`reason_sla`, for the days past SLA) follow the same way: an
 * SLA change is audited too.
 */
import { createHash } from 'node:crypto';
import { sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';
import { readReasonSlas } from '../../workflow/reason-codes.ts';
import type { RunFile } from '../run-file.ts';

/** The last workflow stamp each open run handle was brought up to date with. */
const seen = new WeakMap<RunFile, string>();

/** A value that changes whenever any audit event (hence any status change) is committed. */
export function workflowStamp(store: Store): string {
  return store
    .read((tx) => tx.all<{ device_id: string; seq: number }>(sql`SELECT device_id, seq FROM audit_heads ORDER BY device_id`))
    .map((h) => `${h.device_id}:${h.seq}`)
    .join(',');
}

/** Brings `db`'s overlay up to date with the store. */
export async function syncOverlay(db: RunFile, store: Store): Promise<void> {
  const stamp = workflowStamp(store);
  if (seen.get(db) === stamp) return;
  const rows = store.read((tx) =>
    tx.all<{ break_id: number; status: string; reason: string | null }>(
      sql`SELECT break_id, status, reason FROM break_status WHERE run_id = ${db.runId} ORDER BY break_id`,
    ),
  );
  const digest = rows.length === 0 ? '' : createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  if (digest !== db.overlayDigest) await db.replaceOverlay(rows, digest);
  const slas = store.read((tx) => readReasonSlas(tx));
  const slaDigest = slas.length === 0 ? '' : createHash('sha256').update(JSON.stringify(slas)).digest('hex');
  if (slaDigest !== db.slaDigest) await db.replaceSla(slas, slaDigest);
  seen.set(db, stamp);
}
