import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADA, tempDir } from '../workflow/testing/fixtures.ts';
import { addUser } from '../workflow/roles.ts';
import { openStore } from './open.ts';
import { sql } from './sql.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('openStore', () => {
  it('uses WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const store = openStore(tmp.dir, { busyTimeoutMs: 1234 });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(1234);
    store.close();
  });

  it('makes every table STRICT', () => {
    const store = openStore(tmp.dir);
    const tables = store.db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'").all() as { name: string; strict: number }[];
    expect(tables.length).toBeGreaterThan(10);
    expect(tables.filter((t) => t.strict !== 1)).toEqual([]);
    store.close();
  });

  it('creates the device id once and keeps it', () => {
    const first = openStore(tmp.dir);
    const id = first.deviceId;
    first.close();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const again = openStore(tmp.dir);
    expect(again.deviceId).toBe(id);
    again.close();
    expect(() => openStore(tmp.dir, { device: 'another' })).toThrow(expect.objectContaining({ code: 'STORE_DEVICE_MISMATCH' }));
  });

  it('gives a new workspace the requested device id', () => {
    const store = openStore(tmp.dir, { device: 'device-a' });
    expect(store.deviceId).toBe('device-a');
    store.close();
  });

  it('opens and reads a current store while another connection holds the write lock', () => {
    openStore(tmp.dir).close();
    const other = new Database(join(tmp.dir, 'workspace.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    const store = openStore(tmp.dir, { busyTimeoutMs: 50 });
    expect(store.read((tx) => tx.all(sql`SELECT code FROM reason_codes`)).length).toBeGreaterThan(5);
    store.close();
    other.exec('ROLLBACK');
    other.close();
  });

  it('waits for another writer, then fails with STORE_BUSY', () => {
    const store = openStore(tmp.dir, { busyTimeoutMs: 150 });
    const other = new Database(join(tmp.dir, 'workspace.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    expect(() => addUser(store, ADA, { userId: 'x' })).toThrow(expect.objectContaining({ code: 'STORE_BUSY' }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    other.exec('ROLLBACK');
    addUser(store, ADA, { userId: 'x' });
    other.close();
    store.close();
  });
});
