/**
 * Anchors against truncation (team sync's signed checkpoints, server
 * migration 014 and engine/sync/checkpoints.ts): the checkpoints this
 * workspace kept — its own last-pushed head, and the latest signed head it
 * saw of every other device — and the check of a chain against them. A
 * chain that ends before an anchor lost its tail (TRUNCATED); one holding
 * another event at an anchor's seq was rewritten (REWRITTEN).
 */
import { sql } from './sql.ts';
import type { ReadTx } from './store.ts';

/** A signed head of one device's chain. */
export interface Checkpoint {
  deviceId: string;
  seq: number;
  hash: string;
  signedAt: string;
  /** base64 Ed25519 by the device key. */
  signature: string;
}

/** A kept checkpoint, and whose it is. */
export interface KeptCheckpoint extends Checkpoint {
  own: boolean;
}

/** Every checkpoint this workspace keeps (its own and others'). */
export function keptCheckpoints(tx: ReadTx): KeptCheckpoint[] {
  return tx
    .all<{ device_id: string; seq: number; hash: string; signed_at: string; signature: string; own: number }>(
      sql`SELECT device_id, seq, hash, signed_at, signature, own FROM chain_checkpoints ORDER BY device_id`,
    )
    .map((r) => ({ deviceId: r.device_id, seq: r.seq, hash: r.hash, signedAt: r.signed_at, signature: r.signature, own: r.own === 1 }));
}

/** What a chain was held against, and what was found. */
export interface AnchorProblem {
  deviceId: string;
  seq: number;
  problem: 'TRUNCATED' | 'REWRITTEN';
  message: string;
}

/**
 * Holds a chain (by its hash at each seq) against this workspace's anchors
 * for that device: its kept checkpoint, and for another device the head of
 * what it pulled. `where` names the chain in messages ("the team server's
 * copy", "this workspace's chain").
 */
export function checkAgainstAnchors(
  anchors: readonly { seq: number; hash: string; what: string }[],
  deviceId: string,
  head: number,
  hashAt: (seq: number) => string | null,
  where: string,
): AnchorProblem | null {
  for (const a of [...anchors].sort((x, y) => y.seq - x.seq)) {
    if (a.seq > head) {
      return { deviceId, seq: a.seq, problem: 'TRUNCATED', message: `device ${deviceId}: ${where} ends at seq ${head}, but ${a.what} is at seq ${a.seq}: events were deleted from its end` };
    }
    const h = hashAt(a.seq);
    if (h !== a.hash) {
      return { deviceId, seq: a.seq, problem: 'REWRITTEN', message: `device ${deviceId}: ${where} holds another event at seq ${a.seq} than ${a.what}: the chain was rewritten` };
    }
  }
  return null;
}

/**
 * This workspace's chains against its kept checkpoints: its own chain (and a
 * retired one of this workspace) must reach its last-pushed head with the
 * same hash; another device's pulled chain must hold the same event at a
 * checkpoint's seq where it reaches it (the checkpoint may be newer than the
 * last pull).
 */
export function localAnchorProblem(tx: ReadTx): AnchorProblem | null {
  for (const c of keptCheckpoints(tx)) {
    const head = tx.get<{ s: number | null }>(sql`SELECT max(seq) AS s FROM audit_events WHERE device_id = ${c.deviceId}`)?.s ?? 0;
    if (!c.own && head < c.seq) continue;
    const what = c.own ? `this device's checkpoint of ${c.signedAt} (its last-pushed head)` : `its signed checkpoint of ${c.signedAt}`;
    const problem = checkAgainstAnchors([{ seq: c.seq, hash: c.hash, what }], c.deviceId, head, (seq) => tx.get<{ hash: string }>(sql`SELECT hash FROM audit_events WHERE device_id = ${c.deviceId} AND seq = ${seq}`)?.hash ?? null, "this workspace's chain");
    if (problem) return problem;
  }
  return null;
}
