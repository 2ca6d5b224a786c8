/**
 * Checks events read from the server, one device's chain in seq order: the
 * stored text must be the canonical JSON of the event, its hash must match
 * its content, and it must link to the one before. Used by the pull (before
 * an event enters the local trail) and by `recon audit verify --remote`.
 */
import { GENESIS_HASH, hashEvent, type AuditEvent } from '../store/audit-log.ts';
import type { ChainProblem } from '../store/audit-verify.ts';
import { canonicalJson } from '../store/canonical-json.ts';

/** A link that does not hold. */
export interface LinkProblem {
  problem: ChainProblem;
  message: string;
}

/** Where a chain walk stands: the last seq and hash accepted. */
export interface ChainCursor {
  seq: number;
  hash: string;
}

export const CHAIN_START: ChainCursor = { seq: 0, hash: GENESIS_HASH };

/** Parses and checks one stored event against the cursor; returns the event or the problem. */
export function checkLink(text: string, deviceId: string, cursor: ChainCursor): { event: AuditEvent } | LinkProblem {
  let event: AuditEvent;
  try {
    event = JSON.parse(text) as AuditEvent;
  } catch {
    return { problem: 'MALFORMED', message: `device ${deviceId} after seq ${cursor.seq}: the stored event is not JSON` };
  }
  const seq = event?.seq;
  if (typeof event !== 'object' || event === null || canonicalOrNull(event) !== text) {
    return { problem: 'MALFORMED', message: `device ${deviceId} seq ${String(seq)}: the stored event is not canonical JSON (edited)` };
  }
  if (event.device_id !== deviceId) return { problem: 'MALFORMED', message: `device ${deviceId} seq ${seq}: the event names device ${event.device_id}` };
  if (seq !== cursor.seq + 1) return { problem: 'SEQ_GAP', message: `device ${deviceId}: expected seq ${cursor.seq + 1}, found ${seq} (an event was deleted or inserted)` };
  const { hash, ...body } = event;
  if (hashEvent(body) !== hash) return { problem: 'HASH_MISMATCH', message: `device ${deviceId} seq ${seq}: content does not match its hash (edited)` };
  if (event.prev_hash !== cursor.hash) return { problem: 'PREV_HASH_MISMATCH', message: `device ${deviceId} seq ${seq}: does not link to the event before it` };
  return { event };
}

/** Narrows checkLink's result. */
export function isProblem(r: { event: AuditEvent } | LinkProblem): r is LinkProblem {
  return 'problem' in r;
}

function canonicalOrNull(value: unknown): string | null {
  try {
    return canonicalJson(value);
  } catch {
    return null; // floats or other values canonical JSON refuses
  }
}
