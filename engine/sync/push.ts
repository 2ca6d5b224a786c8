/**
 * Push: this device's outbox goes to the server in batches, each in ONE
 * transaction, `INSERT … ON CONFLICT (device_id, seq) DO NOTHING`. The server
 * (002_chain.sql) checks each event's hash and its link to the head it holds,
 * skips events it already has, and answers with the highest contiguous seq
 * it holds for the device. Only that acknowledgement, read after COMMIT
 * succeeded, marks outbox rows pushed: a connection lost before COMMIT, or
 * after COMMIT but before the answer, just means the batch goes again.
 * Every event goes up signed with this device's key (event-signatures.ts),
 * registered with the server before the first batch.
 */
import type pg from 'pg';
import { OUTBOX_AUDIT_EVENT } from '../store/audit-log.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { inTransaction, withClient } from './connection.ts';
import { deviceSigner, type DeviceKeyOptions, type DeviceSigner } from './device-key.ts';
import { SyncError, sqlState } from './errors.ts';
import { ensureKeyRegistered, signOutboxRows } from './event-signatures.ts';
import { pushCheckpoint } from './checkpoints.ts';
import { blockedFrom, getState, park, setState } from './local-state.ts';
import { clearRestored, detectRestored, readRestored, recordRestored, restoredError } from './restored.ts';

/** Push tuning, and where the device key comes from (default: $RECON_DEVICE_KEY_FILE, else the OS keychain). */
export interface PushOptions extends DeviceKeyOptions {
  /** Events per batch (one transaction each; default 500). */
  batchSize?: number;
  /** The device key, already loaded (tests, benchmarks). */
  signer?: DeviceSigner;
}

/** What a push did. */
export interface PushResult {
  /** Batches committed. */
  batches: number;
  /** Outbox rows newly acknowledged. */
  acknowledged: number;
  /** The server's head seq for this device as last acknowledged (0 when it holds none). */
  serverSeq: number;
  /** Times the server reported a gap and the client resent from its head. */
  gaps: number;
  /** Events newly parked (refused or invalid). */
  parked: number;
  /** An INVALID event stops this device's chain from this seq on, until cleared. */
  blockedFrom: number | null;
}

interface OutboxRow {
  seq: number;
  payload: string;
  /** Base64 Ed25519 signature; absent only for replays of events the server already holds. */
  signature?: string | null;
}

/**
 * Pushes every pending outbox row of this device. A restored or copied
 * workspace (restored.ts) pushes nothing and throws: its chain can never
 * continue on the server under this device id.
 */
export async function pushOutbox(store: Store, pool: pg.Pool, opts: PushOptions = {}): Promise<PushResult> {
  const device = store.deviceId;
  const batchSize = opts.batchSize ?? 500;
  await stopIfRestored(store, pool);
  const known = store.read((tx) => ({ blocked: blockedFrom(tx, device), ack: getState<number>(tx, 'push.ackSeq') ?? 0 }));
  const result: PushResult = { batches: 0, acknowledged: 0, serverSeq: known.ack, gaps: 0, parked: 0, blockedFrom: null };
  let blocked = known.blocked;
  let cursor = firstPending(store);
  // Loaded only when something is queued: a push of nothing needs no key.
  let signer: DeviceSigner | null = null;
  if (cursor !== null) {
    signer = opts.signer ?? deviceSigner(device, opts);
    const s = signer;
    await withClient(pool, (client) => ensureKeyRegistered(store, client, s));
  }
  while (cursor !== null && signer !== null) {
    const queued = store.read((tx) =>
      tx.all<OutboxRow & { signature: string | null }>(sql`SELECT seq, payload, signature FROM outbox WHERE device_id = ${device} AND kind = ${OUTBOX_AUDIT_EVENT} AND seq >= ${cursor}
        AND (${blocked} IS NULL OR seq < ${blocked}) ORDER BY seq LIMIT ${batchSize}`),
    );
    if (queued.length === 0) break;
    const rows = signOutboxRows(store, signer, queued);
    let ack: BatchAck;
    try {
      ack = await withClient(pool, (client) => pushBatch(client, device, rows));
    } catch (err) {
      const state = sqlState(err);
      if (state === 'RC001') {
        // The server lost events this device thinks it pushed (e.g. restored
        // from a backup): resend from what it actually holds.
        const head = Number((err as { detail?: string }).detail ?? 'NaN');
        if (!Number.isSafeInteger(head) || ++result.gaps > 5) throw new SyncError('SYNC_PROTOCOL', `the server keeps reporting a gap for device ${device}: ${(err as Error).message}`, { cause: err });
        cursor = head + 1;
        continue;
      }
      if (state === 'RC002') {
        // A FORK is how a restored workspace usually shows up mid-push (another push raced the check above).
        if (invalidCode(err) === 'FORK') await stopIfRestored(store, pool);
        blocked = parkInvalid(store, device, err);
        result.parked++;
        continue; // pushes what comes before the invalid event, then stops
      }
      throw err;
    }
    result.batches++;
    result.serverSeq = ack.head;
    const last = rows.at(-1)!.seq;
    if (ack.head < last) throw new SyncError('SYNC_PROTOCOL', `the server acknowledged seq ${ack.head} after a batch ending at ${last}`);
    const marked = store.write((tx) => {
      const n = tx.run(sql`UPDATE outbox SET pushed_at = ${tx.now} WHERE device_id = ${device} AND seq <= ${ack.head} AND pushed_at IS NULL`).changes;
      for (const r of ack.refused) park(tx, { deviceId: device, fromSeq: r.seq, toSeq: r.seq, kind: 'REFUSED', code: r.code, message: r.message });
      setState(tx, 'push.ackSeq', ack.head);
      setState(tx, 'push.lastAt', tx.now);
      return n;
    });
    result.acknowledged += marked;
    result.parked += ack.refused.length;
    cursor = ack.head + 1;
  }
  result.blockedFrom = blocked;
  // The head the server acknowledged, signed: the anchor that makes a later truncation show (checkpoints.ts).
  if (signer !== null && result.batches > 0) {
    const s = signer;
    await withClient(pool, (client) => pushCheckpoint(store, client, s, result.serverSeq));
  }
  return result;
}

// Restored: recorded and thrown. Not (any more): a state recorded before is forgotten.
async function stopIfRestored(store: Store, pool: pg.Pool): Promise<void> {
  // Another process (recon sync recover) made this workspace a new device since this store was opened.
  const current = store.read((tx) => tx.get<{ device_id: string }>(sql`SELECT device_id FROM device`)?.device_id);
  if (current !== undefined && current !== store.deviceId) {
    throw new SyncError('SYNC_PROTOCOL', `this workspace continues as device ${current} (recon sync recover) but was opened as ${store.deviceId}: close and reopen it`);
  }
  const restored = await withClient(pool, (client) => detectRestored(store, client));
  if (restored) {
    recordRestored(store, restored);
    throw restoredError(restored);
  }
  if (store.read((tx) => readRestored(tx)) !== null) clearRestored(store);
}

function invalidCode(err: unknown): string | undefined {
  try {
    const code = (JSON.parse((err as { detail?: string }).detail ?? '{}') as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function firstPending(store: Store): number | null {
  return store.read(
    (tx) => tx.get<{ s: number | null }>(sql`SELECT min(seq) AS s FROM outbox WHERE device_id = ${store.deviceId} AND pushed_at IS NULL`)?.s ?? null,
  );
}

interface BatchAck {
  head: number;
  refused: { seq: number; code: string; message: string }[];
}

/** One batch in one transaction; the answer is read inside it and trusted only once COMMIT returned. */
export async function pushBatch(client: pg.PoolClient, device: string, rows: readonly OutboxRow[]): Promise<BatchAck> {
  return inTransaction(client, async () => {
    await client.query(
      `INSERT INTO recon.audit_events (device_id, seq, event, signature)
       SELECT $1, t.seq, t.payload::json, decode(t.sig, 'base64') FROM unnest($2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS t(seq, payload, sig, i) ORDER BY t.i
       ON CONFLICT (device_id, seq) DO NOTHING`,
      [device, rows.map((r) => r.seq), rows.map((r) => r.payload), rows.map((r) => r.signature ?? null)],
    );
    const head = await client.query<{ seq: string }>('SELECT seq FROM recon.chain_heads WHERE device_id = $1', [device]);
    const refused = await client.query<{ seq: string; code: string | null; message: string | null }>(
      `SELECT seq, code, message FROM recon.event_outcomes WHERE device_id = $1 AND seq BETWEEN $2 AND $3 AND outcome = 'REFUSED' ORDER BY seq`,
      [device, rows[0]!.seq, rows.at(-1)!.seq],
    );
    return {
      head: Number(head.rows[0]?.seq ?? 0),
      refused: refused.rows.map((r) => ({ seq: Number(r.seq), code: r.code ?? 'REFUSED', message: r.message ?? 'refused by the team server' })),
    };
  });
}

// The server names the first event it cannot chain; it and everything after it wait.
function parkInvalid(store: Store, device: string, err: unknown): number {
  let detail: { seq?: unknown; code?: unknown } = {};
  try {
    detail = JSON.parse((err as { detail?: string }).detail ?? '{}') as typeof detail;
  } catch {
    // keep the defaults below
  }
  const seq = typeof detail.seq === 'number' ? detail.seq : Number(detail.seq);
  if (!Number.isSafeInteger(seq)) throw new SyncError('SYNC_PROTOCOL', `the server refused an event without saying which: ${(err as Error).message}`, { cause: err });
  store.write((tx) => {
    const last = tx.get<{ s: number }>(sql`SELECT max(seq) AS s FROM outbox WHERE device_id = ${device}`)?.s ?? seq;
    park(tx, { deviceId: device, fromSeq: seq, toSeq: last, kind: 'INVALID', code: typeof detail.code === 'string' ? detail.code : 'INVALID', message: (err as Error).message });
  });
  return seq;
}
