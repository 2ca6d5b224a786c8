/**
 * Walks every device's hash chain and reports the first broken link: an
 * edited event (its hash no longer matches), a deleted, inserted or reordered
 * one (seq gap or a prev_hash that does not link), a truncated tail (the head
 * no longer matches) or an outbox copy that disagrees with its event.
 *
 * Local verification proves the file was not edited by anything but this
 * engine, short of an attacker who rewrites the whole chain, its heads and the
 * outbox consistently; the team server's copy (sync) is the anchor against that.
 */
import { canonicalJson, type JsonValue } from './canonical-json.ts';
import { GENESIS_HASH, hashEvent, OUTBOX_AUDIT_EVENT, type AuditEvent } from './audit-log.ts';
import { verifyLocalSignatures, type SignatureReport } from './event-signature.ts';
import { sql } from './sql.ts';
import type { ReadTx, Store } from './store.ts';

/** Why a link is broken. */
export type ChainProblem =
  | 'MALFORMED'
  | 'SEQ_GAP'
  | 'HASH_MISMATCH'
  | 'PREV_HASH_MISMATCH'
  | 'HEAD_MISMATCH'
  | 'OUTBOX_MISMATCH'
  | 'OUTBOX_MISSING'
  // A workflow row (roles, settings, decisions, approvals, break statuses) the chain does not explain (workflow/chain-state.ts).
  | 'STATE_MISMATCH'
  // Team sync signs events (event-signature.ts): a signature removed, or one that does not match the device key.
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  // The team server shows another key for a device than the one this workspace pulled before.
  | 'KEY_MISMATCH'
  // A chain ends before, or holds another event at, a signed checkpoint this workspace kept (store/checkpoint-anchors.ts).
  | 'TRUNCATED'
  | 'REWRITTEN';

/** The first broken link. */
export interface ChainBreak {
  deviceId: string;
  seq: number;
  eventId: string | null;
  problem: ChainProblem;
  message: string;
}

/** The result of verifyChain. */
export interface ChainReport {
  ok: boolean;
  events: number;
  /**
   * fromSeq: the first seq checked (1, or the seq after an anchor). anchor: set when the chain is held from
   * an anchor (a windowed team pull, store migration 017): events 1..anchor.seq were not pulled, and the
   * check started from the hash the team server gave for seq anchor.seq (not a failure).
   */
  devices: { deviceId: string; events: number; headSeq: number; headHash: string; fromSeq?: number; anchor?: { seq: number; hash: string; since: string } }[];
  firstBreak: ChainBreak | null;
  /** Signatures checked, events from before signatures, and up to 50 that failed (when the chains hold). */
  signatures?: SignatureReport;
}

/** A stored row: before/after as their canonical JSON text. */
export type AuditRow = Omit<AuditEvent, 'before' | 'after'> & { before: string; after: string };

/** Verifies the whole trail in one read transaction. */
export function verifyChain(store: Store): ChainReport {
  return store.read((tx) => verifyInTx(tx));
}

/** verifyChain inside an open transaction (tests mutate and verify in one). */
export function verifyInTx(tx: ReadTx): ChainReport {
  const devices: ChainReport['devices'] = [];
  const heads = new Map(tx.all<{ device_id: string; seq: number; hash: string }>(sql`SELECT device_id, seq, hash FROM audit_heads`).map((h) => [h.device_id, h]));
  // Another device's chain held from an anchor starts there; this device's own chain always starts at seq 1.
  const anchors = new Map(
    tx.all<{ device_id: string; anchor_seq: number; anchor_hash: string; since: string }>(sql`SELECT device_id, anchor_seq, anchor_hash, since FROM chain_anchors WHERE device_id <> ${tx.deviceId}`).map((a) => [a.device_id, a]),
  );
  const start = (deviceId: string): { seq: number; hash: string } => {
    const a = anchors.get(deviceId);
    return a ? { seq: a.anchor_seq, hash: a.anchor_hash } : { seq: 0, hash: GENESIS_HASH };
  };
  const anchorOf = (deviceId: string): { fromSeq: number; anchor?: { seq: number; hash: string; since: string } } => {
    const a = anchors.get(deviceId);
    return a ? { fromSeq: a.anchor_seq + 1, anchor: { seq: a.anchor_seq, hash: a.anchor_hash, since: a.since } } : { fromSeq: 1 };
  };
  let events = 0;
  let current: { deviceId: string; seq: number; hash: string; count: number } | null = null;
  const fail = (deviceId: string, seq: number, eventId: string | null, problem: ChainProblem, message: string): ChainReport => ({
    ok: false,
    events,
    devices,
    firstBreak: { deviceId, seq, eventId, problem, message },
  });
  const closeDevice = (): ChainReport | null => {
    if (!current) return null;
    const head = heads.get(current.deviceId);
    heads.delete(current.deviceId);
    if (!head || head.seq !== current.seq || head.hash !== current.hash) {
      return fail(current.deviceId, current.seq, null, 'HEAD_MISMATCH', `device ${current.deviceId}: the chain ends at seq ${current.seq} but its recorded head is ${head ? `seq ${head.seq}` : 'missing'} (events deleted or appended outside the engine)`);
    }
    devices.push({ deviceId: current.deviceId, events: current.count, headSeq: head.seq, headHash: head.hash, ...anchorOf(current.deviceId) });
    return null;
  };

  for (const row of tx.iterate<AuditRow>(sql`SELECT * FROM audit_events ORDER BY device_id, seq`)) {
    if (!current || current.deviceId !== row.device_id) {
      const broken = closeDevice();
      if (broken) return broken;
      current = { deviceId: row.device_id, ...start(row.device_id), count: 0 };
    }
    events++;
    const at = (problem: ChainProblem, message: string): ChainReport => fail(row.device_id, row.seq, row.event_id, problem, message);
    if (row.seq !== current.seq + 1) return at('SEQ_GAP', `device ${row.device_id}: expected seq ${current.seq + 1}, found ${row.seq} (an event was deleted or inserted)`);
    const before = parseCanonical(row.before);
    const after = parseCanonical(row.after);
    if (before === undefined || after === undefined) return at('MALFORMED', `event seq ${row.seq}: before/after is not canonical JSON (edited)`);
    if (hashEvent({ ...row, before, after }) !== row.hash) return at('HASH_MISMATCH', `event seq ${row.seq}: content does not match its hash (edited)`);
    if (row.prev_hash !== current.hash) return at('PREV_HASH_MISMATCH', `event seq ${row.seq}: does not link to the event before it (reordered, replaced or re-hashed)`);
    current = { deviceId: row.device_id, seq: row.seq, hash: row.hash, count: current.count + 1 };
  }
  const broken = closeDevice();
  if (broken) return broken;
  for (const head of heads.values()) {
    // A chain held from an anchor with nothing after it yet: its head is the anchor.
    const a = anchors.get(head.device_id);
    if (a && a.anchor_seq === head.seq && a.anchor_hash === head.hash) {
      devices.push({ deviceId: head.device_id, events: 0, headSeq: head.seq, headHash: head.hash, ...anchorOf(head.device_id) });
      continue;
    }
    return fail(head.device_id, head.seq, null, 'HEAD_MISMATCH', `device ${head.device_id}: head at seq ${head.seq} but no events (deleted)`);
  }
  const outbox = checkOutbox(tx);
  if (outbox) return { ok: false, events, devices, firstBreak: outbox };
  // Signatures do not break a link, so every failure is listed, not only the first.
  const signatures = verifyLocalSignatures(tx);
  const bad = signatures.failures[0];
  if (bad) return { ok: false, events, devices, firstBreak: bad, signatures };
  return { ok: true, events, devices, firstBreak: null, signatures };
}

// Outbox rows carry a copy of each event: a copy that no longer matches its event means one of them was edited.
// Every event of this device has its row (rows are never deleted): a deleted one would never reach the team.
function checkOutbox(tx: ReadTx): ChainBreak | null {
  const missing = tx.get<{ seq: number; event_id: string }>(
    sql`SELECT e.seq, e.event_id FROM audit_events e WHERE e.device_id = ${tx.deviceId}
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.device_id = e.device_id AND o.seq = e.seq) ORDER BY e.seq LIMIT 1`,
  );
  if (missing) {
    return { deviceId: tx.deviceId, seq: missing.seq, eventId: missing.event_id, problem: 'OUTBOX_MISSING', message: `event seq ${missing.seq} has no outbox row (deleted): it would never reach the team server` };
  }
  const q = sql`SELECT o.device_id, o.seq, o.payload, e.hash, e.event_id FROM outbox o
                LEFT JOIN audit_events e ON e.device_id = o.device_id AND e.seq = o.seq
                WHERE o.kind = ${OUTBOX_AUDIT_EVENT} ORDER BY o.device_id, o.seq`;
  for (const r of tx.iterate<{ device_id: string; seq: number; payload: string; hash: string | null; event_id: string | null }>(q)) {
    let payloadHash: unknown;
    try {
      payloadHash = (JSON.parse(r.payload) as { hash?: unknown }).hash;
    } catch {
      payloadHash = undefined;
    }
    if (r.hash === null || payloadHash !== r.hash) {
      return { deviceId: r.device_id, seq: r.seq, eventId: r.event_id, problem: 'OUTBOX_MISMATCH', message: `outbox row seq ${r.seq} does not match the audit event ${r.hash === null ? '(event missing)' : '(hash differs)'}` };
    }
  }
  return null;
}

// Returns undefined unless the text is exactly the canonical form, so no byte can change unnoticed.
function parseCanonical(text: string): JsonValue | undefined {
  try {
    const value = JSON.parse(text) as JsonValue;
    return canonicalJson(value) === text ? value : undefined;
  } catch {
    return undefined;
  }
}
