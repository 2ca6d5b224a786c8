import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('010_definition_origin', () => {
  it('keeps older versions and the runs tied to them, records a pulled version once by its origin, and lists imported files', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations(), 9);
    db.exec(`INSERT INTO users (user_id, display_name, created_at) VALUES ('ada', 'Ada', 'now');
             INSERT INTO definitions (name, version, body, sha256, saved_by, saved_at, comment) VALUES ('trades', 1, '{"name":"trades"}', 'h1', 'ada', 'now', 'first');
             INSERT INTO runs (run_id, definition_name, definition_version, duckdb_path, definition_snapshot, inputs, status, started_by, started_at)
             VALUES ('r1', 'trades', 1, 'r.duckdb', '{}', '{}', 'COMPLETED', 'ada', 'now')`);
    migrate(db, loadMigrations(), 10);
    expect(db.prepare("SELECT name, version, body, saved_by, comment, origin_device, origin_seq FROM definitions").all()).toEqual([
      { name: 'trades', version: 1, body: '{"name":"trades"}', saved_by: 'ada', comment: 'first', origin_device: null, origin_seq: null },
    ]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // A run still names a version that exists.
    expect(() => db.prepare(`UPDATE runs SET definition_version = 9 WHERE run_id = 'r1'`).run()).toThrow(/FOREIGN KEY/);
    const save = db.prepare(`INSERT INTO definitions (name, version, body, sha256, saved_by, saved_at, origin_device, origin_seq) VALUES ('trades', ?, '{}', 'h', ?, 'now', ?, ?)`);
    // Saved by someone this workspace does not know (an import at open, another device's user).
    save.run(2, 'zed', null, null);
    save.run(3, 'ada', 'dev-b', 7);
    expect(() => save.run(4, 'ada', 'dev-b', 7)).toThrow(/UNIQUE/);
    expect(() => save.run(4, 'ada', 'dev-b', 0)).toThrow(/CHECK/);
    expect(() => save.run(4, 'ada', 'dev-b', null)).toThrow(/CHECK/);
    db.prepare(`INSERT INTO definition_imports (file, sha256, name, version, imported_at) VALUES ('trades.json', 'h', 'trades', 2, 'now')`).run();
    expect(() => db.prepare(`INSERT INTO definition_imports (file, sha256, imported_at) VALUES ('trades.json', 'h2', 'now')`).run()).toThrow(/UNIQUE|PRIMARY/);
    db.close();
  });
});
