import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('016_partial_supersede', () => {
  it('keeps each lost break once per decision, finds a winner by index, and one dismissal per decision', () => {
    const db = new Database(':memory:');
    expect(migrate(db, loadMigrations(), 16)).toContain(16);
    const lost = db.prepare('INSERT INTO sync_superseded_breaks (decision_id, break_id, superseded_by, status, reason, server_order) VALUES (?, ?, ?, ?, ?, ?)');
    lost.run('d1', 4, 'w1', 'ACCEPTED', 'FX_DIFF', 7);
    expect(() => lost.run('d1', 4, 'w2', 'REJECTED', null, 8)).toThrow(/UNIQUE/);
    // STRICT: a break id is an integer, never text.
    expect(() => lost.run('d1', 'x', 'w1', 'ACCEPTED', null, 7)).toThrow(/cannot store TEXT value in INTEGER/);
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT * FROM sync_superseded_breaks WHERE superseded_by = 'w1'").all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/USING INDEX sync_superseded_breaks_by_winner/);
    const ack = db.prepare('INSERT INTO sync_conflict_acks (decision_id, acknowledged_by, acknowledged_at) VALUES (?, ?, ?)');
    ack.run('d1', 'alice', '2026-12-07T08:00:00Z');
    expect(() => ack.run('d1', 'alice', '2026-12-07T08:01:00Z')).toThrow(/UNIQUE/);
    db.close();
  });
});
