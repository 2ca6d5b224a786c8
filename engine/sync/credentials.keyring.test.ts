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
});

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}
