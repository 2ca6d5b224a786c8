/**
 * A query source's password in the OS keychain for real: a Secret Service
 * (gnome-keyring) started by scripts/keyring/with-secret-service.sh
 * (`npm run test:keyring`). `recon source set-password` puts it there and
 * nowhere else; `recon source test` and `recon run` log in with it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPg, type TestPg } from '../../sync/testing/pg-server.ts';
import { runReconBin, type ProcessOutput } from '../../cli/testing/spawn-cli.ts';

const LIVE = process.env['RECON_SECRET_SERVICE'] === '1';

/** `recon ARGS` as a user runs it, without a password in the environment: the keychain must supply it. */
function recon(args: string[], stdin = ''): Promise<ProcessOutput> {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('RECON_SOURCE_PASSWORD_') || k === 'PGPASSWORD') delete env[k];
  return runReconBin(args, env, stdin);
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

describe.runIf(LIVE)('query source passwords in the OS keychain', () => {
  let server: TestPg;
  const dir = mkdtempSync(join(tmpdir(), 'recon-src-keyring-'));
  const ws = join(dir, 'ws');

  beforeAll(async () => {
    server = await startTestPg({ migrate: false });
  }, 180_000);
  afterAll(async () => {
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('set-password stores it only in the keychain; test and run log in with it; forget-password removes it', async () => {
    const { host, port, database, admin } = server.info;
    const name = `kc-${process.pid}`;
    expect((await recon(['source', 'add-connection', name, '--driver', 'postgres', '--host', host, '--port', String(port), '--database', database, '--user', admin.user, '--workspace', ws])).code).toBe(0);
    const set = await recon(['source', 'set-password', name, '--workspace', ws], `${admin.password}\n`);
    expect(set).toMatchObject({ code: 0, stdout: `password of "${name}" stored in the OS keychain\n` });
    const test = await recon(['source', 'test', name, '--workspace', ws]);
    expect(test.stdout).toContain('password from: the OS keychain');

    writeFileSync(join(dir, 'b.csv'), 'n,label\n1,one\n2,two\n');
    const def = { name: 'kc', key: ['n'], sources: { a: { kind: 'query', connection: name, sql: "SELECT 1 AS n, 'one' AS label UNION ALL SELECT 2, 'two' ORDER BY n" } } };
    writeFileSync(join(dir, 'def.json'), JSON.stringify(def));
    const run = await recon(['run', '--b', join(dir, 'b.csv'), '--definition', join(dir, 'def.json'), '--workspace', ws, '--quiet', '--json']);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ breaks: { total: 0 }, checksPassed: true, inputs: { a: { format: 'query', query: { rows: 2 } } } });
    for (const file of walk(ws)) expect(readFileSync(file).includes(admin.password), file).toBe(false);

    expect((await recon(['source', 'forget-password', name, '--workspace', ws])).stdout).toContain('removed from the OS keychain');
    const t0 = Date.now();
    const refused = await recon(['source', 'test', name, '--workspace', ws]);
    // Refused at once: the socket is closed, not left to the server's authentication timeout (60 s).
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('SOURCE_AUTH_FAILED');
    expect(refused.stderr).toContain('no password was found');

    // Each act is an audit event of the workspace (never the password): as in the app's Settings → Connections.
    const { openStore } = await import('../../store/open.ts');
    const { sql } = await import('../../store/sql.ts');
    const store = openStore(ws);
    try {
      const events = store.read((tx) => tx.all<{ action: string; after: string | null }>(sql`SELECT action, after FROM audit_events WHERE action LIKE 'connection.%' ORDER BY at, seq`));
      expect(events.map((e) => e.action)).toEqual(['connection.saved', 'connection.password_set', 'connection.password_forgotten']);
      expect(JSON.stringify(events)).not.toContain(admin.password);
    } finally {
      store.close();
    }
  });
});
