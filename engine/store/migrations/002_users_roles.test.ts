import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../migrate.ts';

describe('002_users_roles', () => {
  it('holds several known roles per existing user', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations(), 2);
    db.prepare("INSERT INTO users (user_id, display_name, created_at) VALUES ('alice', 'Alice', 'now')").run();
    const grant = db.prepare("INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES (?, ?, 'ada', 'now')");
    grant.run('alice', 'analyst');
    grant.run('alice', 'approver');
    expect(() => grant.run('alice', 'analyst')).toThrow(/UNIQUE/);
    expect(() => grant.run('alice', 'superuser')).toThrow(/CHECK/);
    expect(() => grant.run('nobody', 'admin')).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
