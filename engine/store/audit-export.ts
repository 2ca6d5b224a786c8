/** Writes the audit trail as NDJSON: one canonical event per line, in (device, seq) order. */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { canonicalJson, type JsonValue } from './canonical-json.ts';
import type { AuditRow } from './audit-verify.ts';
import { sql } from './sql.ts';
import type { Store } from './store.ts';

const PAGE = 1000;

/**
 * Exports every event. Each line is the event's canonical JSON including
 * `hash`, so anyone can re-check it: hash = sha256(line without "hash").
 * Pages by (device_id, seq); the table is append-only, so pages never shift.
 * Returns the number of events written. A file that cannot be opened or
 * written rejects the returned promise (pipeline owns the stream's errors:
 * none is left unhandled to take the process down).
 */
export async function exportAudit(store: Store, out: string): Promise<number> {
  let n = 0;
  async function* pages(): AsyncGenerator<string> {
    let after = { device: '', seq: 0 };
    for (;;) {
      const rows = store.read((tx) =>
        // The hashed fields only: a pulled event's signature (migration 015) is not part of the line the hash covers.
        tx.all<AuditRow>(sql`SELECT device_id, seq, event_id, actor, at, action, target, before, after, comment, prev_hash, hash FROM audit_events WHERE (device_id, seq) > (${after.device}, ${after.seq})
                             ORDER BY device_id, seq LIMIT ${PAGE}`),
      );
      let text = '';
      for (const row of rows) text += `${canonicalJson({ ...row, before: JSON.parse(row.before) as JsonValue, after: JSON.parse(row.after) as JsonValue })}\n`;
      n += rows.length;
      if (text !== '') yield text;
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) return;
      after = { device: last.device_id, seq: last.seq };
    }
  }
  await pipeline(pages, createWriteStream(out, { encoding: 'utf8' }));
  return n;
}
