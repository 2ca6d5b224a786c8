/**
 * Another device's chain held from some seq k > 1 (a windowed pull, pull-scope.ts).
 * The anchor is seq k - 1 and its hash as the team server gave it (store
 * migration 017): the pull checks event k links to it, `recon audit verify`
 * walks the chain from it, and older history fetched later must end exactly on
 * it (pull-history.ts). This device's own chain never has one.
 */
import type pg from 'pg';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store } from '../store/store.ts';
import { SyncError } from './errors.ts';

/** One device's anchor. */
export interface ChainAnchor {
  deviceId: string;
  /** The last seq not held here (events 1..anchorSeq were not pulled). */
  anchorSeq: number;
  anchorHash: string;
  /** The window's start when it was set. */
  since: string;
}

/** Every anchor, by device. */
export function readAnchors(tx: ReadTx): ChainAnchor[] {
  return tx
    .all<{ device_id: string; anchor_seq: number; anchor_hash: string; since: string }>(sql`SELECT device_id, anchor_seq, anchor_hash, since FROM chain_anchors ORDER BY device_id`)
    .map((r) => ({ deviceId: r.device_id, anchorSeq: r.anchor_seq, anchorHash: r.anchor_hash, since: r.since }));
}

/**
 * The first seq of a device's chain at or after `since` on the server (the
 * index audit_events_by_device_at, server migration 012), or head + 1 when the
 * device has no event since then.
 */
export async function firstSeqSince(client: pg.ClientBase, deviceId: string, since: string, head: number): Promise<number> {
  // `seq + 0`: otherwise the planner walks the primary key from seq 1 until an event in the window (most of a
  // year's chain); this way it reads the window's entries of audit_events_by_device_at only (index-only).
  const r = await client.query<{ k: string | null }>('SELECT min(seq + 0) AS k FROM recon.audit_events WHERE device_id = $1 AND at >= $2', [deviceId, since]);
  return r.rows[0]?.k === null || r.rows[0]?.k === undefined ? head + 1 : Number(r.rows[0].k);
}

/** The server's hash of one event (the anchor the next one links to). */
export async function serverHash(client: pg.ClientBase, deviceId: string, seq: number): Promise<string> {
  const r = await client.query<{ hash: string }>('SELECT hash FROM recon.audit_events WHERE device_id = $1 AND seq = $2', [deviceId, seq]);
  const hash = r.rows[0]?.hash;
  if (hash === undefined) {
    throw new SyncError('SYNC_REMOTE_CHAIN_BROKEN', `the team server's copy of device ${deviceId} has no event at seq ${seq}: nothing of it was pulled`, { details: { deviceId, problem: 'SEQ_GAP' } });
  }
  return hash;
}

/**
 * A device this workspace holds nothing of yet, under a window: its chain is
 * taken from the first event of the window on. The anchor and the head (both
 * seq k - 1) are written in one transaction, so the ordinary page loop then
 * checks event k against the anchor. Returns false when the whole chain is in
 * the window (nothing to anchor).
 */
export async function anchorNewDevice(store: Store, client: pg.ClientBase, deviceId: string, since: string, head: number): Promise<boolean> {
  const k = await firstSeqSince(client, deviceId, since, head);
  if (k <= 1) return false;
  const hash = await serverHash(client, deviceId, k - 1);
  return store.write((tx) => {
    // Another sync of this workspace may have started this chain meanwhile.
    if (tx.get(sql`SELECT 1 AS x FROM audit_heads WHERE device_id = ${deviceId}`)) return false;
    tx.run(sql`INSERT INTO chain_anchors (device_id, anchor_seq, anchor_hash, since, set_at) VALUES (${deviceId}, ${k - 1}, ${hash}, ${since}, ${tx.now})`);
    tx.run(sql`INSERT INTO audit_heads (device_id, seq, hash) VALUES (${deviceId}, ${k - 1}, ${hash})`);
    return true;
  });
}
