/**
 * What sync keeps in the workspace store: the connection (a workspace
 * setting, audited like any other), watermarks in `sync_state`, and parked
 * events in `sync_parked` (migration 007).
 */
import { appendAuditEvent } from '../store/audit-log.ts';
import { canonicalJson, type JsonValue } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';
import type { Identity } from '../workflow/identity.ts';
import { requireRole } from '../workflow/roles.ts';
import { parseConnectionSettings, type ConnectionSettings } from './connection.ts';

const CONNECTION_KEY = 'sync.connection';

/** The team connection, or null when this workspace does not sync. */
export function readConnection(store: Store): ConnectionSettings | null {
  const row = store.read((tx) => tx.get<{ value: string }>(sql`SELECT value FROM settings WHERE key = ${CONNECTION_KEY}`));
  return row ? parseConnectionSettings(JSON.parse(row.value)) : null;
}

/**
 * Saves the team connection (audit: setting.changed). The password is never
 * part of it. `adminOnly` (the UI) applies the workflow's rule for settings:
 * only an admin changes them, checked in the same transaction.
 */
export function saveConnection(store: Store, actor: Identity, settings: ConnectionSettings, opts: { adminOnly?: boolean } = {}): ConnectionSettings {
  const clean = parseConnectionSettings(settings);
  const value: JsonValue = { host: clean.host, port: clean.port, database: clean.database, user: clean.user, tls: clean.tls, caFile: clean.caFile ?? null };
  store.write((tx) => {
    if (opts.adminOnly) requireRole(tx, actor, 'admin', 'change the team connection');
    const before = tx.get<{ value: string }>(sql`SELECT value FROM settings WHERE key = ${CONNECTION_KEY}`);
    tx.run(sql`INSERT INTO settings (key, value, updated_at) VALUES (${CONNECTION_KEY}, ${canonicalJson(value)}, ${tx.now})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
    appendAuditEvent(tx, {
      actor: actor.userId,
      action: 'setting.changed',
      target: `setting:${CONNECTION_KEY}`,
      before: { value: before ? (JSON.parse(before.value) as JsonValue) : null },
      after: { value },
    });
  });
  return clean;
}

/** Sync bookkeeping keys. */
export type StateKey = 'pull.serverOrder' | 'push.lastAt' | 'push.ackSeq' | 'push.restored' | 'device.retired' | 'pull.lastAt' | 'sync.lastAt' | 'evidence.decisionRowid'
  // The first pull's window (pull-scope.ts).
  | 'pull.window'
  // The evidence key this workspace last published (team-keys.ts).
  | 'teamKeys.publishedPem';

/** A bookkeeping value (undefined when unset). */
export function getState<T extends JsonValue>(tx: ReadTx, key: StateKey): T | undefined {
  const row = tx.get<{ value: string }>(sql`SELECT value FROM sync_state WHERE key = ${key}`);
  return row ? (JSON.parse(row.value) as T) : undefined;
}

/** Sets a bookkeeping value. */
export function setState(tx: WriteTx, key: StateKey, value: JsonValue): void {
  tx.run(sql`INSERT INTO sync_state (key, value, updated_at) VALUES (${key}, ${canonicalJson(value)}, ${tx.now})
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
}

/** An event (or run of events) the server did not take as it is. */
export interface ParkedItem {
  deviceId: string;
  fromSeq: number;
  toSeq: number;
  /** REFUSED: in the server's chain, effect refused, nothing blocked. INVALID: this device's chain waits from fromSeq. */
  kind: 'REFUSED' | 'INVALID';
  code: string;
  message: string;
  parkedAt: string;
}

/** Parks an event; the same event parked twice (a replayed batch) is one item. */
export function park(tx: WriteTx, item: Omit<ParkedItem, 'parkedAt'>): void {
  tx.run(sql`INSERT INTO sync_parked (device_id, from_seq, to_seq, kind, code, message, parked_at)
    VALUES (${item.deviceId}, ${item.fromSeq}, ${item.toSeq}, ${item.kind}, ${item.code}, ${item.message}, ${tx.now})
    ON CONFLICT (device_id, from_seq, kind) DO UPDATE SET to_seq = excluded.to_seq, code = excluded.code, message = excluded.message, cleared_at = NULL`);
}

/** Parked items not yet cleared, oldest first. */
export function listParked(tx: ReadTx): ParkedItem[] {
  return tx
    .all<{ device_id: string; from_seq: number; to_seq: number; kind: 'REFUSED' | 'INVALID'; code: string; message: string; parked_at: string }>(
      sql`SELECT * FROM sync_parked WHERE cleared_at IS NULL ORDER BY device_id, from_seq, kind`,
    )
    .map((r) => ({ deviceId: r.device_id, fromSeq: r.from_seq, toSeq: r.to_seq, kind: r.kind, code: r.code, message: r.message, parkedAt: r.parked_at }));
}

/** Clears parked items (the user saw a refusal, or wants an INVALID batch retried); returns how many. */
export function clearParked(store: Store, filter: { deviceId?: string; fromSeq?: number; kind?: ParkedItem['kind'] } = {}): number {
  return store.write(
    (tx) =>
      tx.run(sql`UPDATE sync_parked SET cleared_at = ${tx.now} WHERE cleared_at IS NULL
        AND (${filter.deviceId ?? null} IS NULL OR device_id = ${filter.deviceId ?? null})
        AND (${filter.fromSeq ?? null} IS NULL OR from_seq = ${filter.fromSeq ?? null})
        AND (${filter.kind ?? null} IS NULL OR kind = ${filter.kind ?? null})`).changes,
  );
}

/** Device ids this workspace used before a recovery (recover.ts): their local chains differ from the server's, so they are neither pushed nor pulled. */
export function retiredDevices(tx: ReadTx): string[] {
  return getState<string[]>(tx, 'device.retired') ?? [];
}

/** The first seq of this device that waits behind an INVALID park, if any. */
export function blockedFrom(tx: ReadTx, deviceId: string): number | null {
  return tx.get<{ s: number | null }>(sql`SELECT min(from_seq) AS s FROM sync_parked WHERE device_id = ${deviceId} AND kind = 'INVALID' AND cleared_at IS NULL`)?.s ?? null;
}
