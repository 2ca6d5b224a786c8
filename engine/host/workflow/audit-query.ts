/** audit.list: a filtered page of the audit trail, newest first, keyset-paged by (at, device, seq). */
import type { CallResult, ParsedArgs } from '../../contract/index.ts';
import type { AuditRow } from '../../store/audit-verify.ts';
import { sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';

type Page = CallResult<'audit.list'>;

/** A date alone means the whole day (UTC): `to` 2026-01-02 includes that day. */
function bound(value: string | undefined, end: boolean): string | null {
  if (value === undefined) return null;
  if (!value.includes('T')) return end ? `${value}T23:59:59.999Z` : `${value}T00:00:00.000Z`;
  return value;
}

export function listAudit(store: Store, args: ParsedArgs<'audit.list'>): Page {
  const actor = args.actor?.trim() || null;
  const action = args.action?.trim() || null;
  // "decision." picks every decision action; a full name picks one.
  const prefix = action?.endsWith('.') ? action : null;
  const target = args.target?.trim().toLowerCase() || null;
  const from = bound(args.from, false);
  const to = bound(args.to, true);
  const c = args.before ?? null;
  return store.read((tx) => {
    const rows = tx.all<AuditRow>(sql`SELECT * FROM audit_events
      WHERE (${actor} IS NULL OR actor = ${actor})
        AND (${action} IS NULL OR action = ${action} OR (${prefix} IS NOT NULL AND substr(action, 1, length(${prefix})) = ${prefix}))
        AND (${target} IS NULL OR instr(lower(target), ${target}) > 0)
        AND (${from} IS NULL OR at >= ${from})
        AND (${to} IS NULL OR at <= ${to})
        AND (${c?.at ?? null} IS NULL OR (at, device_id, seq) < (${c?.at ?? null}, ${c?.deviceId ?? null}, ${c?.seq ?? null}))
      ORDER BY at DESC, device_id DESC, seq DESC
      LIMIT ${args.limit + 1}`);
    const page = rows.slice(0, args.limit);
    const last = page.at(-1);
    return {
      events: page.map((r) => ({
        eventId: r.event_id,
        deviceId: r.device_id,
        seq: r.seq,
        actor: r.actor,
        at: r.at,
        action: r.action,
        target: r.target,
        before: JSON.parse(r.before) as unknown,
        after: JSON.parse(r.after) as unknown,
        comment: r.comment,
        hash: r.hash,
      })),
      next: rows.length > args.limit && last ? { at: last.at, deviceId: last.device_id, seq: last.seq } : null,
      actors: tx.all<{ actor: string }>(sql`SELECT DISTINCT actor FROM audit_events ORDER BY actor`).map((r) => r.actor),
      actions: tx.all<{ action: string }>(sql`SELECT DISTINCT action FROM audit_events ORDER BY action`).map((r) => r.action),
    };
  });
}
