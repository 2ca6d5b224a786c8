/** Writes the audit trail as NDJSON: one canonical event per line, in (device, seq) order. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { canonicalJson, type JsonValue } from './canonical-json.ts';
import type { AuditRow } from './audit-verify.ts';
import { sql } from './sql.ts';
import type { Store } from './store.ts';

const PAGE = 1000;

/**
 * Exports every event. Each line is the event's canonical JSON including
 * `hash`, so anyone can re-check it: hash = sha256(line without "hash").
 * Pages by (device_id, seq); the table is append-only, so pages never shift.
 * Returns the number of events written.
 */
export async function exportAudit(store: Store, out: string): Promise<number> {
  const stream = createWriteStream(out, { encoding: 'utf8' });
  const finished = once(stream, 'finish');
  let n = 0;
  let after = { device: '', seq: 0 };
  try {
    for (;;) {
      const rows = store.read((tx) =>
        tx.all<AuditRow>(sql`SELECT * FROM audit_events WHERE (device_id, seq) > (${after.device}, ${after.seq})
                             ORDER BY device_id, seq LIMIT ${PAGE}`),
      );
      for (const row of rows) {
        const line = canonicalJson({ ...row, before: JSON.parse(row.before) as JsonValue, after: JSON.parse(row.after) as JsonValue });
        n++;
        if (!stream.write(`${line}\n`)) await once(stream, 'drain');
      }
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) break;
      after = { device: last.device_id, seq: last.seq };
    }
  } finally {
    stream.end();
  }
  await finished;
  return n;
}
