/**
 * Random tampering with a store copy, as an attacker with file access would:
 * the append-only triggers are dropped first, then one mutation is applied to
 * audit_events. Used by the tamper-detection tests.
 */
import type Database from 'better-sqlite3';
import type { Rng } from '../../generate/prng.ts';
import { hashEvent } from '../../store/audit-log.ts';
import type { AuditRow } from '../../store/audit-verify.ts';
import { canonicalJson, type JsonValue } from '../../store/canonical-json.ts';

export type Mutation = 'edit' | 'delete' | 'swap' | 'edit-and-rehash' | 'insert';
export const MUTATIONS: readonly Mutation[] = ['edit', 'delete', 'swap', 'edit-and-rehash', 'insert'];

const COLUMNS = ['event_id', 'device_id', 'seq', 'actor', 'at', 'action', 'target', 'before', 'after', 'comment', 'prev_hash', 'hash'] as const;
type Column = (typeof COLUMNS)[number];

/** Drops the triggers that protect the trail (an attacker's first step). */
export function dropAuditTriggers(db: Database.Database): void {
  db.exec('DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;');
}

const rows = (db: Database.Database): AuditRow[] => db.prepare('SELECT * FROM audit_events ORDER BY device_id, seq').all() as AuditRow[];

/** Applies one mutation; returns a description. Throws if the database refused it (a constraint): pick another. */
export function mutate(db: Database.Database, rng: Rng, kind: Mutation): string {
  const all = rows(db);
  const row = rng.pick(all);
  switch (kind) {
    case 'edit': {
      const col = rng.pick(COLUMNS);
      const value = changed(rng, col, row, all);
      db.prepare(`UPDATE audit_events SET ${col} = ? WHERE device_id = ? AND seq = ?`).run(value, row.device_id, row.seq);
      return `edit ${col} of ${row.device_id}#${row.seq}`;
    }
    case 'delete':
      db.prepare('DELETE FROM audit_events WHERE device_id = ? AND seq = ?').run(row.device_id, row.seq);
      return `delete ${row.device_id}#${row.seq}`;
    case 'swap': {
      let other = rng.pick(all);
      while (other === row) other = rng.pick(all);
      // Swap everything but the position (device_id, seq): the events trade places.
      const set = db.prepare('UPDATE audit_events SET event_id = ?, actor = ?, at = ?, action = ?, target = ?, before = ?, after = ?, comment = ?, prev_hash = ?, hash = ? WHERE device_id = ? AND seq = ?');
      const content = (r: AuditRow): unknown[] => [r.event_id, r.actor, r.at, r.action, r.target, r.before, r.after, r.comment, r.prev_hash, r.hash];
      db.prepare("UPDATE audit_events SET event_id = 'swap-tmp' WHERE device_id = ? AND seq = ?").run(row.device_id, row.seq);
      set.run(...content(row), other.device_id, other.seq);
      set.run(...content(other), row.device_id, row.seq);
      return `swap ${row.device_id}#${row.seq} with ${other.device_id}#${other.seq}`;
    }
    case 'edit-and-rehash': {
      const col = rng.pick(['actor', 'at', 'target', 'comment', 'after'] as const);
      const value = changed(rng, col, row, all) as string | null;
      const edited = { ...row, [col]: value } as AuditRow;
      const hash = hashEvent({ ...edited, before: JSON.parse(edited.before) as JsonValue, after: JSON.parse(edited.after) as JsonValue });
      db.prepare(`UPDATE audit_events SET ${col} = ?, hash = ? WHERE device_id = ? AND seq = ?`).run(value, hash, row.device_id, row.seq);
      return `edit ${col} of ${row.device_id}#${row.seq} and recompute its hash`;
    }
    case 'insert': {
      // A well-formed forged event appended after the last one of a device, hash and link correct.
      const last = all.filter((r) => r.device_id === row.device_id).at(-1)!;
      const forged = { ...last, seq: last.seq + 1, event_id: `forged-${rng.int(0, 1e9)}`, actor: 'mallory', prev_hash: last.hash, comment: 'nothing to see' };
      const hash = hashEvent({ ...forged, before: JSON.parse(forged.before) as JsonValue, after: JSON.parse(forged.after) as JsonValue });
      db.prepare('INSERT INTO audit_events (device_id, seq, event_id, actor, at, action, target, before, after, comment, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        forged.device_id, forged.seq, forged.event_id, forged.actor, forged.at, forged.action, forged.target, forged.before, forged.after, forged.comment, forged.prev_hash, hash,
      );
      return `insert a forged event ${forged.device_id}#${forged.seq}`;
    }
  }
}

/** A different value for a column, of the right type. */
function changed(rng: Rng, col: Column, row: AuditRow, all: AuditRow[]): string | number | null {
  switch (col) {
    case 'seq':
      return row.seq + (rng.chance(0.5) ? -1 : 1) * rng.int(1, 3) + (rng.chance(0.2) ? 1000 : 0);
    case 'device_id': {
      const others = [...new Set(all.map((r) => r.device_id))].filter((d) => d !== row.device_id);
      return others.length > 0 && rng.chance(0.5) ? rng.pick(others) : `${row.device_id}x`;
    }
    case 'before':
    case 'after':
      return editJson(rng, row[col]);
    case 'comment':
      return row.comment === null ? 'added later' : rng.chance(0.3) ? null : `${row.comment}.`;
    default:
      return flipChar(rng, String(row[col]));
  }
}

function flipChar(rng: Rng, s: string): string {
  if (s.length === 0) return 'x';
  const i = rng.int(0, s.length - 1);
  const c = s.charCodeAt(i);
  return s.slice(0, i) + String.fromCharCode(c === 48 ? 49 : c ^ 1) + s.slice(i + 1);
}

// Either a semantic change in canonical form (only the hash catches it) or a
// formatting change with the same meaning (the canonical-text check catches it).
function editJson(rng: Rng, text: string): string {
  const value = JSON.parse(text) as JsonValue;
  if (rng.chance(0.3)) return JSON.stringify(value, null, 1);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return canonicalJson({ tampered: true });
  const keys = Object.keys(value);
  if (keys.length === 0) return canonicalJson({ tampered: true });
  const k = rng.pick(keys);
  return canonicalJson({ ...value, [k]: typeof value[k] === 'string' ? `${value[k] as string}!` : 'tampered' });
}
