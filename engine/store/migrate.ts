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
import { prepare, sql } from './sql.ts';

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
    if (m.number !== i + 1) throw new ReconError('INTERNAL_ERROR', `migrations are not numbered 1..N: expected ${i + 1}, found ${m.number}_${m.name}`);
    // A migration's own BEGIN/COMMIT would break the one-transaction rule.
    if (/^\s*(BEGIN|COMMIT|END|ROLLBACK)\b/im.test(m.text)) {
      throw new ReconError('INTERNAL_ERROR', `migration ${m.number}_${m.name} must not manage transactions`);
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
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    number INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  checkApplied(db, migrations);
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.number > upTo) break;
    // IMMEDIATE: two processes opening a new workspace at once serialize here,
    // and the loser sees the row and skips.
    const didApply = db
      .transaction(() => {
        const done = prepare(db, sql`SELECT 1 AS x FROM schema_migrations WHERE number = ${m.number}`).get();
        if (done !== undefined) return false;
        db.exec(m.text);
        prepare(db, sql`INSERT INTO schema_migrations (number, name, sha256, applied_at) VALUES (${m.number}, ${m.name}, ${m.sha256}, ${new Date().toISOString()})`).run(
          ...prepareParams(m),
        );
        return true;
      })
      .immediate();
    if (didApply) applied.push(m.number);
  }
  return applied;
}

// The insert above is built by `sql`; this re-derives its parameters in order.
function prepareParams(m: Migration): unknown[] {
  return sql`${m.number}${m.name}${m.sha256}${new Date().toISOString()}`.params as unknown[];
}

/** Refuses a database whose applied migrations differ from, or go beyond, the files. */
export function checkApplied(db: Database.Database, migrations: readonly Migration[]): void {
  const rows = prepare(db, sql`SELECT number, name, sha256 FROM schema_migrations ORDER BY number`).all() as AppliedRow[];
  const known = new Map(migrations.map((m) => [m.number, m]));
  for (const row of rows) {
    const m = known.get(row.number);
    if (!m) {
      throw new ReconError(
        'STORE_SCHEMA_NEWER',
        `the workspace store was written by a newer version (migration ${row.number}_${row.name}); this version knows up to ${migrations.length}. Update the app.`,
        { applied: row.number, known: migrations.length },
      );
    }
    if (m.sha256 !== row.sha256 || m.name !== row.name) {
      throw new ReconError(
        'STORE_MIGRATION_CHANGED',
        `migration ${row.number}_${row.name} was changed after it was applied to this store (stored sha256 ${row.sha256.slice(0, 12)}…, file ${m.sha256.slice(0, 12)}…). Migrations are forward-only: add a new one instead.`,
        { number: row.number, stored: row.sha256, file: m.sha256 },
      );
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
