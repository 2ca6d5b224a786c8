/**
 * Appends audit events. An event is written only through a WriteTx, in the
 * same transaction as the change it records, together with the chain head and
 * the sync outbox row (both keyed by device id and seq).
 */
import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson, type JsonValue } from './canonical-json.ts';
import { sql } from './sql.ts';
import type { WriteTx } from './store.ts';

/** Every kind of action the trail records. */
export const AUDIT_ACTIONS = [
  'run.started',
  'run.completed',
  'run.failed',
  'decision.applied',
  'decision.proposed',
  'proposal.approved',
  'proposal.rejected',
  'proposal.withdrawn',
  // Break memory: a completed run took over (or dropped) the previous run's decisions (workflow/carry.ts).
  'breaks.carried',
  // Matching runs: a manual match or unmatch, and the outcome of one that waited for an approver (workflow/manual-matches.ts).
  'match.manual',
  'match.unmatched',
  'match.approved',
  'match.rejected',
  'match.withdrawn',
  'user.added',
  'role.granted',
  'role.revoked',
  'definition.saved',
  'reason.added',
  'reason.retired',
  'reason.sla_changed',
  'setting.changed',
  // Reason rules (engine/rules): a proposal to create, change or retire one, and its verdict (a retirement approved is rule.retired).
  'rule.proposed',
  'rule.approved',
  'rule.rejected',
  'rule.withdrawn',
  'rule.retired',
  // A restored or copied workspace continued as a new device (sync/recover.ts): before names the old device, after the new one.
  'sync.recovered',
  'model.promoted',
  'export.written',
  // Saved connections of query and HTTP sources (workflow/connections.ts): never a password, only where it is stored.
  'connection.saved',
  'connection.removed',
  'connection.password_set',
  'connection.password_forgotten',
  // A CLI or `recon serve` process acted as $RECON_USER rather than its OS account (see noteIdentityOverride).
  'identity.override',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The hash before a device's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a caller supplies; the log adds ids, seq, time and hashes. */
export interface AuditInput {
  actor: string;
  action: AuditAction;
  target: string;
  before?: JsonValue;
  after?: JsonValue;
  comment?: string | null;
}

/** One audit event, field names as stored, exported and hashed. */
export interface AuditEvent {
  event_id: string;
  device_id: string;
  seq: number;
  actor: string;
  at: string;
  action: string;
  target: string;
  before: JsonValue;
  after: JsonValue;
  comment: string | null;
  prev_hash: string;
  hash: string;
}

/** The outbox kind for an audit event (team sync pushes these by device id and seq). */
export const OUTBOX_AUDIT_EVENT = 'audit_event';

/** SHA-256 over the canonical JSON of every field but `hash` (prev_hash included). */
export function hashEvent(e: Omit<AuditEvent, 'hash'>): string {
  const body: Omit<AuditEvent, 'hash'> = {
    event_id: e.event_id,
    device_id: e.device_id,
    seq: e.seq,
    actor: e.actor,
    at: e.at,
    action: e.action,
    target: e.target,
    before: e.before,
    after: e.after,
    comment: e.comment,
    prev_hash: e.prev_hash,
  };
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

/** A process acting as $RECON_USER instead of its OS account (workflow/identity.ts reports it). */
export interface IdentityOverride {
  /** Who the process acts as ($RECON_USER). */
  user: string;
  /** The OS account the process really runs as. */
  osAccount: string;
  /** The command, e.g. "review approve" or "serve". */
  command: string;
}

// One per process: the override in force, and an id that tells this process's note from another's.
let identityOverride: IdentityOverride | null = null;
const PROCESS_ID = randomUUID();

/**
 * Records that this process acts as $RECON_USER (the CLI and `recon serve`
 * allow it for scripts and tests; the desktop app never does). Before the
 * first event such a user's act writes in a workspace, the chain gets an
 * `identity.override` event naming the OS account and the command, once per
 * process and workspace: the trail shows that an identity was asserted, not
 * signed in to, and who really ran it. Null clears it.
 */
export function noteIdentityOverride(o: IdentityOverride | null): void {
  identityOverride = o;
}

/** Appends one event to this device's chain, with its head and outbox rows (after the process's identity.override note, when due). */
export function appendAuditEvent(tx: WriteTx, input: AuditInput): AuditEvent {
  if (input.action !== 'identity.override') noteIdentityIfDue(tx, input.actor);
  return appendEvent(tx, input);
}

/**
 * Appends the process's identity.override note now if `actor` is the
 * $RECON_USER it acts as and the note is not in this chain yet: for a caller
 * that must know the seqs its own events will get (sync/recover.ts).
 */
export function noteIdentityIfDue(tx: WriteTx, actor: string): void {
  const o = identityOverride;
  if (o !== null && actor === o.user && !overrideNoted(tx, o.user)) {
    appendEvent(tx, {
      actor: o.user,
      action: 'identity.override',
      target: `user:${o.user}`,
      after: { recon_user: o.user, os_account: o.osAccount, command: o.command, pid: process.pid, process_id: PROCESS_ID },
    });
  }
}

// By the audit_events_by_target index; asked of the database, not remembered, so a rolled-back transaction's note is written again.
function overrideNoted(tx: WriteTx, user: string): boolean {
  return (
    tx.get(sql`SELECT 1 AS x FROM audit_events WHERE device_id = ${tx.deviceId} AND target = ${`user:${user}`} AND action = 'identity.override'
      AND json_extract(after, '$.process_id') = ${PROCESS_ID}`) !== undefined
  );
}

function appendEvent(tx: WriteTx, input: AuditInput): AuditEvent {
  const head = tx.get<{ seq: number; hash: string }>(sql`SELECT seq, hash FROM audit_heads WHERE device_id = ${tx.deviceId}`);
  const partial: Omit<AuditEvent, 'hash'> = {
    event_id: randomUUID(),
    device_id: tx.deviceId,
    seq: (head?.seq ?? 0) + 1,
    actor: input.actor,
    at: tx.now,
    action: input.action,
    target: input.target,
    before: input.before ?? null,
    after: input.after ?? null,
    comment: input.comment ?? null,
    prev_hash: head?.hash ?? GENESIS_HASH,
  };
  const event: AuditEvent = { ...partial, hash: hashEvent(partial) };
  tx.run(sql`INSERT INTO audit_events (device_id, seq, event_id, actor, at, action, target, before, after, comment, prev_hash, hash)
    VALUES (${event.device_id}, ${event.seq}, ${event.event_id}, ${event.actor}, ${event.at}, ${event.action}, ${event.target},
            ${canonicalJson(event.before)}, ${canonicalJson(event.after)}, ${event.comment}, ${event.prev_hash}, ${event.hash})`);
  tx.run(sql`INSERT INTO audit_heads (device_id, seq, hash) VALUES (${event.device_id}, ${event.seq}, ${event.hash})
    ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`);
  tx.run(sql`INSERT INTO outbox (device_id, seq, kind, payload, created_at)
    VALUES (${event.device_id}, ${event.seq}, ${OUTBOX_AUDIT_EVENT}, ${canonicalJson(event)}, ${tx.now})`);
  return event;
}
