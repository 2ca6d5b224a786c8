import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('007_sync', () => {
  it('keeps sync bookkeeping well-formed and tied to registered runs', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations(), 7);
    db.exec(`INSERT INTO runs (run_id, definition_name, duckdb_path, definition_snapshot, inputs, status, started_by, started_at)
             VALUES ('r1', 'trades', 'remote:d2', '{}', '{}', 'COMPLETED', 'alice', 'now')`);
    db.prepare("INSERT INTO sync_state (key, value, updated_at) VALUES ('pull.serverOrder', '12', 'now')").run();
    expect(() => db.prepare("INSERT INTO sync_state (key, value, updated_at) VALUES ('x', 'not json', 'now')").run()).toThrow(/CHECK/);
    const park = db.prepare("INSERT INTO sync_parked (device_id, from_seq, to_seq, kind, code, message, parked_at) VALUES ('d', ?, ?, ?, 'C', 'm', 'now')");
    park.run(5, 5, 'REFUSED');
    park.run(5, 9, 'INVALID');
    expect(() => park.run(5, 5, 'REFUSED')).toThrow(/UNIQUE/);
    expect(() => park.run(6, 6, 'LOST')).toThrow(/CHECK/);
    const verdict = db.prepare("INSERT INTO sync_decisions (id, kind, decision_id, device_id, server_order, state, synced_at) VALUES (?, 'decision', 'x', 'd', 1, ?, 'now')");
    verdict.run('x', 'SUPERSEDED');
    expect(() => verdict.run('y', 'DROPPED')).toThrow(/CHECK/);
    db.prepare("INSERT INTO sync_remote_runs (run_id, device_id, pulled_at) VALUES ('r1', 'd2', 'now')").run();
    expect(() => db.prepare("INSERT INTO sync_remote_runs (run_id, device_id, pulled_at) VALUES ('nope', 'd2', 'now')").run()).toThrow(/FOREIGN KEY/);
    db.prepare(`INSERT INTO sync_remote_breaks (run_id, break_id, key, field, diff_type, value_a, value_b, delta, base_status, reason, confidence)
                VALUES ('r1', 4, 'T4', 'amount', 'MISMATCH', '100.00', '100.04', '0.04', 'REVIEW', 'FX_DIFF', '0.5')`).run();
    db.close();
  });
});
