import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('008_run_owner', () => {
  it('adds the owning process to runs, keeping older rows and refusing a non-positive pid', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations(), 7);
    db.exec(`INSERT INTO runs (run_id, definition_name, duckdb_path, definition_snapshot, inputs, status, started_by, started_at)
             VALUES ('old', 'trades', '/ws/runs/old.duckdb', '{}', '{}', 'RUNNING', 'alice', 'now')`);
    migrate(db, loadMigrations(), 8);
    expect(db.prepare("SELECT owner_host, owner_pid FROM runs WHERE run_id = 'old'").get()).toEqual({ owner_host: null, owner_pid: null });
    const insert = db.prepare(`INSERT INTO runs (run_id, definition_name, duckdb_path, definition_snapshot, inputs, status, started_by, started_at, owner_host, owner_pid)
                               VALUES (?, 'trades', '/x', '{}', '{}', 'RUNNING', 'alice', 'now', 'box', ?)`);
    insert.run('new', 4242);
    expect(() => insert.run('bad', 0)).toThrow(/CHECK/);
    expect(() => insert.run('text', 'x')).toThrow();
    db.close();
  });
});
