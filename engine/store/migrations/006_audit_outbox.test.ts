import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('006_audit_outbox', () => {
  it('makes audit events append-only and outbox payloads immutable', () => {
    const db = new Database(':memory:');
    migrate(db, loadMigrations(), 6);
    db.exec(`INSERT INTO audit_events (device_id, seq, event_id, actor, at, action, target, before, after, comment, prev_hash, hash)
             VALUES ('d', 1, 'e1', 'ada', 'now', 'user.added', 'user:x', 'null', 'null', NULL, 'p', 'h');
             INSERT INTO outbox (device_id, seq, kind, payload, created_at) VALUES ('d', 1, 'audit_event', '{}', 'now')`);
    expect(() => db.exec("UPDATE audit_events SET actor = 'mallory'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_events')).toThrow(/append-only/);
    expect(() => db.exec("INSERT INTO audit_events (device_id, seq, event_id, actor, at, action, target, before, after, prev_hash, hash) VALUES ('d', 1, 'e2', 'a', 'n', 'x', 't', 'null', 'null', 'p', 'h')")).toThrow(/UNIQUE/);
    expect(() => db.exec("INSERT INTO audit_events (device_id, seq, event_id, actor, at, action, target, before, after, prev_hash, hash) VALUES ('d', 2, 'e3', 'a', 'n', 'x', 't', NULL, 'null', 'p', 'h')")).toThrow(/NOT NULL/);
    db.exec("UPDATE outbox SET pushed_at = 'later'");
    expect(() => db.exec("UPDATE outbox SET payload = '[]'")).toThrow(/immutable/);
    expect(() => db.exec('DELETE FROM outbox')).toThrow(/never deleted/);
    db.close();
  });
});
