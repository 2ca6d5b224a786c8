import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { runRecon } from '../run/run-recon.ts';
import type { Keychain } from '../sync/credentials.ts';
import { CLUSTER_PASSWORD_ENV, clusterNodes, keychainAccountOfCluster } from './cluster-target.ts';
import { clickhouseAvailable, startTestCluster, type TestCluster } from './testing/clickhouse-cluster.ts';
import { comparableChecks } from './testing/comparable-checks.ts';

/**
 * `recon run --engine clickhouse` end to end, against a real two-shard cluster
 * started by scripts/clickhouse: the run file it writes holds the same breaks,
 * checks and counts as a local run of the same inputs, and a cluster that cannot
 * be reached, refuses the password or fails a statement fails the run cleanly
 * (no run file, no tables left on the cluster).
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'recon.mjs');

function recon(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000, env: { ...process.env, RECON_CLUSTER_PASSWORD: '', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

let cluster: TestCluster;
let dir: string;

/** A keychain of the test's own: what the OS keychain would hold. */
function memoryKeychain(entries: Record<string, string> = {}): Keychain {
  const m = new Map(Object.entries(entries));
  return { get: (a) => m.get(a) ?? null, set: (a, p) => void m.set(a, p), delete: (a) => m.delete(a) };
}

const DEF = validateDefinition({
  name: 'cluster trades',
  key: ['id'],
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'decimal', scale: 2, tolerance: { abs: '0.01' } },
    { name: 'qty', type: 'integer', tolerance: { rel: '0.1' } },
    { name: 'trade_date', type: 'date', tolerance: { days: 1 } },
    { name: 'booked', type: 'timestamp' },
    { name: 'ccy', type: 'string', case: 'upper' },
    { name: 'flag', type: 'boolean' },
  ],
});

function writeInputs(n: number): { a: string; b: string } {
  const head = 'id,amount,qty,trade_date,booked,ccy,flag\n';
  const a: string[] = [];
  const b: string[] = [];
  for (let i = 1; i <= n; i++) {
    const amount = `${(i * 37) % 10000}.${String(i % 100).padStart(2, '0')}`;
    const date = `2026-0${1 + (i % 9)}-1${i % 10}`;
    const row = (amt: string, qty: number, d: string, booked: string, ccy: string, flag: string): string => `T${i},${amt},${qty},${d},${booked},${ccy},${flag}`;
    if (i % 97 !== 0) a.push(row(amount, i % 50, date, '2026-12-01 10:00:00.123456', ['usd', 'EUR', 'gbp'][i % 3]!, i % 2 ? 'true' : 'false'));
    if (i % 89 === 0) continue; // missing in B
    b.push(
      row(
        i % 50 === 0 ? `${amount.split('.')[0]}.99` : i % 7 === 0 ? String(Number(amount) + 0.01) : amount,
        i % 11 === 0 ? (i % 50) + 3 : i % 50,
        i % 13 === 0 ? `2026-0${1 + (i % 9)}-2${i % 10}` : i % 17 === 0 ? `2026-0${1 + (i % 9)}-1${(i % 10) + (i % 10 < 9 ? 1 : -1)}` : date,
        i % 23 === 0 ? '2026-12-01 10:00:00.123457' : '2026-12-01 10:00:00.123456',
        i % 31 === 0 ? 'CHF' : ['USD', 'EUR', 'GBP'][i % 3]!,
        i % 29 === 0 ? '' : i % 2 ? 'yes' : 'no',
      ),
    );
  }
  // A duplicated key on each side, a row A rejects (its key is on B), a quoted value with a comma and a newline.
  a.push('T5,1.00,1,2026-01-01,2026-12-01 10:00:00,USD,true', 'T97,not-a-number,1,2026-01-01,2026-12-01 10:00:00,USD,true');
  b.push('T6,1.00,1,2026-01-01,2026-12-01 10:00:00,USD,true', '"Q,1\nx",1.00,1,2026-01-01,2026-12-01 10:00:00,USD,true');
  const aPath = join(dir, 'a.csv');
  const bPath = join(dir, 'b.csv');
  writeFileSync(aPath, head + a.join('\n') + '\n');
  writeFileSync(bPath, head + b.join('\n') + '\n');
  return { a: aPath, b: bPath };
}

interface RunFile {
  breaks: string[];
  checks: string[];
}

async function readRunFile(path: string): Promise<RunFile> {
  const db = await openDuckDB({ path });
  try {
    const breaks = await queryRows<Record<string, unknown>>(
      db.connection,
      'SELECT break_id, key, field, diff_type, side, value_a, value_b, delta, field_type, rid_a, rid_b FROM breaks ORDER BY break_id',
    );
    const checks = comparableChecks(await queryRows<Record<string, unknown>>(db.connection, 'SELECT * FROM checks ORDER BY ALL'));
    return { breaks: breaks.map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v))), checks: checks.map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) };
  } finally {
    db.close();
  }
}

async function clusterTables(): Promise<string> {
  const res = await fetch(`${cluster.info.urls[0]}/?query=${encodeURIComponent("SELECT count() FROM system.tables WHERE name LIKE 'recon\\_%'")}`, {
    headers: { Authorization: `Basic ${Buffer.from(`${cluster.info.user}:${cluster.info.password}`).toString('base64')}` },
  });
  return (await res.text()).trim();
}

describe.skipIf(!clickhouseAvailable())('recon run on a ClickHouse cluster', () => {
  beforeAll(async () => {
    cluster = await startTestCluster(2);
    dir = mkdtempSync(join(tmpdir(), 'recon-ch-'));
  }, 60_000);
  afterAll(async () => {
    delete process.env[CLUSTER_PASSWORD_ENV];
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same breaks, checks and counts as the local engine', async () => {
    const inputs = writeInputs(5000);
    const local = await runRecon({ aPath: inputs.a, bPath: inputs.b, definition: DEF, workspace: join(dir, 'ws-local'), previousRunId: null });
    process.env[CLUSTER_PASSWORD_ENV] = cluster.info.password;
    const onCluster = await runRecon({ aPath: inputs.a, bPath: inputs.b, definition: DEF, workspace: join(dir, 'ws-cluster'), previousRunId: null, cluster: cluster.target });
    const [l, c] = await Promise.all([readRunFile(local.database), readRunFile(onCluster.database)]);
    expect(l.breaks.length).toBeGreaterThan(300);
    expect(c.breaks).toEqual(l.breaks);
    expect(c.checks).toEqual(l.checks);
    expect(onCluster.counts).toEqual(local.counts);
    expect(onCluster.breaks).toEqual(local.breaks);
    expect(onCluster.withinTolerance).toEqual(local.withinTolerance);
    // The duplicated keys fail key uniqueness on both engines alike.
    expect(onCluster.checks.filter((x) => !x.passed).map((x) => x.name)).toEqual(local.checks.filter((x) => !x.passed).map((x) => x.name));
    // Every kind of difference is in there.
    expect(Object.keys(local.breaks.byType).sort()).toEqual(['DUPLICATE_KEY', 'MISMATCH', 'MISSING_IN_A', 'MISSING_IN_B', 'REJECTED_IN_A', 'REJECTED_IN_B']);
    expect(Object.keys(local.breaks.byField).sort()).toEqual(expect.arrayContaining(['amount', 'booked', 'ccy', 'flag', 'qty', 'trade_date']));
    expect(onCluster.timings['clusterDiff']).toBeGreaterThanOrEqual(0);
    expect(await clusterTables()).toBe('0');
  }, 120_000);

  it('takes the password from $RECON_CLUSTER_PASSWORD, else the keychain', () => {
    const keychain = memoryKeychain({ [keychainAccountOfCluster(cluster.target)]: 'from-keychain' });
    expect(clusterNodes(cluster.target, { [CLUSTER_PASSWORD_ENV]: 'from-env' }, keychain).map((n) => n.password)).toEqual(['from-env', 'from-env']);
    expect(clusterNodes(cluster.target, {}, keychain).map((n) => [n.user, n.password])).toEqual([
      ['recon', 'from-keychain'],
      ['recon', 'from-keychain'],
    ]);
    const broken: Keychain = { ...keychain, get: () => { throw new Error('no secret service'); } };
    expect(clusterNodes(cluster.target, {}, broken)[0]!.password).toBeUndefined();
  });

  it('fails cleanly on a wrong password, an unreachable node and a wrong cluster name', async () => {
    const inputs = writeInputs(50);
    const attempt = async (ws: string, target: typeof cluster.target, password: string): Promise<ReconError> => {
      process.env[CLUSTER_PASSWORD_ENV] = password;
      const err = await runRecon({ aPath: inputs.a, bPath: inputs.b, definition: DEF, workspace: join(dir, ws), cluster: target }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ReconError);
      expect(readdirSync(join(dir, ws, 'runs')).filter((f) => f.endsWith('.duckdb'))).toEqual([]);
      return err as ReconError;
    };
    const wrong = await attempt('ws-wrong', cluster.target, 'not-the-password');
    expect(wrong.code).toBe('CLUSTER_AUTH_FAILED');
    expect(wrong.message).toMatch(/refused the login/);
    // A port nothing listens on (the test cluster's own dir is no server).
    const closed = await attempt('ws-closed', { ...cluster.target, nodes: ['http://127.0.0.1:9', ...cluster.target.nodes.slice(1)] }, cluster.info.password);
    expect(closed.code).toBe('CLUSTER_UNREACHABLE');
    expect(closed.message).toMatch(/127\.0\.0\.1:9 could not be reached/);
    const name = await attempt('ws-name', { ...cluster.target, clusterName: 'nosuch' }, cluster.info.password);
    expect(name.code).toBe('CLUSTER_QUERY_FAILED');
    expect(name.message).toMatch(/no cluster "nosuch"/);
    expect(await clusterTables()).toBe('0');
  }, 60_000);

  it('stops a cancelled run mid-load and drops its tables from the cluster', async () => {
    const inputs = writeInputs(20_000);
    process.env[CLUSTER_PASSWORD_ENV] = cluster.info.password;
    const abort = new AbortController();
    const labels: string[] = [];
    const err = await runRecon(
      { aPath: inputs.a, bPath: inputs.b, definition: DEF, workspace: join(dir, 'ws-cancel'), cluster: { ...cluster.target, normalizeOnCluster: true } },
      {
        signal: abort.signal,
        onProgress: (e) => {
          labels.push(e.label);
          if (e.label === 'Cluster: loading B') abort.abort();
        },
      },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReconError);
    expect((err as ReconError).code).toBe('RUN_CANCELLED');
    // Progress named each step of the cluster up to there.
    expect([...new Set(labels.filter((l) => l.startsWith('Cluster:')))]).toEqual(['Cluster: connecting', 'Cluster: creating tables', 'Cluster: loading A', 'Cluster: normalizing A', 'Cluster: loading B']);
    expect(readdirSync(join(dir, 'ws-cancel', 'runs')).filter((f) => f.endsWith('.duckdb'))).toEqual([]);
    expect(await clusterTables()).toBe('0');
  }, 60_000);

  it('runs from the CLI: recon run --engine clickhouse --cluster URL, exit 2 on a refused login', async () => {
    const inputs = writeInputs(1000);
    const defPath = join(dir, 'def.json');
    writeFileSync(defPath, JSON.stringify(DEF));
    const urls = cluster.info.urls.map((u, i) => (i === 0 ? u.replace('http://', 'http://recon@') : u)).join(',');
    const ws = join(dir, 'ws-cli');
    const args = ['run', '--a', inputs.a, '--b', inputs.b, '--definition', defPath, '--workspace', ws, '--engine', 'clickhouse', '--cluster', urls, '--quiet'];
    const ok = await recon([...args, '--json'], { RECON_CLUSTER_PASSWORD: cluster.info.password, RECON_USER: 'alice' });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const summary = JSON.parse(ok.stdout) as { counts: { missingInB: number }; database: string };
    expect(summary.counts.missingInB).toBeGreaterThan(0);
    // A normal run file: the review commands read it.
    const list = await recon(['review', 'list', '--workspace', ws, '--run', summary.database.split('/').at(-1)!.replace('.duckdb', '')], { RECON_USER: 'alice' });
    expect(list.code, list.stderr).toBe(0);
    // --cluster-normalize: the nodes normalize the raw text; the same breaks, and the summary says where.
    const normalized = await recon([...args, '--json', '--cluster-normalize'], { RECON_CLUSTER_PASSWORD: cluster.info.password, RECON_USER: 'alice' });
    expect(normalized.code, normalized.stderr).toBe(0);
    const s2 = JSON.parse(normalized.stdout) as { counts: unknown; engine: unknown };
    expect(s2.counts).toEqual(summary.counts);
    expect(s2.engine).toEqual({ name: 'clickhouse', nodes: cluster.info.urls, clusterName: 'recon', database: 'default', normalizedOn: 'cluster' });
    expect((JSON.parse(ok.stdout) as { engine: unknown }).engine).toMatchObject({ name: 'clickhouse', normalizedOn: 'workstation' });
    const misplaced = await recon(['run', '--a', inputs.a, '--b', inputs.b, '--definition', defPath, '--workspace', ws, '--cluster-normalize'], {});
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/--cluster-normalize go with --engine clickhouse/);
    const refused = await recon(args, { RECON_CLUSTER_PASSWORD: 'wrong', RECON_USER: 'alice' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error \[CLUSTER_AUTH_FAILED\]: ClickHouse http:\/\/127\.0\.0\.1:\d+ refused the login: Wrong password for user recon/m);
    const test = await recon(['cluster', 'test', urls], { RECON_CLUSTER_PASSWORD: cluster.info.password });
    expect(test.stderr).toBe('');
    expect(test.stdout).toMatch(/^cluster "recon" OK: 2 shard\(s\), ClickHouse \d+\./);
    const oneNode = await recon(['cluster', 'test', urls.split(',')[0]!], { RECON_CLUSTER_PASSWORD: cluster.info.password });
    expect(oneNode.code).toBe(2);
    expect(oneNode.stderr).toMatch(/cluster "recon" has 2 shard\(s\); give the HTTP URL of one node of each \(1 given\)/);
    const noCluster = await recon(['run', '--a', inputs.a, '--b', inputs.b, '--definition', defPath, '--workspace', ws, '--engine', 'clickhouse'], {});
    expect(noCluster.code).toBe(2);
    expect(noCluster.stderr).toMatch(/--engine clickhouse needs --cluster/);
  }, 120_000);
});
