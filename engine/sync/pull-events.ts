/**
 * Pull, part 1: other devices' audit events come down into the local trail,
 * each chain checked link by link before it is stored, so `recon audit
 * verify` here checks the whole team's trail. Pulled events get an
 * audit_heads row but no outbox row: they are the other device's to push.
 */
import type pg from 'pg';
import type { AuditEvent } from '../store/audit-log.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { checkLink, isProblem, type ChainCursor } from './chain-check.ts';
import { SyncError } from './errors.ts';
import { PulledSignatures } from './event-signatures.ts';
import { anchorNewDevice } from './chain-anchors.ts';
import { retiredDevices } from './local-state.ts';
import { readWindow } from './pull-scope.ts';

/** Pulls every other device's new events; returns how many were stored. */
export async function pullEvents(store: Store, client: pg.ClientBase, pageSize = 2000): Promise<number> {
  const heads = await client.query<{ device_id: string; seq: string }>('SELECT device_id, seq FROM recon.chain_heads WHERE device_id <> $1 AND seq > 0 ORDER BY device_id', [store.deviceId]);
  // A retired device of this workspace (recover.ts): its local chain forks from the server's copy; that copy is the team's, pulled state only.
  const retired = new Set(store.read((tx) => retiredDevices(tx)));
  // A windowed first pull (pull-scope.ts): a chain not held yet is taken from the window's first event on, checked from its anchor.
  const window = store.read((tx) => readWindow(tx));
  let stored = 0;
  for (const h of heads.rows) {
    if (retired.has(h.device_id)) continue;
    const serverSeq = Number(h.seq);
    if (window && !store.read((tx) => tx.get(sql`SELECT 1 AS x FROM audit_heads WHERE device_id = ${h.device_id}`))) await anchorNewDevice(store, client, h.device_id, window.since, serverSeq);
    let cursor: ChainCursor = store.read((tx) => tx.get<ChainCursor>(sql`SELECT seq, hash FROM audit_heads WHERE device_id = ${h.device_id}`)) ?? { seq: 0, hash: '0'.repeat(64) };
    // Events are signed (event-signatures.ts): each is checked against the device key this workspace keeps.
    const signatures = await PulledSignatures.load(store, client, h.device_id);
    while (cursor.seq < serverSeq) {
      const page = await client.query<{ event: string; signature: string | null }>(`SELECT event::text AS event, encode(signature, 'base64') AS signature FROM recon.audit_events WHERE device_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
        h.device_id,
        cursor.seq,
        pageSize,
      ]);
      if (page.rows.length === 0) break;
      const events: AuditEvent[] = [];
      let at = cursor;
      for (const row of page.rows) {
        const r = checkLink(row.event, h.device_id, at);
        if (isProblem(r)) {
          throw new SyncError('SYNC_REMOTE_CHAIN_BROKEN', `the team server's copy of device ${h.device_id} is broken [${r.problem}]: ${r.message}; nothing after it was pulled`, {
            details: { deviceId: h.device_id, problem: r.problem },
          });
        }
        signatures.check(r.event, row.signature);
        events.push(r.event);
        at = { seq: r.event.seq, hash: r.event.hash };
      }
      const wrote = store.write((tx) => {
        // Another sync of this workspace (the app and the CLI) may have stored this page meanwhile.
        const now = tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${h.device_id}`)?.seq ?? 0;
        if (now !== cursor.seq) return false;
        for (const e of events) {
          tx.run(sql`INSERT INTO audit_events (device_id, seq, event_id, actor, at, action, target, before, after, comment, prev_hash, hash, signature)
            VALUES (${e.device_id}, ${e.seq}, ${e.event_id}, ${e.actor}, ${e.at}, ${e.action}, ${e.target},
                    ${canonicalJson(e.before)}, ${canonicalJson(e.after)}, ${e.comment}, ${e.prev_hash}, ${e.hash}, ${signatures.of(e.seq)})`);
        }
        tx.run(sql`INSERT INTO audit_heads (device_id, seq, hash) VALUES (${h.device_id}, ${at.seq}, ${at.hash})
          ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`);
        return true;
      });
      if (!wrote) break;
      stored += events.length;
      cursor = at;
    }
  }
  return stored;
}
