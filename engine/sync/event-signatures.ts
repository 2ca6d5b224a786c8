/**
 * Events are signed (server migration 010, store migration 015). Push: this
 * device registers its public key with the server once (bound to the login
 * of its chain), signs each outbox row before it goes up and keeps the
 * signature on the row. Pull: each pulled event's signature is checked
 * against the device's key, which this workspace keeps once seen: a server
 * that later shows another key, or an event whose signature does not match,
 * is a broken server copy (SYNC_REMOTE_CHAIN_BROKEN) and nothing after it is
 * pulled.
 */
import type pg from 'pg';
import type { AuditEvent } from '../store/audit-log.ts';
import { localDeviceKey, publicKeyFromRaw, signEvent, verifyEventSignature, type DeviceKey } from '../store/event-signature.ts';
import { sql } from '../store/sql.ts';
import type { Store, WriteTx } from '../store/store.ts';
import type { DeviceSigner } from './device-key.ts';
import { SyncError, sqlState } from './errors.ts';

interface ServerKeyRow {
  public_key: string;
  first_signed_seq: string;
  login: string;
  registered_at: Date;
}

const SERVER_KEY_SQL = `SELECT encode(public_key, 'base64') AS public_key, first_signed_seq, login, registered_at FROM recon.device_keys WHERE device_id = $1`;

/**
 * Registers this device's key on the server (a no-op once it holds one): the
 * server binds it to the device's login and never lets it be replaced. A server holding another
 * key for this device (the keychain entry was lost, or the workspace was
 * copied to another machine) stops the push: nothing this key signs would
 * be accepted.
 */
export async function ensureKeyRegistered(store: Store, client: pg.ClientBase, signer: DeviceSigner): Promise<void> {
  const device = store.deviceId;
  const local = store.read((tx) => localDeviceKey(tx, device));
  if (local && local.publicKey !== signer.publicKey) throw keyMismatch(device, 'this workspace');
  // Asked on every push, not only the first: the workspace may now point at another (or a rebuilt) server.
  try {
    await client.query('INSERT INTO recon.device_keys (device_id, public_key) VALUES ($1, decode($2, $3)) ON CONFLICT (device_id) DO NOTHING', [device, signer.publicKey, 'base64']);
  } catch (err) {
    if (sqlState(err) === 'RC006') throw new SyncError('SYNC_DEVICE_KEY', `the team server refused this device's key: ${(err as Error).message}`, { cause: err });
    throw err;
  }
  const row = (await client.query<ServerKeyRow>(SERVER_KEY_SQL, [device])).rows[0];
  if (!row) throw new SyncError('SYNC_PROTOCOL', `the team server did not keep the key of device ${device}`);
  if (row.public_key.replace(/\s/g, '') !== signer.publicKey) throw keyMismatch(device, 'the team server');
  if (!local) store.write((tx) => storeKey(tx, device, { publicKey: signer.publicKey, firstSignedSeq: Number(row.first_signed_seq) }, row));
}

function keyMismatch(device: string, holder: string): SyncError {
  return new SyncError(
    'SYNC_DEVICE_KEY',
    `${holder} holds another signing key for device ${device} than this workstation's (the keychain entry was replaced or lost, or the workspace was copied): nothing can be pushed under this device id; "recon sync recover" continues as a new device`,
  );
}

function storeKey(tx: WriteTx, device: string, key: DeviceKey, row: { login: string; registered_at: Date } | null): void {
  tx.run(sql`INSERT INTO device_keys (device_id, public_key, first_signed_seq, login, registered_at)
    VALUES (${device}, ${key.publicKey}, ${key.firstSignedSeq}, ${row?.login ?? null}, ${row ? row.registered_at.toISOString() : null})
    ON CONFLICT (device_id) DO NOTHING`);
}

/** Signs the rows that have no signature yet and keeps each on its outbox row (set once). */
export function signOutboxRows<R extends { seq: number; payload: string; signature: string | null }>(store: Store, signer: DeviceSigner, rows: R[]): R[] {
  const unsigned = rows.filter((r) => r.signature === null);
  if (unsigned.length === 0) return rows;
  const device = store.deviceId;
  const signed = new Map(unsigned.map((r) => [r.seq, signEvent(signer.privateKey, device, r.seq, (JSON.parse(r.payload) as { hash: string }).hash)]));
  store.write((tx) => {
    for (const [seq, sig] of signed) tx.run(sql`UPDATE outbox SET signature = ${sig} WHERE device_id = ${device} AND seq = ${seq} AND signature IS NULL`);
  });
  return rows.map((r) => (r.signature === null ? { ...r, signature: signed.get(r.seq)! } : r));
}

/**
 * The pull's check of one device's signatures. The key this workspace kept
 * wins over the server's: a key replaced or removed on the server does not
 * make forged events acceptable.
 */
export class PulledSignatures {
  readonly #signatures = new Map<number, string | null>();

  private constructor(
    readonly deviceId: string,
    private readonly key: DeviceKey | null,
  ) {}

  /** Reads the device's key from the server, compares it with the kept one and keeps a new one. */
  static async load(store: Store, client: pg.ClientBase, deviceId: string): Promise<PulledSignatures> {
    const kept = store.read((tx) => localDeviceKey(tx, deviceId));
    const row = (await client.query<ServerKeyRow>(SERVER_KEY_SQL, [deviceId])).rows[0];
    const server = row ? { publicKey: row.public_key.replace(/\s/g, ''), firstSignedSeq: Number(row.first_signed_seq) } : null;
    if (kept && (server?.publicKey !== kept.publicKey || server.firstSignedSeq !== kept.firstSignedSeq)) {
      throw broken(deviceId, 'KEY_MISMATCH', `the team server ${server ? 'shows another key' : 'no longer shows the key'} for device ${deviceId} than the one this workspace pulled before (replaced on the server)`);
    }
    if (!kept && server) {
      if (!publicKeyFromRaw(server.publicKey)) throw broken(deviceId, 'KEY_MISMATCH', `the team server's key for device ${deviceId} is not an Ed25519 key`);
      store.write((tx) => storeKey(tx, deviceId, server, row!));
    }
    return new PulledSignatures(deviceId, kept ?? server);
  }

  /** Throws SYNC_REMOTE_CHAIN_BROKEN unless the event's signature holds (or it is from before signatures). */
  check(event: AuditEvent, signature: string | null): void {
    const sig = signature?.replace(/\s/g, '') ?? null;
    const k = this.key;
    if (sig === null) {
      if (k && event.seq >= k.firstSignedSeq) throw broken(this.deviceId, 'SIGNATURE_MISSING', `device ${this.deviceId} seq ${event.seq} is not signed, though the device signs every event from seq ${k.firstSignedSeq}`);
    } else {
      const key = k ? this.#publicKey(k.publicKey) : null;
      if (!key || !verifyEventSignature(key, this.deviceId, event.seq, event.hash, sig)) {
        throw broken(this.deviceId, 'SIGNATURE_INVALID', `device ${this.deviceId} seq ${event.seq}: the signature does not match the device key (edited or forged on the server)`);
      }
    }
    this.#signatures.set(event.seq, sig);
  }

  /** The checked signature of an event, to keep on its local row. */
  of(seq: number): string | null {
    return this.#signatures.get(seq) ?? null;
  }

  #cached: { raw: string; key: ReturnType<typeof publicKeyFromRaw> } | null = null;
  #publicKey(raw: string): ReturnType<typeof publicKeyFromRaw> {
    if (this.#cached?.raw !== raw) this.#cached = { raw, key: publicKeyFromRaw(raw) };
    return this.#cached.key;
  }
}

function broken(deviceId: string, problem: string, message: string): SyncError {
  return new SyncError('SYNC_REMOTE_CHAIN_BROKEN', `the team server's copy of device ${deviceId} is broken [${problem}]: ${message}; nothing after it was pulled`, { details: { deviceId, problem } });
}
