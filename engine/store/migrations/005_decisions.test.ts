import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('005_decisions', () => {
  it('keeps decisions well-formed and refuses an approval by the maker', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations(), 5);
    db.exec(`INSERT INTO reason_codes (code, description, category, created_at) VALUES ('FX_DIFF', 'fx', 'NOISE', 'now');
             INSERT INTO users (user_id, display_name, created_at) VALUES ('alice', 'A', 'now'), ('bob', 'B', 'now');
             INSERT INTO runs (run_id, definition_name, duckdb_path, definition_snapshot, inputs, status, started_by, started_at)
             VALUES ('r1', 'trades', 'r.duckdb', '{}', '{}', 'COMPLETED', 'alice', 'now')`);
    const decide = db.prepare(`INSERT INTO decisions (decision_id, device_id, run_id, kind, reason, comment, actor, decided_at, is_proposal, break_count)
                               VALUES (?, 'd', 'r1', ?, ?, ?, 'alice', 'now', ?, 1)`);
    expect(() => decide.run('x1', 'OVERRIDE', 'FX_DIFF', null, 1)).toThrow(/CHECK/); // no comment
    expect(() => decide.run('x2', 'OVERRIDE', 'FX_DIFF', 'why', 0)).toThrow(/CHECK/); // an override is always a proposal
    expect(() => decide.run('x3', 'REJECT', null, null, 0)).toThrow(/CHECK/);
    expect(() => decide.run('x4', 'OVERRIDE', 'NOT_A_CODE', 'why', 1)).toThrow(/FOREIGN KEY/);
    decide.run('p1', 'OVERRIDE', 'FX_DIFF', 'why', 1);
    const approve = db.prepare("INSERT INTO approvals (approval_id, decision_id, device_id, verdict, approver, comment, decided_at) VALUES (?, 'p1', 'd', ?, ?, ?, 'now')");
    expect(() => approve.run('a1', 'APPROVED', 'alice', null)).toThrow(/FORBIDDEN_SELF_APPROVAL/);
    expect(() => approve.run('a2', 'REJECTED', 'bob', null)).toThrow(/CHECK/);
    approve.run('a3', 'APPROVED', 'bob', null);
    expect(() => approve.run('a4', 'REJECTED', 'bob', 'changed my mind')).toThrow(/UNIQUE/);
    const status = db.prepare("INSERT INTO break_status (run_id, break_id, status, decision_id, updated_at) VALUES ('r1', ?, ?, 'p1', 'now')");
    status.run(1, 'OVERRIDDEN');
    expect(() => status.run(2, 'DONE')).toThrow(/CHECK/);
    db.close();
  });
});
