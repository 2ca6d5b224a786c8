import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('009_withdrawn_proposals', () => {
  it('keeps approvals and the statuses that point at them; the maker may withdraw, and only the maker', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations(), 8);
    db.exec(`INSERT INTO reason_codes (code, description, category, created_at) VALUES ('FX_DIFF', 'fx', 'NOISE', 'now');
             INSERT INTO users (user_id, display_name, created_at) VALUES ('alice', 'A', 'now'), ('bob', 'B', 'now');
             INSERT INTO runs (run_id, definition_name, duckdb_path, definition_snapshot, inputs, status, started_by, started_at)
             VALUES ('r1', 'trades', 'r.duckdb', '{}', '{}', 'COMPLETED', 'alice', 'now')`);
    const decide = db.prepare(`INSERT INTO decisions (decision_id, device_id, run_id, kind, reason, comment, actor, decided_at, is_proposal, break_count)
                               VALUES (?, 'd', 'r1', 'OVERRIDE', 'FX_DIFF', 'why', 'alice', 'now', 1, 1)`);
    for (const id of ['p1', 'p2', 'p3', 'p4']) decide.run(id);
    db.exec(`INSERT INTO approvals (approval_id, decision_id, device_id, verdict, approver, comment, decided_at) VALUES ('a1', 'p1', 'd', 'APPROVED', 'bob', NULL, 'now');
             INSERT INTO break_status (run_id, break_id, status, reason, decision_id, approval_id, updated_at) VALUES ('r1', 1, 'OVERRIDDEN', 'FX_DIFF', 'p1', 'a1', 'now')`);
    expect(() => db.prepare("INSERT INTO approvals (approval_id, decision_id, device_id, verdict, approver, comment, decided_at) VALUES ('w0', 'p2', 'd', 'WITHDRAWN', 'alice', NULL, 'now')").run()).toThrow(/FORBIDDEN_SELF_APPROVAL|CHECK/);

    expect(migrate(db, loadMigrations(), 9)).toEqual([9]);
    expect(db.prepare('SELECT approval_id, verdict, approver FROM approvals').all()).toEqual([{ approval_id: 'a1', verdict: 'APPROVED', approver: 'bob' }]);
    expect(db.prepare("SELECT approval_id FROM break_status WHERE break_id = 1").get()).toEqual({ approval_id: 'a1' });
    expect(db.pragma('foreign_key_check')).toEqual([]);

    const settle = db.prepare("INSERT INTO approvals (approval_id, decision_id, device_id, verdict, approver, comment, decided_at) VALUES (?, ?, 'd', ?, ?, ?, 'now')");
    settle.run('w1', 'p2', 'WITHDRAWN', 'alice', null);
    expect(() => settle.run('w2', 'p3', 'WITHDRAWN', 'bob', null)).toThrow(/only the maker/);
    expect(() => settle.run('w3', 'p3', 'APPROVED', 'alice', null)).toThrow(/FORBIDDEN_SELF_APPROVAL/);
    expect(() => settle.run('w4', 'p3', 'REJECTED', 'bob', null)).toThrow(/CHECK/);
    expect(() => settle.run('w5', 'p2', 'APPROVED', 'bob', null)).toThrow(/UNIQUE/); // one outcome per proposal
    expect(() => settle.run('w6', 'p4', 'LOST', 'bob', 'x')).toThrow(/CHECK/);
    expect(() => db.prepare("DELETE FROM approvals WHERE approval_id = 'a1'").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
