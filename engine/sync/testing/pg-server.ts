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
  /**
   * Connection settings for a sync login: the shared `recon_sync` login, or a
   * person's own (`login`, made by createLogin / grantServerRoles; its
   * password is the sync password). Optionally through another port, e.g. a
   * fault proxy.
   */
  settings(port?: number, login?: string): ConnectionSettings;
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
    settings: (port, login) => ({ host: info.host, port: port ?? info.port, database: info.database, user: login ?? info.sync.user, tls: 'disable', caFile: null }),
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

/**
 * A person's own PostgreSQL login, a member of recon_sync, as an administrator
 * creates one (README: one login per person). Its password is the test
 * server's sync password. Created once; later calls do nothing.
 */
export async function createLogin(server: TestPg, login: string): Promise<void> {
  const su = await server.admin('superuser');
  try {
    const exists = await su.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login]);
    if (exists.rowCount === 0) {
      await su.query(`CREATE ROLE ${su.escapeIdentifier(login)} LOGIN PASSWORD ${su.escapeLiteral(server.info.sync.password)} IN ROLE recon_sync`);
    }
  } finally {
    await su.end();
  }
}

/**
 * Team users and roles on the server, as an administrator grants them
 * (README). Each user is bound to a login of their own, named as the user and
 * created when missing, unless `logins` names another (several users on one
 * login: the server counts them as one person) or null (unbound: the server
 * refuses every act of theirs).
 */
export async function grantServerRoles(server: TestPg, users: Record<string, readonly string[]>, logins: Record<string, string | null> = {}): Promise<void> {
  const bound = Object.keys(users).map((user) => [user, user in logins ? (logins[user] ?? null) : user] as const);
  for (const login of new Set(bound.map(([, l]) => l))) {
    if (login !== null && login !== server.info.sync.user) await createLogin(server, login);
  }
  const c = await server.admin();
  try {
    for (const [user, login] of bound) {
      await c.query('INSERT INTO recon.users (user_id, display_name, db_login) VALUES ($1, $1, $2) ON CONFLICT (user_id) DO UPDATE SET db_login = excluded.db_login', [user, login]);
      for (const role of users[user]!) await c.query('INSERT INTO recon.user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING', [user, role]);
    }
  } finally {
    await c.end();
  }
}
