/**
 * Opens `<workspace>/workspace.sqlite`: WAL, synchronous=FULL (a commit is on
 * disk before it is acknowledged), foreign keys on, a busy timeout, then the
 * migrations and the device row.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
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

/** Opens (creating if needed) and migrates the workspace store. */
export function openStore(workspaceDir: string, opts: OpenStoreOptions = {}): Store {
  const dir = resolve(workspaceDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, STORE_FILE);
  const db = new Database(path, { timeout: opts.busyTimeoutMs ?? 5000 });
  try {
    busyToError(() => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    });
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
