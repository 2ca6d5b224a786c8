import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('001_device_settings', () => {
  it('allows exactly one device row and JSON settings only', () => {
    const db = new Database(':memory:');
    migrate(db, loadMigrations(), 1);
    db.prepare("INSERT INTO device (singleton, device_id, created_at) VALUES (1, 'd1', 'now')").run();
    expect(() => db.prepare("INSERT INTO device (singleton, device_id, created_at) VALUES (2, 'd2', 'now')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO device (singleton, device_id, created_at) VALUES (1, 'd2', 'now')").run()).toThrow(/UNIQUE/);
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '50', 'now')").run();
    expect(() => db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('j', 'not json', 'now')").run()).toThrow(/CHECK/);
    db.close();
  });
});
