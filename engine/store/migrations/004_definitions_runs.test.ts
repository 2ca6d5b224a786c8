import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('004_definitions_runs', () => {
  it('versions definitions and ties a run to a stored version when it has one', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations(), 4);
    db.prepare("INSERT INTO users (user_id, display_name, created_at) VALUES ('ada', 'Ada', 'now')").run();
    const save = db.prepare("INSERT INTO definitions (name, version, body, sha256, saved_by, saved_at) VALUES ('trades', ?, '{}', 'h', 'ada', 'now')");
    save.run(1);
    save.run(2);
    expect(() => save.run(2)).toThrow(/UNIQUE/);
    const run = db.prepare(`INSERT INTO runs (run_id, definition_name, definition_version, duckdb_path, definition_snapshot, inputs, status, started_by, started_at)
                            VALUES (?, 'trades', ?, 'r.duckdb', '{}', '{}', ?, 'ada', 'now')`);
    run.run('r1', 2, 'RUNNING');
    run.run('r2', null, 'COMPLETED');
    expect(() => run.run('r3', 9, 'RUNNING')).toThrow(/FOREIGN KEY/);
    expect(() => run.run('r4', null, 'PAUSED')).toThrow(/CHECK/);
    db.close();
  });
});
