/**
 * The OS keychain for real: a Secret Service daemon (gnome-keyring) started by
 * scripts/keyring/with-secret-service.sh (`npm run test:keyring`). Stores,
 * reads and deletes through @napi-rs/keyring; `recon sync login` puts the
 * password there and nowhere else, and sync then connects with it.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import { tempDir } from '../workflow/testing/fixtures.ts';
import type { ConnectionSettings } from './connection.ts';
import { forgetPassword, keychainStatus, osKeychain, resolvePassword, storePassword } from './credentials.ts';
import { DEVICE_KEY_ENV, deviceKeyAccount, deviceSigner } from './device-key.ts';
import { queueEvents } from './testing/events.ts';
import { startTestPg, type TestPg } from './testing/pg-server.ts';
import { runSyncCli } from './testing/run-cli.ts';

const LIVE = process.env['RECON_SECRET_SERVICE'] === '1';

describe.runIf(LIVE)('OS keychain (real Secret Service)', () => {
  let server: TestPg;
  let tmp: ReturnType<typeof tempDir>;
  const settings: ConnectionSettings = { host: 'db.example.test', port: 5432, database: 'recon', user: `tester-${process.pid}`, tls: 'verify-full', caFile: null };

  beforeAll(async () => {
    tmp = tempDir('recon-keyring-');
    server = await startTestPg();
  }, 180_000);

  afterAll(async () => {
    await server?.destroy();
    tmp?.cleanup();
  });

  it('stores, reads and deletes a password', () => {
    const keychain = osKeychain();
    expect(keychainStatus(settings, keychain)).toMatchObject({ available: true, hasPassword: false });
    storePassword(settings, 's3cret-\u00e9\u00df', keychain);
    expect(resolvePassword(settings, {}, keychain)).toEqual({ password: 's3cret-\u00e9\u00df', source: 'keychain' });
    expect(keychainStatus(settings, keychain)).toMatchObject({ available: true, hasPassword: true });
    // $PGPASSWORD wins, for scripted runs.
    expect(resolvePassword(settings, { PGPASSWORD: 'from-env' }, keychain)).toEqual({ password: 'from-env', source: 'PGPASSWORD' });
    expect(forgetPassword(settings, keychain)).toBe(true);
    expect(forgetPassword(settings, keychain)).toBe(false);
    expect(resolvePassword(settings, {}, keychain)).toEqual({ password: undefined, source: 'none' });
  });

  it('recon sync login stores the password only in the keychain, and sync connects with it', async () => {
    const ws = join(tmp.dir, 'ws');
    mkdirSync(ws, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, RECON_USER: 'ada' };
    delete env['PGPASSWORD'];
    const { host, port, database, sync } = server.info;
    expect((await runSyncCli(['configure', '--workspace', ws, '--host', host, '--port', String(port), '--database', database, '--user', sync.user, '--tls', 'disable'], env)).code).toBe(0);
    const login = await runSyncCli(['login', '--workspace', ws], env, `${sync.password}\n`);
    expect(login).toMatchObject({ code: 0, stdout: `signed in as ${sync.user}: password for ${sync.user}@${host}:${port}/${database} stored in the OS keychain\n` });
    for (const file of walk(ws)) expect(readFileSync(file).includes(sync.password), file).toBe(false);
    const store = openStore(ws);
    queueEvents(store, 7);
    store.close();
    const run = await runSyncCli(['run', '--workspace', ws], env);
    expect(run.stdout).toMatch(/^pushed \d+ events/);
    expect(run.code).toBe(0);
    expect((await runSyncCli(['logout', '--workspace', ws], env)).stdout).toBe('password removed from the OS keychain\n');
    const after = await runSyncCli(['push', '--workspace', ws], env);
    expect(after).toMatchObject({ code: 2 });
    expect(after.stderr).toMatch(/^error \[SYNC_NO_PASSWORD\]: the team server asks .* for a password and none is stored: run "recon sync login"/);
  });

  it('makes the device signing key in the keychain on the first push and signs every later push with it', async () => {
    const ws = join(tmp.dir, 'ws-device-key');
    mkdirSync(ws, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env, RECON_USER: 'ada', PGPASSWORD: server.info.sync.password };
    delete env[DEVICE_KEY_ENV];
    const { host, port, database, sync } = server.info;
    expect((await runSyncCli(['configure', '--workspace', ws, '--host', host, '--port', String(port), '--database', database, '--user', sync.user, '--tls', 'disable'], env)).code).toBe(0);
    const store = openStore(ws);
    const deviceId = store.deviceId;
    const keychain = osKeychain();
    try {
      expect(keychain.get(deviceKeyAccount(deviceId))).toBeNull();
      queueEvents(store, 3);
      expect((await runSyncCli(['push', '--workspace', ws], env)).code).toBe(0);
      const pem = keychain.get(deviceKeyAccount(deviceId));
      expect(pem).toMatch(/BEGIN PRIVATE KEY/);
      queueEvents(store, 2);
      expect((await runSyncCli(['push', '--workspace', ws], env)).code).toBe(0);
      expect(keychain.get(deviceKeyAccount(deviceId))).toBe(pem); // reused, not replaced
      const admin = await server.admin();
      try {
        // Every event of the device (the queued ones and configure's own) went up signed.
        const key = await admin.query<{ k: string; n: number }>(
          "SELECT encode(k.public_key, 'base64') AS k, (SELECT count(*)::int FROM recon.audit_events e WHERE e.device_id = k.device_id AND e.signature IS NULL) AS n FROM recon.device_keys k WHERE device_id = $1",
          [deviceId],
        );
        expect(key.rows).toEqual([{ k: deviceSigner(deviceId, { env: {}, keychain }).publicKey, n: 0 }]);
      } finally {
        await admin.end();
      }
      // The private key is in the keychain only, never in the workspace.
      const body = pem!.split('\n')[1]!;
      for (const file of walk(ws)) expect(readFileSync(file).includes(body), file).toBe(false);
      const verify = await runSyncCli(['verify', '--workspace', ws], env);
      expect(verify.stdout).toMatch(/signatures: ([5-9]|\d\d+) checked, 0 failed, 0 events from before signatures/);
    } finally {
      store.close();
      keychain.delete(deviceKeyAccount(deviceId));
    }
  });
});

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}
