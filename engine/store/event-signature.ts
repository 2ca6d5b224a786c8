/**
 * Event signatures (team sync, issue 17 item 4): each device signs every
 * event with its Ed25519 key, over a domain-separated message naming the
 * device, the seq and the hash (the hash already covers the content and the
 * link). The same message is checked by the server (server migration 010),
 * by every pulling workstation and by `recon audit verify` (local and
 * --remote). Signatures and keys travel as base64: 64 and 32 raw bytes.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sql } from './sql.ts';
import type { ReadTx } from './store.ts';

/** The bytes a device signs for one event. */
export function signatureMessage(deviceId: string, seq: number, hash: string): Buffer {
  return Buffer.from(`recon-event-v1\n${deviceId}\n${seq}\n${hash}`, 'utf8');
}

/** Signs one event; base64. */
export function signEvent(privateKey: KeyObject, deviceId: string, seq: number, hash: string): string {
  return sign(null, signatureMessage(deviceId, seq, hash), privateKey).toString('base64');
}

/** The raw 32-byte public key (base64) of an Ed25519 key. */
export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** A KeyObject from a raw public key (base64), or null when it is not 32 bytes. */
export function publicKeyFromRaw(raw: string): KeyObject | null {
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length !== 32) return null;
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') }, format: 'jwk' });
}

/** True when `signature` (base64) is the device key's signature of this event. */
export function verifyEventSignature(key: KeyObject, deviceId: string, seq: number, hash: string, signature: string): boolean {
  return verifySigned(key, signatureMessage(deviceId, seq, hash), signature);
}

/** True when `signature` (base64, 64 bytes) is the key's Ed25519 signature of `message`; never throws. Events and checkpoints both use it. */
export function verifySigned(key: KeyObject, message: Buffer, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return false;
  try {
    return verify(null, message, key, sig);
  } catch {
    return false;
  }
}

/** A device's key as registered on the team server. */
export interface DeviceKey {
  publicKey: string;
  firstSignedSeq: number;
}

/** What a signature check found (local or remote). */
export interface SignatureReport {
  /** Events whose signature was checked (valid or not). */
  checked: number;
  /** Events from before signatures (pushed before the server had migration 010): unsigned by design. */
  unsigned: number;
  /** This device's events not pushed yet: they are signed when pushed. */
  pending: number;
  /** Up to `limit` events whose signature is missing or wrong. */
  failures: { deviceId: string; seq: number; eventId: string | null; problem: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID'; message: string }[];
}

/** One line for `recon audit verify`: how many were checked, how many failed, how many predate signatures. */
export function signatureLine(s: SignatureReport): string {
  const parts = [`${s.checked} checked`, `${s.failures.length >= 50 ? '50 or more' : s.failures.length} failed`, `${s.unsigned} events from before signatures`];
  if (s.pending > 0) parts.push(`${s.pending} not pushed yet (signed when pushed)`);
  return `signatures: ${parts.join(', ')}`;
}

/**
 * Classifies one event's signature. `pending` is for this device's events
 * that have not been pushed (and so not signed) yet.
 */
export class SignatureChecker {
  readonly report: SignatureReport = { checked: 0, unsigned: 0, pending: 0, failures: [] };
  readonly #keys = new Map<string, { key: KeyObject | null; firstSignedSeq: number } | null>();

  constructor(
    private readonly keyOf: (deviceId: string) => DeviceKey | null,
    private readonly limit = 50,
  ) {}

  check(e: { deviceId: string; seq: number; eventId: string | null; hash: string; signature: string | null; pending?: boolean }): void {
    let k = this.#keys.get(e.deviceId);
    if (k === undefined) {
      const dk = this.keyOf(e.deviceId);
      k = dk ? { key: publicKeyFromRaw(dk.publicKey), firstSignedSeq: dk.firstSignedSeq } : null;
      this.#keys.set(e.deviceId, k);
    }
    const fail = (problem: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID', message: string): void => {
      if (this.report.failures.length < this.limit) this.report.failures.push({ deviceId: e.deviceId, seq: e.seq, eventId: e.eventId, problem, message });
    };
    if (e.signature === null) {
      if (e.pending) this.report.pending++;
      else if (k && e.seq >= k.firstSignedSeq) fail('SIGNATURE_MISSING', `device ${e.deviceId} seq ${e.seq}: not signed, though the device signs every event from seq ${k.firstSignedSeq} (signature removed)`);
      else this.report.unsigned++;
      return;
    }
    this.report.checked++;
    if (!k?.key) fail('SIGNATURE_INVALID', `device ${e.deviceId} seq ${e.seq}: signed, but no key is known for the device`);
    else if (!verifyEventSignature(k.key, e.deviceId, e.seq, e.hash, e.signature)) fail('SIGNATURE_INVALID', `device ${e.deviceId} seq ${e.seq}: the signature does not match the device key (edited or forged)`);
  }
}

/** The keys this workspace knows (its own and pulled ones). */
export function localDeviceKey(tx: ReadTx, deviceId: string): DeviceKey | null {
  const r = tx.get<{ public_key: string; first_signed_seq: number }>(sql`SELECT public_key, first_signed_seq FROM device_keys WHERE device_id = ${deviceId}`);
  return r ? { publicKey: r.public_key, firstSignedSeq: r.first_signed_seq } : null;
}

/**
 * Checks every local event's signature: pulled events carry theirs on the
 * audit row, this device's on its outbox row (set when pushed).
 */
export function verifyLocalSignatures(tx: ReadTx): SignatureReport {
  const checker = new SignatureChecker((d) => localDeviceKey(tx, d));
  const q = sql`SELECT e.device_id, e.seq, e.event_id, e.hash, COALESCE(e.signature, o.signature) AS signature,
                       (o.seq IS NOT NULL AND o.pushed_at IS NULL) AS pending
                  FROM audit_events e LEFT JOIN outbox o ON o.device_id = e.device_id AND o.seq = e.seq
                 ORDER BY e.device_id, e.seq`;
  for (const r of tx.iterate<{ device_id: string; seq: number; event_id: string; hash: string; signature: string | null; pending: number }>(q)) {
    checker.check({ deviceId: r.device_id, seq: r.seq, eventId: r.event_id, hash: r.hash, signature: r.signature, pending: r.pending === 1 });
  }
  return checker.report;
}
