/**
 * Signed checkpoints (issue 17, item 7; server migration 014): truncation of
 * a chain becomes detectable.
 *
 * A hash chain cannot show the loss of its own tail. So after every push that
 * moved its head on the server, a device signs that head (seq, hash, time)
 * with its device key and sends the checkpoint up; it keeps it as its own
 * last-pushed head. Every pull keeps the latest checkpoint of every other
 * device. These kept checkpoints are the anchors:
 *
 * - the server's copy of a chain must still hold every anchor's seq, with the
 *   same hash (`recon audit verify --remote`): a deleted tail or a rewritten
 *   chain shows, even when the table owner fixed chain_heads and the
 *   checkpoints table too, because the anchor is on the workstations;
 * - this workspace's own chain must still hold its own last-pushed head
 *   (`recon audit verify`): a tail deleted here together with its outbox rows
 *   and head shows, unless whoever did it also removed the checkpoint row;
 *   the server's copy (which holds the pushed events and the checkpoint)
 *   shows it then (`--remote`).
 *
 * What nothing can show: events deleted before they were ever pushed, with
 * every local trace of them (no one else saw them).
 */
import type pg from 'pg';
import { sign } from 'node:crypto';
import { publicKeyFromRaw, verifySigned } from '../store/event-signature.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';
import { checkAgainstAnchors, keptCheckpoints, type AnchorProblem, type Checkpoint } from '../store/checkpoint-anchors.ts';
import type { ChainReport } from '../store/audit-verify.ts';
import type { DeviceSigner } from './device-key.ts';
import { SyncError, sqlState } from './errors.ts';
import { retiredDevices } from './local-state.ts';

/** The bytes a device signs for a checkpoint. */
export function checkpointMessage(c: Omit<Checkpoint, 'signature'>): Buffer {
  return Buffer.from(`recon-checkpoint-v1\n${c.deviceId}\n${c.seq}\n${c.hash}\n${c.signedAt}`, 'utf8');
}

/** True when the checkpoint carries the device key's signature (raw public key, base64). */
export function checkpointSignedBy(c: Checkpoint, publicKey: string): boolean {
  const key = publicKeyFromRaw(publicKey);
  return key !== null && verifySigned(key, checkpointMessage(c), c.signature);
}

/**
 * After a push: signs this device's acknowledged head and sends it up, unless
 * the last checkpoint already covers it. Returns the new checkpoint, or null.
 */
export async function pushCheckpoint(store: Store, client: pg.ClientBase, signer: DeviceSigner, ackSeq: number): Promise<Checkpoint | null> {
  const device = store.deviceId;
  const { kept, hash } = store.read((tx) => ({
    kept: keptSeq(tx, device),
    hash: tx.get<{ hash: string }>(sql`SELECT hash FROM audit_events WHERE device_id = ${device} AND seq = ${ackSeq}`)?.hash ?? null,
  }));
  if (ackSeq < 1 || hash === null || (kept !== null && kept >= ackSeq)) return null;
  const unsigned = { deviceId: device, seq: ackSeq, hash, signedAt: new Date().toISOString() };
  const c: Checkpoint = { ...unsigned, signature: sign(null, checkpointMessage(unsigned), signer.privateKey).toString('base64') };
  try {
    await client.query("INSERT INTO recon.checkpoints (device_id, seq, hash, signed_at, signature) VALUES ($1, $2, $3, $4, decode($5, 'base64')) ON CONFLICT (device_id, seq) DO NOTHING", [
      c.deviceId,
      c.seq,
      c.hash,
      c.signedAt,
      c.signature,
    ]);
  } catch (err) {
    if (sqlState(err) === 'RC005') throw new SyncError('SYNC_PROTOCOL', `the team server refused this device's checkpoint: ${(err as Error).message}`, { cause: err });
    throw err;
  }
  store.write((tx) => keep(tx, c, true));
  return c;
}

/**
 * Keeps the latest checkpoint of every other device the server lists, each
 * checked against the device key this workspace holds, and against the
 * events of that device it already pulled. Returns how many moved forward.
 */
export async function pullCheckpoints(store: Store, client: pg.ClientBase): Promise<number> {
  const rows = (
    await client.query<{ device_id: string; seq: string; hash: string; signed_at: string; signature: string }>(
      `SELECT DISTINCT ON (device_id) device_id, seq, hash, signed_at, encode(signature, 'base64') AS signature
         FROM recon.checkpoints WHERE device_id <> $1 ORDER BY device_id, seq DESC`,
      [store.deviceId],
    )
  ).rows;
  return store.write((tx) => {
    let moved = 0;
    // A retired device of this workspace (recover.ts) kept a local chain that forks from the server's copy: its checkpoints are not ours to hold.
    const retired = new Set(retiredDevices(tx));
    for (const r of rows) {
      if (retired.has(r.device_id)) continue;
      const c: Checkpoint = { deviceId: r.device_id, seq: Number(r.seq), hash: r.hash, signedAt: r.signed_at, signature: r.signature.replace(/\s/g, '') };
      const kept = keptSeq(tx, c.deviceId);
      if (kept !== null && kept >= c.seq) continue;
      const key = tx.get<{ public_key: string }>(sql`SELECT public_key FROM device_keys WHERE device_id = ${c.deviceId}`)?.public_key;
      if (key === undefined) continue; // its events were not pulled yet: its key comes with them
      if (!checkpointSignedBy(c, key)) {
        throw new SyncError('SYNC_REMOTE_CHAIN_BROKEN', `the team server's checkpoint of device ${c.deviceId} at seq ${c.seq} is not signed by that device's key`, {
          details: { deviceId: c.deviceId, problem: 'CHECKPOINT_SIGNATURE' },
        });
      }
      const held = tx.get<{ hash: string }>(sql`SELECT hash FROM audit_events WHERE device_id = ${c.deviceId} AND seq = ${c.seq}`)?.hash;
      if (held !== undefined && held !== c.hash) {
        throw new SyncError('SYNC_REMOTE_CHAIN_BROKEN', `device ${c.deviceId} signed a checkpoint at seq ${c.seq} that disagrees with the event pulled before: its chain forked`, {
          details: { deviceId: c.deviceId, problem: 'CHECKPOINT_FORK' },
        });
      }
      keep(tx, c, false);
      moved++;
    }
    return moved;
  });
}

// The kept checkpoint of one device: its seq is all the push and pull compare against.
function keptSeq(tx: ReadTx, deviceId: string): number | null {
  return tx.get<{ seq: number }>(sql`SELECT seq FROM chain_checkpoints WHERE device_id = ${deviceId}`)?.seq ?? null;
}

function keep(tx: WriteTx, c: Checkpoint, own: boolean): void {
  tx.run(sql`INSERT INTO chain_checkpoints (device_id, seq, hash, signed_at, signature, own, recorded_at)
    VALUES (${c.deviceId}, ${c.seq}, ${c.hash}, ${c.signedAt}, ${c.signature}, ${own ? 1 : 0}, ${tx.now})
    ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, signed_at = excluded.signed_at, signature = excluded.signature, recorded_at = excluded.recorded_at
    WHERE excluded.seq > chain_checkpoints.seq`);
}

/** The anchors this workspace holds for each device: kept checkpoints, and the pulled heads of other devices. */
export function anchorsOf(tx: ReadTx): Map<string, { seq: number; hash: string; what: string }[]> {
  const out = new Map<string, { seq: number; hash: string; what: string }[]>();
  const add = (d: string, a: { seq: number; hash: string; what: string }): void => void out.set(d, [...(out.get(d) ?? []), a]);
  for (const c of keptCheckpoints(tx)) add(c.deviceId, { seq: c.seq, hash: c.hash, what: c.own ? `this device's checkpoint of ${c.signedAt} (its last-pushed head)` : `its signed checkpoint of ${c.signedAt}` });
  // A retired device of this workspace (recover.ts) keeps its local chain, which forks from the server's copy: only its checkpoint counts.
  const retired = new Set(retiredDevices(tx));
  const pulled = tx.all<{ device_id: string; seq: number; hash: string }>(sql`SELECT device_id, seq, hash FROM audit_heads WHERE device_id <> ${tx.deviceId} AND seq > 0`);
  for (const h of pulled) if (!retired.has(h.device_id)) add(h.device_id, { seq: h.seq, hash: h.hash, what: 'the last event this workspace pulled' });
  return out;
}

/**
 * `recon audit verify --remote`, after the server's chains verified link by
 * link: holds them against what this workstation kept (its checkpoints and
 * the heads of the chains it pulled), this workspace's own chain against the
 * server's copy of it, and each chain against the newest checkpoint the
 * server itself lists (for a workstation that never saw the device).
 */
export async function remoteAnchorProblem(store: Store, client: pg.ClientBase, report: ChainReport): Promise<AnchorProblem | null> {
  const heads = new Map(report.devices.map((d) => [d.deviceId, d.headSeq]));
  const hashAt = async (deviceId: string, seq: number): Promise<string | null> =>
    (await client.query<{ hash: string }>('SELECT hash FROM recon.audit_events WHERE device_id = $1 AND seq = $2', [deviceId, seq])).rows[0]?.hash ?? null;
  const anchors = store.read((tx) => anchorsOf(tx));
  for (const [deviceId, list] of anchors) {
    const head = heads.get(deviceId) ?? 0;
    const hashes = new Map<number, string | null>();
    for (const a of list) if (a.seq <= head) hashes.set(a.seq, await hashAt(deviceId, a.seq));
    const problem = checkAgainstAnchors(list, deviceId, head, (seq) => hashes.get(seq) ?? null, "the team server's copy");
    if (problem) return problem;
  }
  // This workspace's own chain: the server holding more of it than the workspace does means a local tail was cut (checkpoint row and all).
  const own = store.deviceId;
  const local = store.read((tx) => tx.get<{ s: number | null }>(sql`SELECT max(seq) AS s FROM audit_events WHERE device_id = ${own}`)?.s ?? 0);
  const onServer = heads.get(own) ?? 0;
  if (onServer > local) {
    return { deviceId: own, seq: onServer, problem: 'TRUNCATED', message: `device ${own}: this workspace's chain ends at seq ${local}, but the team server's copy holds up to seq ${onServer}: events were deleted from its end here` };
  }
  if (onServer > 0) {
    const mine = await hashAt(own, onServer);
    const here = store.read((tx) => tx.get<{ hash: string }>(sql`SELECT hash FROM audit_events WHERE device_id = ${own} AND seq = ${onServer}`)?.hash ?? null);
    if (mine !== here) return { deviceId: own, seq: onServer, problem: 'REWRITTEN', message: `device ${own}: this workspace's chain holds another event at seq ${onServer} than the team server's copy` };
  }
  // The server's own newest checkpoint of each device, signed by the device's key, must be in its chain.
  const listed = (
    await client.query<{ device_id: string; seq: string; hash: string; signed_at: string; signature: string; public_key: string }>(
      `SELECT DISTINCT ON (c.device_id) c.device_id, c.seq, c.hash, c.signed_at, encode(c.signature, 'base64') AS signature, encode(k.public_key, 'base64') AS public_key
         FROM recon.checkpoints c JOIN recon.device_keys k USING (device_id) ORDER BY c.device_id, c.seq DESC`,
    )
  ).rows;
  for (const r of listed) {
    const c: Checkpoint = { deviceId: r.device_id, seq: Number(r.seq), hash: r.hash, signedAt: r.signed_at, signature: r.signature.replace(/\s/g, '') };
    const kept = store.read((tx) => tx.get<{ public_key: string }>(sql`SELECT public_key FROM device_keys WHERE device_id = ${c.deviceId}`)?.public_key) ?? r.public_key.replace(/\s/g, '');
    if (!checkpointSignedBy(c, kept)) continue; // not the device's: proves nothing (the signature check of events covers forgeries)
    const head = heads.get(c.deviceId) ?? 0;
    const hash = c.seq <= head ? await hashAt(c.deviceId, c.seq) : null;
    const problem = checkAgainstAnchors([{ seq: c.seq, hash: c.hash, what: `the device's signed checkpoint of ${c.signedAt} on the server` }], c.deviceId, head, () => hash, "the team server's copy");
    if (problem) return problem;
  }
  return null;
}
