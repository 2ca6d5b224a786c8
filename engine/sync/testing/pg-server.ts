/**
 * A throwaway PostgreSQL server for tests and benchmarks, through the repo's
 * scripts (scripts/pg): installs Debian's postgresql when missing, starts a
 * cluster on a free loopback port, and migrates the recon schema as its owner.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { ConnectionSettings } from '../connection.ts';
import { migrateServer } from '../server-migrate.ts';

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(new URL('../../../scripts/pg/', import.meta.url));

/** What start-test-postgres.sh prints. */
export interface TestPgInfo {
  host: string;
  port: number;
  database: string;
  dir: string;
  socketDir: string;
  /** The throwaway CA that signed the server certificate ('' without TLS). */
  caFile: string;
  superuser: { user: string; password: string };
  admin: { user: string; password: string };
  sync: { user: string; password: string };
}

/** A running test server. */
export interface TestPg {
  info: TestPgInfo;
  /** Connection settings for the restricted sync login (optionally through another port, e.g. a fault proxy). */
  settings(port?: number): ConnectionSettings;
  /** A client as the schema owner (or the superuser): for grants and assertions. */
  admin(as?: 'admin' | 'superuser'): Promise<pg.Client>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and deletes its data. */
  destroy(): Promise<void>;
}

/** Starts a cluster and applies the server migrations (migrate: false to test them; tls: true to serve TLS too). */
export async function startTestPg(opts: { migrate?: boolean; tls?: boolean } = {}): Promise<TestPg> {
  const { stdout } = await run('bash', [`${SCRIPTS}start-test-postgres.sh`, ...(opts.tls ? ['--tls'] : [])], { maxBuffer: 1 << 20 });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const info = JSON.parse(line) as TestPgInfo;
  const ctl = async (action: string): Promise<void> => {
    await run('bash', [`${SCRIPTS}ctl-test-postgres.sh`, info.dir, action]);
  };
  const admin = async (as: 'admin' | 'superuser' = 'admin'): Promise<pg.Client> => {
    const who = as === 'admin' ? info.admin : info.superuser;
    const client = new pg.Client({ host: info.host, port: info.port, database: info.database, user: who.user, password: who.password });
    client.on('error', () => undefined); // a restart test may kill this connection while it idles
    await client.connect();
    return client;
  };
  const pgServer: TestPg = {
    info,
    settings: (port) => ({ host: info.host, port: port ?? info.port, database: info.database, user: info.sync.user, tls: 'disable', caFile: null }),
    admin,
    stopServer: () => ctl('stop'),
    startServer: () => ctl('start'),
    restart: () => ctl('restart'),
    destroy: async () => {
      await run('bash', [`${SCRIPTS}stop-test-postgres.sh`, info.dir]);
    },
  };
  if (opts.migrate !== false) {
    const c = await admin();
    try {
      await migrateServer(c);
    } finally {
      await c.end();
    }
  }
  return pgServer;
}

/** Team users and roles on the server, as an administrator grants them (README). */
export async function grantServerRoles(server: TestPg, users: Record<string, readonly string[]>, logins: Record<string, string> = {}): Promise<void> {
  const c = await server.admin();
  try {
    for (const [user, roles] of Object.entries(users)) {
      await c.query('INSERT INTO recon.users (user_id, display_name, db_login) VALUES ($1, $1, $2) ON CONFLICT (user_id) DO UPDATE SET db_login = excluded.db_login', [user, logins[user] ?? null]);
      for (const role of roles) await c.query('INSERT INTO recon.user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING', [user, role]);
    }
  } finally {
    await c.end();
  }
}
