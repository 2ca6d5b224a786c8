import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, migrate } from './migrate.ts';
import { openStore } from './open.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

/** A copy of the shipped migrations that a test may edit or extend. */
function copyMigrations(): string {
  const dir = join(tmp.dir, 'migrations');
  mkdirSync(dir);
  for (const f of readdirSync(DEFAULT_MIGRATIONS_DIR)) if (f.endsWith('.sql')) copyFileSync(join(DEFAULT_MIGRATIONS_DIR, f), join(dir, f));
  return dir;
}

const errorOf = (fn: () => unknown): { code?: string; message?: string } => {
  try {
    fn();
  } catch (err) {
    return err as { code?: string };
  }
  throw new Error('expected an error');
};

describe('migrations', () => {
  it('are numbered 1..N and applied once, each with its bookkeeping row', () => {
    const migrations = loadMigrations();
    expect(migrations.map((m) => m.number)).toEqual(migrations.map((_, i) => i + 1));
    const ws = join(tmp.dir, 'ws');
    openStore(ws).close();
    const store = openStore(ws);
    const rows = store.db.prepare('SELECT number, name, sha256 FROM schema_migrations ORDER BY number').all();
    expect(rows).toEqual(migrations.map((m) => ({ number: m.number, name: m.name, sha256: m.sha256 })));
    store.close();
  });

  it('refuses to open when an applied migration file was edited', () => {
    const dir = copyMigrations();
    const ws = join(tmp.dir, 'ws');
    openStore(ws, { migrationsDir: dir }).close();
    writeFileSync(join(dir, '002_users_roles.sql'), `${loadMigrations(dir)[1]!.text}\n-- an innocent-looking edit\n`);
    const err = errorOf(() => openStore(ws, { migrationsDir: dir }));
    expect(err.code).toBe('STORE_MIGRATION_CHANGED');
    expect(err.message).toMatch(/002_users_roles/);
  });

  it('hashes line endings as LF, so a CRLF checkout still opens', () => {
    const dir = copyMigrations();
    const ws = join(tmp.dir, 'ws');
    openStore(ws, { migrationsDir: dir }).close();
    const first = loadMigrations(dir)[0]!;
    writeFileSync(join(dir, '001_device_settings.sql'), first.text.replaceAll('\n', '\r\n'));
    expect(() => openStore(ws, { migrationsDir: dir }).close()).not.toThrow();
  });

  it('refuses a store written by a newer schema', () => {
    const dir = copyMigrations();
    const n = loadMigrations(dir).length;
    const ws = join(tmp.dir, 'ws');
    writeFileSync(join(dir, `${String(n + 1).padStart(3, '0')}_future.sql`), 'CREATE TABLE future (x INTEGER) STRICT;\n');
    openStore(ws, { migrationsDir: dir }).close();
    const err = errorOf(() => openStore(ws));
    expect(err.code).toBe('STORE_SCHEMA_NEWER');
  });

  it('applies a migration atomically: a failure leaves neither its changes nor its row', () => {
    const dir = copyMigrations();
    const n = loadMigrations(dir).length;
    const ws = join(tmp.dir, 'ws');
    openStore(ws, { migrationsDir: dir }).close();
    const name = `${String(n + 1).padStart(3, '0')}_broken.sql`;
    writeFileSync(join(dir, name), 'CREATE TABLE half_done (x INTEGER) STRICT;\nINSERT INTO no_such_table VALUES (1);\n');
    expect(() => openStore(ws, { migrationsDir: dir })).toThrow(/no_such_table/);
    const db = new Database(join(ws, 'workspace.sqlite'), { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT max(number) AS n FROM schema_migrations').get()).toEqual({ n });
    db.close();
  });

  it('refuses a migration that manages its own transaction', () => {
    const dir = copyMigrations();
    writeFileSync(join(dir, `${String(loadMigrations(dir).length + 1).padStart(3, '0')}_tx.sql`), 'BEGIN;\nCREATE TABLE t (x INTEGER) STRICT;\nCOMMIT;\n');
    expect(() => loadMigrations(dir)).toThrow(/must not manage transactions/);
  });

  it('migrate(upTo) stops at a given number (how the per-migration tests start)', () => {
    const db = new Database(':memory:');
    expect(migrate(db, loadMigrations(), 2)).toEqual([1, 2]);
    expect(migrate(db, loadMigrations())).toEqual(loadMigrations().slice(2).map((m) => m.number));
    db.close();
  });
});
