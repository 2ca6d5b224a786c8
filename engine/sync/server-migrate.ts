/**
 * The team server's schema, from numbered files in server-migrations/, the
 * same rules as the workspace store: forward-only, each file applied with its
 * bookkeeping row (number, name, sha256) in one transaction, and a server
 * whose applied file changed is refused. Run by the schema owner
 * (`recon sync init`), never by the restricted sync role.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { inTransaction } from './connection.ts';
import { SyncError, sqlState } from './errors.ts';

/** One server migration file. */
export interface ServerMigration {
  number: number;
  name: string;
  sha256: string;
  text: string;
}

/** Beside this module; a bundle must ship the folder (like the store's migrations). */
export const SERVER_MIGRATIONS_DIR = fileURLToPath(new URL('./server-migrations/', import.meta.url));

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;
// Serializes two `init`s racing on a new server.
const MIGRATION_LOCK = 7261000;

/** Reads and hashes the files, checking they are numbered 1..N. */
export function loadServerMigrations(dir = SERVER_MIGRATIONS_DIR): ServerMigration[] {
  const files = readdirSync(dir)
    .map((file) => ({ file, m: FILE_NAME.exec(file) }))
    .filter((x): x is { file: string; m: RegExpExecArray } => x.m !== null)
    .map(({ file, m }) => {
      const text = readFileSync(join(dir, file), 'utf8').replace(/\r\n?/g, '\n');
      return { number: Number(m[1]), name: m[2]!, sha256: createHash('sha256').update(text, 'utf8').digest('hex'), text };
    })
    .sort((a, b) => a.number - b.number);
  files.forEach((m, i) => {
    if (m.number !== i + 1) throw new SyncError('SYNC_SERVER_SCHEMA', `server migrations are not numbered 1..N: expected ${i + 1}, found ${m.number}`);
  });
  return files;
}

/** Applies pending server migrations (as the schema owner); returns the numbers applied. */
export async function migrateServer(client: pg.ClientBase, migrations = loadServerMigrations(), upTo = Infinity): Promise<number[]> {
  const applied: number[] = [];
  for (const m of migrations.filter((x) => x.number <= upTo)) {
    const did = await inTransaction(client as pg.PoolClient, async () => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE SCHEMA IF NOT EXISTS recon');
      await client.query(`CREATE TABLE IF NOT EXISTS recon.schema_migrations (
        number INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const done = await checkServerApplied(client, migrations);
      if (done.has(m.number)) return false;
      try {
        await client.query(m.text);
      } catch (err) {
        const hint = sqlState(err) === '42704' ? ' (create the recon_sync role first: see engine/sync/README.md)' : '';
        throw new SyncError('SYNC_SERVER_SCHEMA', `server migration ${fileName(m)} failed: ${(err as Error).message}${hint}`, { cause: err });
      }
      await client.query('INSERT INTO recon.schema_migrations (number, name, sha256) VALUES ($1, $2, $3)', [m.number, m.name, m.sha256]);
      return true;
    });
    if (did) applied.push(m.number);
  }
  return applied;
}

/** Refuses a server whose applied migrations differ from the files or go beyond them. */
export async function checkServerApplied(client: pg.ClientBase, migrations: readonly ServerMigration[]): Promise<Set<number>> {
  const rows = (await client.query<{ number: number; name: string; sha256: string }>('SELECT number, name, sha256 FROM recon.schema_migrations ORDER BY number')).rows;
  const known = new Map(migrations.map((m) => [m.number, m]));
  for (const row of rows) {
    const m = known.get(row.number);
    if (!m) throw new SyncError('SYNC_SERVER_SCHEMA', `the team server's schema is newer (migration ${fileName(row)}); update the app`, { details: { applied: row.number } });
    if (m.sha256 !== row.sha256 || m.name !== row.name) {
      throw new SyncError('SYNC_SERVER_SCHEMA', `server migration ${fileName(row)} was changed after it was applied (stored ${row.sha256.slice(0, 12)}…, file ${m.sha256.slice(0, 12)}…); add a new migration instead`);
    }
  }
  return new Set(rows.map((r) => r.number));
}

/** The schema version the server is at (0 when it has none); read by the sync role too. */
export async function serverSchemaVersion(client: pg.ClientBase): Promise<number> {
  try {
    const r = await client.query<{ n: number | null }>('SELECT max(number) AS n FROM recon.schema_migrations');
    return r.rows[0]?.n ?? 0;
  } catch (err) {
    if (sqlState(err) === '42P01' || sqlState(err) === '3F000') return 0;
    throw err;
  }
}

const fileName = (m: { number: number; name: string }): string => `${String(m.number).padStart(3, '0')}_${m.name}.sql`;
