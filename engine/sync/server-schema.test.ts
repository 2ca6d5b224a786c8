/**
 * The server schema on a real PostgreSQL: migrations are atomic and
 * checksummed, the sync role can append audit events but never change or
 * remove them (grants AND a trigger), and `verify --remote` catches an edit
 * made behind the triggers' back by a superuser.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { withClient } from './connection.ts';
import { verifyRemoteChains } from './remote-verify.ts';
import { checkServerApplied, loadServerMigrations, migrateServer, serverSchemaVersion } from './server-migrate.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { queueEvents } from './testing/events.ts';
import { startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let dev: Device;

beforeAll(async () => {
  tmp = tempDir('recon-sync-schema-');
  server = await startTestPg({ migrate: false });
}, 180_000);

afterAll(async () => {
  await dev?.close();
  await server?.destroy();
  tmp?.cleanup();
});

const codeOf = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );

describe('server schema', () => {
  it('migrates once, atomically, and refuses a changed migration', async () => {
    const c = await server.admin();
    try {
      const all = loadServerMigrations();
      expect(await migrateServer(c, all, 1)).toEqual([1]);
      expect(await migrateServer(c, all)).toEqual(all.slice(1).map((m) => m.number));
      expect(await migrateServer(c, all)).toEqual([]);
      expect(await serverSchemaVersion(c)).toBe(all.length);
      const edited = all.map((m) => (m.number === 2 ? { ...m, sha256: 'f'.repeat(64) } : m));
      await expect(checkServerApplied(c, edited)).rejects.toMatchObject({ code: 'SYNC_SERVER_SCHEMA' });
      // A failing migration leaves nothing behind: not even its bookkeeping row.
      const broken = [...all, { number: all.length + 1, name: 'broken', sha256: 'x', text: 'CREATE TABLE recon.half (x int); SELECT 1/0;' }];
      await expect(migrateServer(c, broken)).rejects.toMatchObject({ code: 'SYNC_SERVER_SCHEMA' });
      expect((await c.query("SELECT to_regclass('recon.half') AS t")).rows).toEqual([{ t: null }]);
      expect(await serverSchemaVersion(c)).toBe(all.length);
    } finally {
      await c.end();
    }
  });

  it('lets the sync role append audit events but never update, delete or truncate them', async () => {
    dev = openDevice(tmp.dir, 'dev', server);
    queueEvents(dev.store, 3);
    await dev.sync();
    await withClient(dev.pool, async (c) => {
      expect(await codeOf(c.query("UPDATE recon.audit_events SET actor = 'mallory'"))).toBe('42501');
      expect(await codeOf(c.query('DELETE FROM recon.audit_events'))).toBe('42501');
      expect(await codeOf(c.query('TRUNCATE recon.audit_events'))).toBe('42501');
      expect(await codeOf(c.query("UPDATE recon.chain_heads SET seq = 0"))).toBe('42501');
      expect(await codeOf(c.query("INSERT INTO recon.user_roles (user_id, role) VALUES ('x', 'approver')"))).toBe('42501');
      expect(await codeOf(c.query("INSERT INTO recon.decisions (decision_id) VALUES ('x')"))).toBe('42501');
    });
    // Even the schema owner meets the trigger.
    const owner = await server.admin();
    try {
      expect(await codeOf(owner.query("UPDATE recon.audit_events SET actor = 'mallory'"))).toBe('RC003');
      expect(await codeOf(owner.query('DELETE FROM recon.audit_events'))).toBe('RC003');
      expect(await codeOf(owner.query('TRUNCATE recon.audit_events CASCADE'))).toBe('RC003');
    } finally {
      await owner.end();
    }
  });

  it('verify --remote catches an event edited behind the triggers by a superuser', async () => {
    expect((await withClient(dev.pool, (c) => verifyRemoteChains(c))).ok).toBe(true);
    const su = await server.admin('superuser');
    try {
      await su.query('ALTER TABLE recon.audit_events DISABLE TRIGGER USER');
      await su.query(`UPDATE recon.audit_events SET event = replace(event::text, '"rows":1', '"rows":9')::json WHERE seq = 2`);
      await su.query('ALTER TABLE recon.audit_events ENABLE TRIGGER USER');
    } finally {
      await su.end();
    }
    const report = await withClient(dev.pool, (c) => verifyRemoteChains(c));
    expect(report).toMatchObject({ ok: false, firstBreak: { seq: 2, problem: 'HASH_MISMATCH' } });
  });

  it('a wrong password is an authentication error, not a crash', async () => {
    const pool = new pg.Pool({ ...server.settings(), password: 'wrong', connectionTimeoutMillis: 2000 });
    pool.on('error', () => undefined);
    expect(await codeOf(pool.query('SELECT 1'))).toBe('28P01');
    await pool.end();
  });
});
