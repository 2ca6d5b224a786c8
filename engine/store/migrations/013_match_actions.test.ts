import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

function store(): Database.Database {
  const db = new Database(':memory:');
  migrate(db, loadMigrations(), 12);
  db.exec(`INSERT INTO users (user_id, display_name, created_at) VALUES ('alice', 'Alice', 'now'), ('bob', 'Bob', 'now');
           INSERT INTO runs (run_id, definition_name, definition_version, duckdb_path, definition_snapshot, inputs, summary, status, started_by, started_at, finished_at)
           VALUES ('r1', 'cash', NULL, '/x.duckdb', '{}', '{}', NULL, 'COMPLETED', 'alice', 'now', 'now');`);
  expect(migrate(db, loadMigrations(), 13)).toEqual([13]);
  return db;
}

const action = (db: Database.Database, id: string, needs: 0 | 1, rows = '[{"side":"a","rid":1,"id":"L1"},{"side":"b","rid":2,"id":"S2"}]') =>
  db
    .prepare(`INSERT INTO match_actions (action_id, device_id, run_id, kind, match_id, rows_json, sum_a, sum_b, difference, comment, actor, decided_at, needs_approval)
              VALUES (?, 'dev', 'r1', 'MATCH', ?, ?, '1.00', '1.00', '0.00', 'why', 'alice', 'now', ?)`)
    .run(id, `U${id}`, rows, needs);
const verdict = (db: Database.Database, id: string, v: string, who: string, comment: string | null = 'ok') =>
  db.prepare(`INSERT INTO match_action_verdicts (action_id, device_id, verdict, approver, comment, decided_at) VALUES (?, 'dev', ?, ?, ?, 'now')`).run(id, v, who, comment);

describe('013_match_actions', () => {
  it('keeps actions as facts with their rows, breaks and a registered run', () => {
    const db = store();
    action(db, 'x1', 0);
    expect(db.prepare("SELECT breaks_json FROM match_actions WHERE action_id = 'x1'").get()).toEqual({ breaks_json: '[]' });
    expect(() => db.exec("UPDATE match_actions SET comment = 'edited'")).toThrow(/never updated/);
    expect(() => db.exec('DELETE FROM match_actions')).toThrow(/never deleted/);
    expect(() => action(db, 'x2', 0, '[]')).toThrow(/CHECK/);
    expect(() => db.prepare(`INSERT INTO match_actions (action_id, device_id, run_id, kind, match_id, rows_json, comment, actor, decided_at, needs_approval)
      VALUES ('x3', 'dev', 'no-run', 'MATCH', 'U3', '[{"side":"a","rid":1,"id":"L1"}]', 'why', 'alice', 'now', 0)`).run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('gives a pending action one verdict: never by its maker, a withdrawal only by its maker, a rejection with a comment', () => {
    const db = store();
    action(db, 'p1', 1);
    action(db, 'e1', 0);
    expect(() => verdict(db, 'p1', 'APPROVED', 'alice')).toThrow(/FORBIDDEN_SELF_APPROVAL/);
    expect(() => verdict(db, 'p1', 'WITHDRAWN', 'bob')).toThrow(/only its maker/);
    expect(() => verdict(db, 'p1', 'REJECTED', 'bob', null)).toThrow(/CHECK/);
    expect(() => verdict(db, 'e1', 'APPROVED', 'bob')).toThrow(/needed no approval/);
    verdict(db, 'p1', 'APPROVED', 'bob');
    expect(() => verdict(db, 'p1', 'REJECTED', 'bob')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.exec("UPDATE match_action_verdicts SET verdict = 'REJECTED'")).toThrow(/never updated/);
    expect(() => db.exec('DELETE FROM match_action_verdicts')).toThrow(/never deleted/);
    db.close();
  });

  it("records the team server's verdicts, which are not facts of this device", () => {
    const db = store();
    db.exec(`INSERT INTO sync_match_actions (id, kind, action_id, device_id, server_order, state, detail, synced_at) VALUES ('x', 'action', 'x', 'dev', 3, 'SUPERSEDED', 'first', 'now')`);
    expect(() => db.exec(`INSERT INTO sync_match_actions (id, kind, action_id, device_id, server_order, state, synced_at) VALUES ('y', 'action', 'y', 'dev', 3, 'LOST', 'now')`)).toThrow(/CHECK/);
    db.close();
  });
});
