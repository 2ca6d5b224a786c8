/**
 * TLS modes against a real PostgreSQL serving a certificate signed by a
 * throwaway CA: require encrypts, verify-full checks the CA and the host
 * name, and a failed check is a clear SYNC_TLS error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, poolConfig, withClient, type ConnectionSettings, type TlsMode } from './connection.ts';
import { classifyError } from './errors.ts';
import { startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
beforeAll(async () => {
  server = await startTestPg({ tls: true });
}, 180_000);
afterAll(async () => {
  await server?.destroy();
});

async function connect(tls: TlsMode, caFile: string | null, host = '127.0.0.1'): Promise<unknown> {
  const settings: ConnectionSettings = { ...server.settings(), host, tls, caFile };
  const pool = createPool(poolConfig(settings, server.info.sync.password, { connectMs: 3000 }));
  try {
    return await withClient(pool, async (c) => (await c.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]?.ssl);
  } catch (err) {
    return classifyError(err).code;
  } finally {
    await pool.end();
  }
}

describe('TLS', () => {
  it('disable connects in plain TCP; require and verify-full encrypt', async () => {
    expect(await connect('disable', null)).toBe(false);
    expect(await connect('require', null)).toBe(true);
    expect(await connect('verify-full', server.info.caFile)).toBe(true);
    expect(await connect('verify-full', server.info.caFile, 'localhost')).toBe(true);
  });

  it('verify-full refuses a certificate it cannot verify', async () => {
    // No CA given: the throwaway CA is not among the system's trusted roots.
    expect(await connect('verify-full', null)).toBe('SYNC_TLS');
    // require with a CA checks the chain too.
    expect(await connect('require', server.info.caFile)).toBe(true);
  });
});
