import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('015_event_signatures', () => {
  it('sets an outbox signature once, keeps pulled signatures on audit rows, and never replaces a device key', () => {
    const db = new Database(':memory:');
    expect(migrate(db, loadMigrations(), 15)).toContain(15);
    db.prepare(`INSERT INTO outbox (device_id, seq, kind, payload, created_at) VALUES ('d', 1, 'audit_event', '{}', 'now')`).run();
    db.prepare(`UPDATE outbox SET signature = 'sig1' WHERE seq = 1`).run();
    db.prepare(`UPDATE outbox SET pushed_at = 'later' WHERE seq = 1`).run();
    expect(() => db.prepare(`UPDATE outbox SET signature = 'sig2' WHERE seq = 1`).run()).toThrow(/set once/);
    expect(() => db.prepare(`UPDATE outbox SET signature = NULL WHERE seq = 1`).run()).toThrow(/set once/);
    db.prepare(`INSERT INTO audit_events (device_id, seq, event_id, actor, at, action, target, before, after, comment, prev_hash, hash, signature)
      VALUES ('o', 1, 'e1', 'a', 'now', 'x', 't', 'null', 'null', NULL, 'p', 'h', 'sig')`).run();
    expect(db.prepare(`SELECT signature FROM audit_events`).get()).toEqual({ signature: 'sig' });
    db.prepare(`INSERT INTO device_keys (device_id, public_key, first_signed_seq) VALUES ('o', 'k', 1)`).run();
    expect(() => db.prepare(`UPDATE device_keys SET public_key = 'other'`).run()).toThrow(/never replaced/);
    expect(() => db.prepare(`DELETE FROM device_keys`).run()).toThrow(/never deleted/);
    db.close();
  });
});
