import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('017_pull_window', () => {
  it('keeps one anchor per device (seq ≥ 1) and a stage for older history keyed like the trail', () => {
    const db = new Database(':memory:');
    expect(migrate(db, loadMigrations(), 17)).toContain(17);
    const put = db.prepare('INSERT INTO chain_anchors (device_id, anchor_seq, anchor_hash, since, set_at) VALUES (?, ?, ?, ?, ?)');
    put.run('dev-1', 41, 'a'.repeat(64), '2026-11-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z');
    expect(() => put.run('dev-1', 50, 'b'.repeat(64), '2026-11-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z')).toThrow(/UNIQUE/);
    // A chain held from seq 1 has no anchor row: seq 0 is refused.
    expect(() => put.run('dev-2', 0, '0'.repeat(64), '2026-11-07T00:00:00.000Z', '2026-12-07T00:00:00.000Z')).toThrow(/CHECK/);
    const stage = db.prepare('INSERT INTO chain_history_stage (device_id, seq, event, signature) VALUES (?, ?, ?, ?)');
    stage.run('dev-1', 1, '{}', null);
    expect(() => stage.run('dev-1', 1, '{}', null)).toThrow(/UNIQUE/);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT seq, event FROM chain_history_stage WHERE device_id = 'dev-1' AND seq > 0 ORDER BY seq LIMIT 5000`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/PRIMARY KEY|sqlite_autoindex_chain_history_stage/);
    db.close();
  });
});
