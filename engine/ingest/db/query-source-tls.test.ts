import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../contract/index.ts';
import { startTestPg, type TestPg } from '../../sync/testing/pg-server.ts';

/**
 * TLS to a database source, against a real PostgreSQL that serves TLS with a
 * certificate signed by a throwaway CA (scripts/pg/start-test-postgres.sh --tls).
 * What is checked is the server's own word on each session (pg_stat_ssl), so a
 * connection that only claims TLS cannot pass.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'recon.mjs');
const PASSWORD = 'tls-reader-pw';
const ENV = { RECON_SOURCE_PASSWORD_LEDGER: PASSWORD };
const dir = mkdtempSync(join(tmpdir(), 'recon-query-tls-'));
let server: TestPg;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function recon(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000, env: { ...process.env, ...ENV } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

let n = 0;
/** A workspace with the connection "ledger" saved through the CLI with these TLS flags. */
async function workspaceWith(tls: string[]): Promise<string> {
  const ws = join(dir, `ws${++n}`);
  const add = await recon([
    'source', 'add-connection', 'ledger', '--driver', 'postgres', '--host', server.info.host, '--port', String(server.info.port),
    '--database', 'recon_src', '--user', 'tls_reader', '--connect-timeout', '5', ...tls, '--workspace', ws,
  ]);
  expect(add.stderr).toBe('');
  return ws;
}

beforeAll(async () => {
  server = await startTestPg({ migrate: false, tls: true });
  const su = await server.admin('superuser');
  try {
    await su.query(`CREATE ROLE tls_reader LOGIN PASSWORD '${PASSWORD}'`);
    await su.query('CREATE DATABASE recon_src OWNER tls_reader');
  } finally {
    await su.end();
  }
  const c = new pg.Client({ host: server.info.host, port: server.info.port, database: 'recon_src', user: 'tls_reader', password: PASSWORD });
  await c.connect();
  try {
    await c.query('CREATE TABLE trades (id integer PRIMARY KEY, trade_date date NOT NULL, amount numeric(18,2))');
    await c.query("INSERT INTO trades SELECT g, DATE '2026-11-02', g * 1.25 FROM generate_series(1, 500) g");
  } finally {
    await c.end();
  }
}, 180_000);

afterAll(async () => {
  await server?.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('TLS to a PostgreSQL source', () => {
  it('--tls verify with the CA: the server reports the session encrypted, and the run records it', async () => {
    const ws = await workspaceWith(['--tls', 'verify', '--ca-file', server.info.caFile]);
    const test = await recon(['source', 'test', 'ledger', '--workspace', ws]);
    expect(test.stderr).toBe('');
    expect(test.stdout).toMatch(new RegExp(`TLS: TLSv1\\.[23], certificate verified against ${server.info.caFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    const def = join(dir, 'tls-def.json');
    writeFileSync(
      def,
      JSON.stringify({
        name: 'tls',
        key: ['id'],
        sources: { a: { kind: 'query', connection: 'ledger', sql: 'SELECT id, amount FROM trades' }, b: { kind: 'query', connection: 'ledger', sql: 'SELECT id, amount FROM trades WHERE id > 1' } },
      }),
    );
    const out = join(dir, 'out-tls');
    const run = await recon(['run', '--definition', def, '--workspace', ws, '--out', out, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // One break: id 1 is only in A.
    expect(readFileSync(join(out, 'breaks.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
    expect([summary.inputs.a.query?.connection.encryption, summary.inputs.b.query?.connection.encryption]).toEqual([
      expect.stringMatching(/^TLSv1\.[23]$/),
      expect.stringMatching(/^TLSv1\.[23]$/),
    ]);
  }, 120_000);

  it('--tls verify without the CA refuses the self-signed server, saying what to do', async () => {
    const ws = await workspaceWith(['--tls', 'verify']);
    const test = await recon(['source', 'test', 'ledger', '--workspace', ws]);
    expect(test.code).toBe(2);
    expect(test.stderr).toContain('error [SOURCE_UNREACHABLE]: connection "ledger"');
    expect(test.stderr).toContain("unable to verify the first certificate");
    expect(test.stderr).toContain("the server's certificate is not trusted: give the CA that signed it with --ca-file");
  }, 60_000);

  it('--tls require encrypts without checking, and says so', async () => {
    const ws = await workspaceWith(['--tls', 'require']);
    const test = await recon(['source', 'test', 'ledger', '--workspace', ws]);
    expect(test.stderr).toBe('');
    expect(test.stdout).toMatch(/TLS: TLSv1\.[23], certificate NOT verified/);
  }, 60_000);

  it('--tls disable: the server reports the session unencrypted', async () => {
    const ws = await workspaceWith(['--tls', 'disable']);
    const test = await recon(['source', 'test', 'ledger', '--workspace', ws]);
    expect(test.stderr).toBe('');
    expect(test.stdout).toContain('TLS: off (--tls disable)');
  }, 60_000);
});
