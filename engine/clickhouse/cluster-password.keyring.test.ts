/**
 * A cluster login's password in the OS keychain for real: a Secret Service
 * (gnome-keyring) started by scripts/keyring/with-secret-service.sh
 * (`npm run test:keyring`). `recon cluster set-password` puts it there;
 * `recon cluster test` and `recon run --engine clickhouse` log in with it;
 * `recon cluster forget-password` removes it, and the login is then refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from './testing/clickhouse-cluster.ts';
import { runReconBin, type ProcessOutput } from '../cli/testing/spawn-cli.ts';

const LIVE = process.env['RECON_SECRET_SERVICE'] === '1';

/** `recon ARGS` as a user runs it, without a password in the environment: the keychain must supply it. */
function recon(args: string[], stdin = ''): Promise<ProcessOutput> {
  const env = { ...process.env };
  delete env['RECON_CLUSTER_PASSWORD'];
  return runReconBin(args, env, stdin);
}

describe.runIf(LIVE)('cluster passwords in the OS keychain', () => {
  let cluster: TestCluster;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recon-ch-keyring-'));
    cluster = await startTestCluster(2);
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('set-password stores it; test and run log in with it; forget-password removes it', async () => {
    const urls = cluster.info.urls.map((u, i) => (i === 0 ? u.replace('http://', 'http://recon@') : u)).join(',');
    const set = await recon(['cluster', 'set-password', urls], `${cluster.info.password}\n`);
    expect(set.stderr).not.toMatch(/error/);
    expect(set).toMatchObject({ code: 0, stdout: expect.stringMatching(/stored in the OS keychain/) });
    const test = await recon(['cluster', 'test', urls]);
    expect(test.stderr).toBe('');
    expect(test.stdout).toMatch(/^cluster "recon" OK: 2 shard\(s\)/);

    writeFileSync(join(dir, 'a.csv'), 'id,amt\n1,1.00\n2,2.00\n');
    writeFileSync(join(dir, 'b.csv'), 'id,amt\n1,1.00\n2,2.50\n3,3.00\n');
    writeFileSync(join(dir, 'def.json'), JSON.stringify({ name: 'kc', key: ['id'], fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }] }));
    const args = ['run', '--a', join(dir, 'a.csv'), '--b', join(dir, 'b.csv'), '--definition', join(dir, 'def.json'), '--workspace', join(dir, 'ws'), '--engine', 'clickhouse', '--cluster', urls, '--json', '--quiet'];
    const run = await recon(args);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { breaks: { byType: Record<string, number> } }).breaks.byType).toEqual({ MISMATCH: 1, MISSING_IN_A: 1 });

    expect(await recon(['cluster', 'forget-password', urls])).toMatchObject({ code: 0, stdout: expect.stringMatching(/removed from the OS keychain/) });
    const refused = await recon(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/CLUSTER_AUTH_FAILED/);
  });
});
