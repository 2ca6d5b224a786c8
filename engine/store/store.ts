/**
 * The workflow store's handle. Reads and writes go through `read` and
 * `write`, which hand out a ReadTx or a WriteTx: only a WriteTx can change
 * rows or append an audit event, so an audit event can only be written
 * inside the transaction of the change it records.
 */
import type Database from 'better-sqlite3';
import { ReconError } from '../errors/recon-error.ts';
import { allRows, getRow, iterateRows, runSql, type SqlQuery } from './sql.ts';

/** Read-only access inside one transaction (one consistent snapshot). */
export interface ReadTx {
  readonly deviceId: string;
  get<T>(q: SqlQuery): T | undefined;
  all<T>(q: SqlQuery): T[];
  iterate<T>(q: SqlQuery): IterableIterator<T>;
}

declare const writeBrand: unique symbol;

/** Read-write access inside one IMMEDIATE transaction; commits when the callback returns. */
export interface WriteTx extends ReadTx {
  readonly [writeBrand]: true;
  run(q: SqlQuery): Database.RunResult;
  /** The transaction's timestamp: every row and event it writes carries the same time. */
  readonly now: string;
}

/** An open workspace store. */
export interface Store {
  readonly dir: string;
  readonly path: string;
  readonly deviceId: string;
  /** The raw connection: for tests, verification and maintenance, not for feature code. */
  readonly db: Database.Database;
  read<T>(fn: (tx: ReadTx) => T): T;
  write<T>(fn: (tx: WriteTx) => T): T;
  close(): void;
}

/** Wraps a connection as a Store (openStore does the opening and migrating). */
export function makeStore(db: Database.Database, dir: string, path: string, deviceId: string): Store {
  const readTx: ReadTx = {
    deviceId,
    get: (q) => getRow(db, q),
    all: (q) => allRows(db, q),
    iterate: (q) => iterateRows(db, q),
  };
  return {
    dir,
    path,
    deviceId,
    db,
    read: (fn) => busyToError(() => (db.inTransaction ? fn(readTx) : db.transaction(() => fn(readTx)).deferred())),
    write: (fn) =>
      busyToError(() => {
        const tx = { ...readTx, run: (q: SqlQuery) => runSql(db, q), now: new Date().toISOString() } as WriteTx;
        // IMMEDIATE takes the write lock up front, so a second writer waits
        // (busy_timeout) instead of failing on a read-to-write upgrade.
        return db.inTransaction ? db.transaction(() => fn(tx))() : db.transaction(() => fn(tx)).immediate();
      }),
    close: () => db.close(),
  };
}

/** Turns SQLite's busy/locked errors into STORE_BUSY, after busy_timeout has expired. */
export function busyToError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
      throw new ReconError('STORE_BUSY', 'the workspace store is busy: another process is writing to it. Try again in a moment.', { sqlite: code });
    }
    throw err;
  }
}
