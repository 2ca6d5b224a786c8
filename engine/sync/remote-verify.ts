/**
 * `recon audit verify --remote`: walks the team server's copy of every
 * device's chain, independently of any workstation: each stored event must be
 * canonical, match its hash, link to the one before, agree with its columns,
 * and the last one must be the server's recorded head. The server copy is the
 * anchor against a workstation whose whole local trail was rewritten. Each
 * event's signature is checked against its device's key (server migration
 * 010); a key that differs from the one this workspace pulled before means
 * the server's copy was rewritten, signatures and all.
 */
import type pg from 'pg';
import type { ChainBreak, ChainReport } from '../store/audit-verify.ts';
import { SignatureChecker, type DeviceKey } from '../store/event-signature.ts';
import { CHAIN_START, checkLink, isProblem, type ChainCursor } from './chain-check.ts';

interface Row {
  seq: string;
  event: string;
  hash: string;
  prev_hash: string;
  event_id: string;
  signature: string | null;
}

/** Verifies the server's chains in pages (bounded memory for any trail size). */
export async function verifyRemoteChains(client: pg.ClientBase, pageSize = 5000, keptKey: (deviceId: string) => DeviceKey | null = () => null): Promise<ChainReport> {
  const heads = (await client.query<{ device_id: string; seq: string; hash: string }>('SELECT device_id, seq, hash FROM recon.chain_heads ORDER BY device_id')).rows;
  const serverKeys = await readServerKeys(client);
  const devices: ChainReport['devices'] = [];
  let events = 0;
  // The key this workspace kept wins: a replaced server key does not make the events it signs valid.
  const signatures = new SignatureChecker((d) => keptKey(d) ?? serverKeys.get(d) ?? null);
  const fail = (b: ChainBreak): ChainReport => ({ ok: false, events, devices, firstBreak: b, signatures: signatures.report });
  for (const head of heads) {
    const kept = keptKey(head.device_id);
    const onServer = serverKeys.get(head.device_id);
    if (kept && (onServer?.publicKey !== kept.publicKey || onServer.firstSignedSeq !== kept.firstSignedSeq)) {
      return fail({ deviceId: head.device_id, seq: 0, eventId: null, problem: 'KEY_MISMATCH', message: `device ${head.device_id}: the team server ${onServer ? 'shows another key' : 'no longer shows the key'} than the one this workspace pulled before (replaced on the server)` });
    }
  }
  for (const head of heads) {
    let cursor: ChainCursor = CHAIN_START;
    let count = 0;
    for (;;) {
      const page = (
        await client.query<Row>("SELECT seq, event::text AS event, hash, prev_hash, event_id, encode(signature, 'base64') AS signature FROM recon.audit_events WHERE device_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", [
          head.device_id,
          cursor.seq,
          pageSize,
        ])
      ).rows;
      for (const row of page) {
        events++;
        const r = checkLink(row.event, head.device_id, cursor);
        if (isProblem(r)) return fail({ deviceId: head.device_id, seq: Number(row.seq), eventId: row.event_id, problem: r.problem, message: r.message });
        if (r.event.seq !== Number(row.seq) || r.event.hash !== row.hash || r.event.prev_hash !== row.prev_hash || r.event.event_id !== row.event_id) {
          return fail({ deviceId: head.device_id, seq: Number(row.seq), eventId: row.event_id, problem: 'MALFORMED', message: `seq ${row.seq}: the stored columns disagree with the stored event (edited)` });
        }
        signatures.check({ deviceId: head.device_id, seq: r.event.seq, eventId: r.event.event_id, hash: r.event.hash, signature: row.signature?.replace(/\s/g, '') ?? null });
        cursor = { seq: r.event.seq, hash: r.event.hash };
        count++;
      }
      if (page.length < pageSize) break;
    }
    if (cursor.seq !== Number(head.seq) || cursor.hash !== head.hash) {
      return fail({
        deviceId: head.device_id,
        seq: cursor.seq,
        eventId: null,
        problem: 'HEAD_MISMATCH',
        message: `device ${head.device_id}: the chain ends at seq ${cursor.seq} but the server's head is seq ${head.seq} (events deleted or appended outside the chain check)`,
      });
    }
    devices.push({ deviceId: head.device_id, events: count, headSeq: cursor.seq, headHash: cursor.hash });
  }
  // Events of a device with no head row: added around the chain trigger.
  const orphan = (await client.query<{ device_id: string }>('SELECT DISTINCT e.device_id FROM recon.audit_events e LEFT JOIN recon.chain_heads h USING (device_id) WHERE h.device_id IS NULL LIMIT 1')).rows[0];
  if (orphan) return fail({ deviceId: orphan.device_id, seq: 0, eventId: null, problem: 'HEAD_MISMATCH', message: `device ${orphan.device_id} has events but no chain head on the server` });
  const bad = signatures.report.failures[0];
  if (bad) return fail(bad);
  return { ok: true, events, devices, firstBreak: null, signatures: signatures.report };
}

async function readServerKeys(client: pg.ClientBase): Promise<Map<string, DeviceKey>> {
  const rows = (await client.query<{ device_id: string; public_key: string; first_signed_seq: string }>("SELECT device_id, encode(public_key, 'base64') AS public_key, first_signed_seq FROM recon.device_keys")).rows;
  return new Map(rows.map((r) => [r.device_id, { publicKey: r.public_key.replace(/\s/g, ''), firstSignedSeq: Number(r.first_signed_seq) }]));
}
