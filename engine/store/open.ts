/**
 * Opens `<workspace>/workspace.sqlite`: WAL, synchronous=FULL (a commit is on
 * disk before it is acknowledged), foreign keys on, a busy timeout, then the
 * migrations and the device row.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ReconError } from '../errors/recon-error.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { seedReasonCodes } from './seed-reason-codes.ts';
import { getRow, runSql, sql } from './sql.ts';
import { busyToError, makeStore, type Store } from './store.ts';

export type { ReadTx, Store, WriteTx } from './store.ts';

/** Options for openStore. */
export interface OpenStoreOptions {
  /** The device id to give a new workspace (default: a random UUID). An existing workspace must match. */
  device?: string;
  /** How long to wait for another writer before STORE_BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Where the migration files are (default: beside this module). */
  migrationsDir?: string;
}

/** The store file's name inside a workspace folder. */
export const STORE_FILE = 'workspace.sqlite';

/**
 * A workspace's folders and files are its owner's only, whatever the process's umask: the folder
 * holds positions, decisions and the audit trail. Modes given to mkdir/open are cut by the umask
 * (0700 and 0600 survive the usual 022 and 002 intact); files that SQLite and DuckDB create take
 * 0644-style defaults and are chmod-ed after they open them.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Sets `path`'s mode. A path that is not there is skipped; so is one this account may not change
 * (a folder of another owner, a file system without Unix modes): the workspace still opens, as before.
 */
export function makePrivate(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM' && code !== 'EROFS' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
  }
}

/** Opens (creating if needed) and migrates the workspace store. */
export function openStore(workspaceDir: string, opts: OpenStoreOptions = {}): Store {
  const dir = resolve(workspaceDir);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir leaves an existing folder as it was: a workspace made before (or by hand) is tightened here.
  makePrivate(dir, PRIVATE_DIR_MODE);
  const path = join(dir, STORE_FILE);
  const db = new Database(path, { timeout: opts.busyTimeoutMs ?? 5000 });
  try {
    // Before WAL mode: SQLite gives the -wal and -shm files it creates the main file's mode.
    makePrivate(path, PRIVATE_FILE_MODE);
    busyToError(() => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    });
    // Those of an older workspace (or another process's) may predate the line above.
    for (const suffix of ['-wal', '-shm']) makePrivate(`${path}${suffix}`, PRIVATE_FILE_MODE);
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') throw new ReconError('INTERNAL_ERROR', `${path}: could not switch to WAL mode`);
    busyToError(() => migrate(db, loadMigrations(opts.migrationsDir)));
    const deviceId = busyToError(() => ensureDevice(db, opts.device));
    busyToError(() => seedReasonCodes(db));
    return makeStore(db, dir, path, deviceId);
  } catch (err) {
    db.close();
    throw err;
  }
}

function ensureDevice(db: Database.Database, wanted: string | undefined): string {
  const existing = getRow<{ device_id: string }>(db, sql`SELECT device_id FROM device`);
  if (existing && (wanted === undefined || wanted === existing.device_id)) return existing.device_id;
  return db
    .transaction(() => {
      const row = getRow<{ device_id: string }>(db, sql`SELECT device_id FROM device`);
      if (row) {
        if (wanted !== undefined && wanted !== row.device_id) {
          throw new ReconError('STORE_DEVICE_MISMATCH', `this workspace is device ${row.device_id}, not ${wanted}`, { device: row.device_id });
        }
        return row.device_id;
      }
      const id = wanted ?? randomUUID();
      runSql(db, sql`INSERT INTO device (singleton, device_id, created_at) VALUES (1, ${id}, ${new Date().toISOString()})`);
      return id;
    })
    .immediate();
}
