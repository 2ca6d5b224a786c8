/**
 * Forward-only migrations: numbered files `migrations/NNN_name.sql`. Each is
 * applied together with its bookkeeping row (number, name, sha256) in one
 * transaction. The store refuses to open when an applied file changed or when
 * the database knows a migration this code does not (written by a newer app).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { ReconError } from '../errors/recon-error.ts';
import { allRows, getRow, runSql, sql } from './sql.ts';

/** One migration file. */
export interface Migration {
  number: number;
  name: string;
  sha256: string;
  text: string;
}

/** The migrations folder beside this module (a bundle must ship it; see README). */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** Reads and hashes the migration files, checking they are numbered 1..N without gaps. */
export function loadMigrations(dir = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, m: FILE_NAME.exec(file) }))
    .filter((x): x is { file: string; m: RegExpExecArray } => x.m !== null)
    .map(({ file, m }) => {
      // Line endings are normalized so a Windows checkout (CRLF) hashes the same.
      const text = readFileSync(join(dir, file), 'utf8').replace(/\r\n?/g, '\n');
      return { number: Number(m[1]), name: m[2]!, sha256: sha256(text), text };
    })
    .sort((a, b) => a.number - b.number);
  migrations.forEach((m, i) => {
    if (m.number !== i + 1) throw new ReconError('INTERNAL_ERROR', `migrations are not numbered 1..N: expected ${i + 1}, found ${fileName(m)}`);
    // A migration's own BEGIN/COMMIT would break the one-transaction rule
    // (a trigger body's BEGIN … END; is fine: it is not followed by ';').
    if (/^\s*(BEGIN\s*(DEFERRED|IMMEDIATE|EXCLUSIVE|TRANSACTION)?\s*;|COMMIT\b|ROLLBACK\b|END\s+TRANSACTION\b|SAVEPOINT\b|RELEASE\b)/im.test(m.text)) {
      throw new ReconError('INTERNAL_ERROR', `migration ${fileName(m)} must not manage transactions`);
    }
  });
  return migrations;
}

interface AppliedRow {
  number: number;
  name: string;
  sha256: string;
}

/** Applies every pending migration (up to `upTo`, for tests); returns the numbers applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[], upTo = Infinity): number[] {
  // Checked first: even a no-op CREATE would be a write.
  const hasTable = getRow(db, sql`SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`) !== undefined;
  if (!hasTable) db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    number INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const done = checkApplied(db, migrations);
  const applied: number[] = [];
  // Only a store with pending migrations takes the write lock: opening a
  // current store never waits for, or blocks, another process's writes.
  for (const m of migrations.filter((x) => !done.has(x.number) && x.number <= upTo)) {
    // IMMEDIATE: two processes opening a new workspace at once serialize here,
    // and the loser sees the row and skips.
    const didApply = db
      .transaction(() => {
        if (getRow(db, sql`SELECT 1 AS x FROM schema_migrations WHERE number = ${m.number}`) !== undefined) return false;
        db.exec(m.text);
        runSql(db, sql`INSERT INTO schema_migrations (number, name, sha256, applied_at) VALUES (${m.number}, ${m.name}, ${m.sha256}, ${new Date().toISOString()})`);
        return true;
      })
      .immediate();
    if (didApply) applied.push(m.number);
  }
  return applied;
}

/** Refuses a database whose applied migrations differ from, or go beyond, the files; returns the applied numbers. */
export function checkApplied(db: Database.Database, migrations: readonly Migration[]): Set<number> {
  const rows = allRows<AppliedRow>(db, sql`SELECT number, name, sha256 FROM schema_migrations ORDER BY number`);
  const known = new Map(migrations.map((m) => [m.number, m]));
  for (const row of rows) {
    const m = known.get(row.number);
    if (!m) {
      throw new ReconError(
        'STORE_SCHEMA_NEWER',
        `the workspace store was written by a newer version (migration ${fileName(row)}); this version knows up to ${migrations.length}. Update the app.`,
        { applied: row.number, known: migrations.length },
      );
    }
    if (m.sha256 !== row.sha256 || m.name !== row.name) {
      throw new ReconError(
        'STORE_MIGRATION_CHANGED',
        `migration ${fileName(row)} was changed after it was applied to this store (stored sha256 ${row.sha256.slice(0, 12)}…, file ${m.sha256.slice(0, 12)}…). Migrations are forward-only: add a new one instead.`,
        { number: row.number, stored: row.sha256, file: m.sha256 },
      );
    }
  }
  return new Set(rows.map((r) => r.number));
}

const fileName = (m: { number: number; name: string }): string => `${String(m.number).padStart(3, '0')}_${m.name}.sql`;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
