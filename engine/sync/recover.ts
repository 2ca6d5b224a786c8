/**
 * Recovery of a restored or copied workspace (restored.ts): it continues as a
 * NEW device. The old device's chain stays as it is, locally and on the
 * server (both verify; neither is rewritten). The local acts the server lacks
 * (the old chain's events after the last seq both hold the same) are appended
 * again, unchanged, to the new device's chain, after one recovery event
 * (`sync.recovered` on `device:recovered`) that names the old and new device and maps every original (seq,
 * event id, hash) to its new seq. They then go through the server's normal
 * rules: a decision on a break the team moved meanwhile is SUPERSEDED.
 *
 * What must not happen, and why it cannot:
 * - a duplicate on the server: only events after the common prefix are
 *   re-queued, and none of those is on the server (the chains differ from
 *   that seq on, and event ids are per append); recovery is one local
 *   transaction and refuses to run when the workspace is not restored, so it
 *   never runs twice for one fork;
 * - a lost act: every event of the old chain after the common prefix is
 *   re-queued but the pull's mirror of server roles (actor `team-server`),
 *   which the server already has; the events the server holds and this
 *   workspace lacks come down with the next pull as another device's work.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AUDIT_ACTIONS, appendAuditEvent, noteIdentityIfDue, type AuditAction } from '../store/audit-log.ts';
import type { JsonValue } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { Store, WriteTx } from '../store/store.ts';
import type { Identity } from '../workflow/identity.ts';
import { requireRole } from '../workflow/roles.ts';
import { withClient } from './connection.ts';
import { SyncError } from './errors.ts';
import { getState, setState } from './local-state.ts';
import { detectRestored, type RestoredState } from './restored.ts';

/** The actor of the role events a pull mirrors from the server (apply-remote.ts): not this workspace's acts. */
const MIRROR_ACTOR = 'team-server';

const ACTION = 'continue a restored workspace as a new device';

/** The recovery event's target. */
export const RECOVERY_TARGET = 'device:recovered';

const isAuditAction = (a: string): a is AuditAction => (AUDIT_ACTIONS as readonly string[]).includes(a);

/** What a recovery did. */
export interface RecoveryResult {
  oldDeviceId: string;
  newDeviceId: string;
  /** The last seq of the old device that the server holds as this workspace does. */
  commonSeq: number;
  /** The re-queued events: the original seq and the new one. */
  requeued: { fromSeq: number; toSeq: number; action: string }[];
  /** The new device's seq of the `sync.recovered` event. */
  recoveryEventSeq: number;
}

interface OldEvent {
  seq: number;
  event_id: string;
  hash: string;
  actor: string;
  action: string;
  target: string;
  before: string;
  after: string;
  comment: string | null;
}

/**
 * `recon sync recover`: checks with the server that this workspace is
 * restored, then re-registers it as a new device and re-queues what the
 * server lacks, in one local transaction. Admin only. The store keeps the old
 * device id in memory: the caller closes it and opens it again.
 */
export async function recoverWorkspace(store: Store, pool: pg.Pool, actor: Identity, opts: { newDeviceId?: string } = {}): Promise<RecoveryResult> {
  requireRecoverer(store, actor);
  const restored = await withClient(pool, (client) => detectRestored(store, client));
  if (!restored) {
    throw new SyncError('SYNC_INVALID_SETTINGS', `this workspace is not a restored or copied one: the team server holds nothing of device ${store.deviceId} that it lacks; there is nothing to recover`);
  }
  return store.write((tx) => {
    requireRole(tx, actor, 'admin', ACTION);
    return recoverInTx(tx, actor, restored, opts.newDeviceId ?? randomUUID());
  });
}

/** Refuses (FORBIDDEN_ROLE) unless the actor is a workspace admin; checked again in the transaction that changes the device. */
export function requireRecoverer(store: Store, actor: Identity): void {
  store.write((tx) => requireRole(tx, actor, 'admin', ACTION));
}

function recoverInTx(tx: WriteTx, actor: Identity, restored: RestoredState, newDeviceId: string): RecoveryResult {
  const oldDeviceId = tx.deviceId;
  // The local head must still be the one compared with the server (nothing appended since).
  const head = tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${oldDeviceId}`)?.seq ?? 0;
  if (head !== restored.localSeq) throw new SyncError('SYNC_LOCAL_BUSY', 'the workspace changed during the recovery: run it again', { transient: true });
  const old = tx.all<OldEvent>(
    sql`SELECT seq, event_id, hash, actor, action, target, before, after, comment FROM audit_events
        WHERE device_id = ${oldDeviceId} AND seq > ${restored.commonSeq} AND actor <> ${MIRROR_ACTOR} ORDER BY seq`,
  );
  tx.run(sql`UPDATE device SET device_id = ${newDeviceId}`);
  const next: WriteTx = { ...tx, deviceId: newDeviceId };
  // The acting user's $RECON_USER note, if due, goes first, so the seqs planned below are the ones the events get.
  noteIdentityIfDue(next, actor.userId);
  const start = tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${newDeviceId}`)?.seq ?? 0;
  const plan = old.map((e, i) => ({ fromSeq: e.seq, toSeq: start + i + 2, action: e.action }));
  // Recorded as a change of the workspace's device setting (the trail has no sync.recovered action yet: see README).
  const recovery = appendAuditEvent(next, {
    actor: actor.userId,
    action: 'sync.recovered',
    target: RECOVERY_TARGET,
    before: { value: { device_id: oldDeviceId, server_seq: restored.serverSeq, common_seq: restored.commonSeq, local_seq: restored.localSeq } },
    after: {
      value: {
        device_id: newDeviceId,
        requeued: old.map((e, i) => ({ seq: e.seq, event_id: e.event_id, hash: e.hash, action: e.action, new_seq: plan[i]!.toSeq })),
      },
    },
    comment: 'restored or copied workspace: continues as a new device; the acts the team server lacks are queued again',
  });
  for (const [i, e] of old.entries()) {
    if (!isAuditAction(e.action)) throw new SyncError('SYNC_PROTOCOL', `recovery: event seq ${e.seq} has an unknown action "${e.action}"`);
    const again = appendAuditEvent(next, {
      actor: e.actor,
      action: e.action,
      target: e.target,
      before: JSON.parse(e.before) as JsonValue,
      after: JSON.parse(e.after) as JsonValue,
      comment: e.comment,
    });
    if (again.seq !== plan[i]!.toSeq) throw new Error(`recovery: expected seq ${plan[i]!.toSeq}, got ${again.seq}`);
  }
  // The old chain is retired here: never pushed from here, never pulled into it (it differs from the server's).
  const retired = getState<string[]>(tx, 'device.retired') ?? [];
  setState(tx, 'device.retired', [...retired, oldDeviceId]);
  tx.run(sql`DELETE FROM sync_state WHERE key IN ('push.restored', 'push.ackSeq')`);
  tx.run(sql`UPDATE sync_parked SET cleared_at = ${tx.now} WHERE device_id = ${oldDeviceId} AND kind = 'INVALID' AND cleared_at IS NULL`);
  return { oldDeviceId, newDeviceId, commonSeq: restored.commonSeq, requeued: plan, recoveryEventSeq: recovery.seq };
}
