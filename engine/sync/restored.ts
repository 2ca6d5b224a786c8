/**
 * A restored or copied workspace: the team server holds events of this
 * device that the local chain lacks or has differently (a backup put back, a
 * workspace folder copied to a second machine). The device's next event can
 * never chain there (the server holds another event at that seq: FORK), and
 * unparking cannot change that, so push detects it before sending anything,
 * says so, and stops until the workspace continues as a new device
 * (engine/sync/README.md, "A restored or copied workspace").
 */
import type pg from 'pg';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store } from '../store/store.ts';
import { SyncError, type SyncErrorCode } from './errors.ts';
import { getState, park, setState } from './local-state.ts';

/** The parked item's code (`sync_parked.code`, free text there and in the contract). */
export const RESTORED_PARK_CODE = 'WORKSPACE_RESTORED';

/**
 * The SyncError code push raises while restored. The shared list
 * (engine/errors/recon-error.ts) has no SYNC_WORKSPACE_RESTORED yet; until it
 * does, the error says which case it is in `details.reason` and its message.
 */
const RESTORED_ERROR_CODE: SyncErrorCode = 'SYNC_PROTOCOL';

/** What the server holds for this device, compared with the local chain. */
export type RestoredState = {
  deviceId: string;
  /** The server's real head for this device. */
  serverSeq: number;
  /** The local chain's head for this device. */
  localSeq: number;
  /** The last seq where both chains hold the same event (everything up to it is on the server as it is here). */
  commonSeq: number;
  detectedAt: string;
};

interface Head {
  seq: number;
  hash: string | null;
}

/**
 * Compares the server's chain for this device with the local one. Null when
 * the local chain extends the server's (the normal case, or a server restored
 * from a backup: the gap case, which push resends); otherwise the restored state.
 */
export async function detectRestored(store: Store, client: pg.ClientBase): Promise<RestoredState | null> {
  const device = store.deviceId;
  const server = await serverHash(client, device, null);
  if (server.seq === 0) return null;
  const local = store.read((tx) => tx.get<{ seq: number; hash: string }>(sql`SELECT seq, hash FROM audit_heads WHERE device_id = ${device}`)) ?? { seq: 0, hash: '' };
  const at = Math.min(server.seq, local.seq);
  const agreesAt = async (seq: number): Promise<boolean> => seq === 0 || (await serverHash(client, device, seq)).hash === store.read((tx) => localHash(tx, device, seq));
  // The usual case costs one query: the server's head is in the local chain with the same hash.
  if (server.seq <= local.seq && server.hash === store.read((tx) => localHash(tx, device, server.seq))) return null;
  // The chains agree on a prefix (hashes link, so agreement is monotone): find its end by bisection.
  let lo = 0;
  let hi = at;
  if (await agreesAt(hi)) lo = hi;
  else {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await agreesAt(mid)) lo = mid;
      else hi = mid;
    }
  }
  return { deviceId: device, serverSeq: server.seq, localSeq: local.seq, commonSeq: lo, detectedAt: new Date().toISOString() };
}

async function serverHash(client: pg.ClientBase, device: string, seq: number | null): Promise<Head> {
  const r =
    seq === null
      ? await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM recon.chain_heads WHERE device_id = $1', [device])
      : await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM recon.audit_events WHERE device_id = $1 AND seq = $2', [device, seq]);
  const row = r.rows[0];
  return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: null };
}

function localHash(tx: ReadTx, device: string, seq: number): string | null {
  return tx.get<{ hash: string }>(sql`SELECT hash FROM audit_events WHERE device_id = ${device} AND seq = ${seq}`)?.hash ?? null;
}

/**
 * Records it: the state (status shows the server's real head from it), the
 * common prefix stamped pushed (it is on the server), and one INVALID park
 * from the first event the server cannot take, so the UI's parked list and
 * `blockedFromSeq` show it with the existing contract.
 */
export function recordRestored(store: Store, state: RestoredState): void {
  store.write((tx) => {
    tx.run(sql`UPDATE outbox SET pushed_at = ${tx.now} WHERE device_id = ${state.deviceId} AND seq <= ${state.commonSeq} AND pushed_at IS NULL`);
    setState(tx, 'push.restored', state);
    setState(tx, 'push.ackSeq', state.serverSeq);
    const fromSeq = state.commonSeq + 1;
    park(tx, { deviceId: state.deviceId, fromSeq, toSeq: Math.max(fromSeq, state.localSeq), kind: 'INVALID', code: RESTORED_PARK_CODE, message: restoredMessage(state) });
  });
}

/** Forgets a restored state that no longer holds (e.g. an admin removed the device's events on the server). */
export function clearRestored(store: Store): void {
  store.write((tx) => {
    if (getState(tx, 'push.restored') === undefined) return;
    tx.run(sql`DELETE FROM sync_state WHERE key = 'push.restored'`);
    tx.run(sql`UPDATE sync_parked SET cleared_at = ${tx.now} WHERE device_id = ${store.deviceId} AND code = ${RESTORED_PARK_CODE} AND cleared_at IS NULL`);
  });
}

/** The restored state recorded by the last push, if any. */
export function readRestored(tx: ReadTx): RestoredState | null {
  return getState<RestoredState>(tx, 'push.restored') ?? null;
}

/** What the user reads: what happened, what is at stake, what to do. */
export function restoredMessage(s: RestoredState): string {
  const beyond = s.serverSeq > s.commonSeq ? `the team server holds events ${s.commonSeq + 1}..${s.serverSeq} of device ${s.deviceId} that this workspace does not have` : '';
  const own = s.localSeq > s.commonSeq ? `; this workspace's events ${s.commonSeq + 1}..${s.localSeq} are not on the server and cannot be chained there` : '';
  return (
    `this workspace was restored from a backup or copied from another workstation: ${beyond}${own}. ` +
    `Nothing of this device is pushed any more. A workspace admin runs "recon sync recover" to continue as a new device ` +
    `(engine/sync/README.md, "A restored or copied workspace").`
  );
}

/** The error push and a cycle end with while restored (the CLI exits non-zero, the loop shows it). */
export function restoredError(s: RestoredState): SyncError {
  return new SyncError(RESTORED_ERROR_CODE, `${RESTORED_PARK_CODE}: ${restoredMessage(s)}`, {
    details: { reason: RESTORED_PARK_CODE, deviceId: s.deviceId, serverSeq: s.serverSeq, localSeq: s.localSeq, commonSeq: s.commonSeq },
  });
}
