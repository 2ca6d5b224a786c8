import { parseArgs } from 'node:util';
import { ReconError } from '../../errors/recon-error.ts';
import { getAnyConnection, listAllConnections, passwordEnvOf, tlsLine, type AnyConnection } from '../../ingest/db/connections.ts';
import { parseHeaderArg, SECRET_PLACEHOLDER } from '../../ingest/http/http-connection.ts';
import { describeConnection, DRIVER_NAMES, TLS_MODES, type DriverName, type TlsMode } from '../../ingest/db/driver.ts';
import { DEFAULT_PORTS } from '../../ingest/db/drivers.ts';
import type { Store } from '../../store/store.ts';
import { forgetConnectionPassword, removeConnectionAudited, saveConnectionAudited, setConnectionPassword, type SaveConnectionInput } from '../../workflow/connections.ts';
import { currentUser, type Identity } from '../../workflow/identity.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { resolveWorkspace } from '../workspace.ts';

export const SOURCE_USAGE = `recon source add-connection|list|test|set-password|forget-password|remove   database connections for query sources

  recon source add-connection NAME --driver postgres|mysql|mariadb --host HOST [--port N] --database DB --user USER
        [--tls disable|require|verify] [--ca-file FILE] [--connect-timeout SECONDS] [--query-timeout SECONDS] [--password]
                          saves (or replaces) a named connection in the workspace (connections.json; never a password);
                          --password then asks for its password and stores it in the OS keychain
  recon source add-connection NAME --driver http --base-url URL [--header 'NAME: VALUE']... [--timeout SECONDS] [--retries N] [--password]
                          an HTTP API for HTTP sources; a header value may hold {secret}
                          (e.g. --header 'Authorization: Bearer {secret}'), filled at run time from the keychain or the environment
  recon source list [--json]            the saved connections
  recon source test NAME                logs in and runs SELECT 1: the server's version, whether the session is
                          encrypted (and how its certificate was checked) and where the password came from
  recon source test NAME [--path PATH]  an HTTP connection: one GET of its base URL (or PATH under it) with its headers
  recon source set-password NAME        stores the password in the OS keychain (prompted, or the first line of stdin)
  recon source forget-password NAME     removes it from the keychain
  recon source remove NAME              forgets the connection (and its stored password)

Every subcommand takes [--workspace DIR]. Adding, changing or removing a
connection, and storing or forgetting its password, need the admin role and are
audit events (the password itself never is). A password is looked up in
$RECON_SOURCE_PASSWORD_<NAME> (the name upper-cased, other characters as "_"),
then $PGPASSWORD (postgres) or $MYSQL_PWD (mysql), then the OS keychain; an
HTTP connection's {secret} in $RECON_SOURCE_PASSWORD_<NAME>, then the keychain.
A definition uses a connection as a source: {"kind": "query", "connection":
NAME, "sql": "SELECT …", "params": {…}}, or {"kind": "http", "connection": NAME,
"path": "/trades", "records": "/data", "pagination": {…}}. See docs/SOURCES.md.`;

/** `recon source …`: the workspace's saved database connections. */
export async function sourceCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      workspace: { type: 'string' },
      driver: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      database: { type: 'string' },
      user: { type: 'string' },
      tls: { type: 'string' },
      'ca-file': { type: 'string' },
      'connect-timeout': { type: 'string' },
      'query-timeout': { type: 'string' },
      'base-url': { type: 'string' },
      header: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      path: { type: 'string' },
      password: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const workspace = resolveWorkspace(values.workspace);
  const name = positionals[0];
  const needName = (): string => {
    if (!name) throw new ReconError('INVALID_ARGUMENT', `recon source ${sub}: name the connection\n\n${SOURCE_USAGE}`);
    return name;
  };
  switch (sub) {
    case 'add-connection': {
      if (values.driver === 'http') {
        if (!values['base-url']) throw new ReconError('INVALID_ARGUMENT', 'missing --base-url');
        const headers: Record<string, string> = {};
        for (const h of values.header ?? []) {
          try {
            const [k, v] = parseHeaderArg(h);
            headers[k] = v;
          } catch (err) {
            throw new ReconError('INVALID_ARGUMENT', (err as Error).message);
          }
        }
        const conn = await save(workspace, {
          name: needName(),
          driver: 'http',
          baseUrl: values['base-url'],
          headers,
          ...(values.timeout !== undefined ? { timeoutSeconds: intArg('--timeout', values.timeout) } : {}),
          ...(values.retries !== undefined ? { retries: intArg('--retries', values.retries) } : {}),
        });
        process.stdout.write(`saved connection "${conn.name}": ${describeAny(conn)}\n`);
        const secretNeeded = Object.values(conn.headers).some((v) => v.includes(SECRET_PLACEHOLDER));
        if (values.password) await setPassword(workspace, conn.name);
        else if (secretNeeded) process.stdout.write(`  {secret}: \`recon source set-password ${conn.name}\` (OS keychain), or $${passwordEnvOf(conn.name)}\n`);
        return 0;
      }
      const driver = values.driver === 'mariadb' ? 'mysql' : values.driver;
      if (!driver || !(DRIVER_NAMES as readonly string[]).includes(driver)) throw new ReconError('INVALID_ARGUMENT', `--driver: one of postgres, mysql, mariadb`);
      for (const k of ['host', 'database', 'user'] as const) if (!values[k]) throw new ReconError('INVALID_ARGUMENT', `missing --${k}`);
      if (values.tls !== undefined && !(TLS_MODES as readonly string[]).includes(values.tls)) throw new ReconError('INVALID_ARGUMENT', `--tls: one of ${TLS_MODES.join(', ')}`);
      const conn = await save(workspace, {
        name: needName(),
        driver: driver as DriverName,
        host: values.host!,
        port: values.port !== undefined ? intArg('--port', values.port) : DEFAULT_PORTS[driver as DriverName],
        database: values.database!,
        user: values.user!,
        tls: (values.tls ?? 'disable') as TlsMode,
        ...(values['ca-file'] ? { caFile: values['ca-file'] } : {}),
        ...(values['connect-timeout'] !== undefined ? { connectTimeoutSeconds: intArg('--connect-timeout', values['connect-timeout']) } : {}),
        ...(values['query-timeout'] !== undefined ? { queryTimeoutSeconds: intArg('--query-timeout', values['query-timeout']) } : {}),
      });
      process.stdout.write(`saved connection "${conn.name}": ${describeConnection(conn)}\n`);
      if (values.password) await setPassword(workspace, conn.name);
      else process.stdout.write(`  password: \`recon source set-password ${conn.name}\` (OS keychain), or $${passwordEnvOf(conn.name)}\n`);
      return 0;
    }
    case 'list': {
      const all = await listAllConnections(workspace);
      if (values.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else if (all.length === 0) process.stdout.write('no connections saved (recon source add-connection)\n');
      else for (const c of all) process.stdout.write(`${c.name.padEnd(20)} ${describeAny(c)}\n`);
      return 0;
    }
    case 'test': {
      const conn = await getAnyConnection(workspace, needName());
      if (conn.driver === 'http') {
        const { testHttpConnection } = await import('../../ingest/http/test-http-connection.ts');
        const r = await testHttpConnection({ workspace }, conn.name, values.path ?? '');
        process.stdout.write(`connection "${conn.name}" OK: GET ${r.url} answered in ${r.ms} ms (${r.bytes.toLocaleString('en-US')} bytes)\n  secret from: ${r.secretFrom}\n`);
        return 0;
      }
      if (values.path !== undefined) throw new ReconError('INVALID_ARGUMENT', `--path is for HTTP connections; "${conn.name}" is a ${conn.driver} database`);
      const { testConnection } = await import('../../ingest/db/load-query.ts');
      const r = await testConnection({ workspace }, conn.name);
      process.stdout.write(
        `connection "${r.connection.name}" OK: ${describeConnection(r.connection)} in ${r.ms} ms\n  server: ${r.serverVersion.split('\n')[0]}\n  TLS: ${tlsLine(r.connection, r.encryption)}\n  password from: ${r.passwordFrom}\n`,
      );
      return 0;
    }
    case 'set-password':
      await setPassword(workspace, needName());
      return 0;
    case 'forget-password': {
      const conn = await getAnyConnection(workspace, needName());
      const { osKeychain } = await import('../../sync/credentials.ts');
      const { removed } = await withStore(workspace, (store, me) => forgetConnectionPassword(store, me, workspace, conn.name, osKeychain));
      process.stdout.write(removed ? `password of "${conn.name}" removed from the OS keychain\n` : `no password of "${conn.name}" was stored\n`);
      return 0;
    }
    case 'remove': {
      const conn = await getAnyConnection(workspace, needName());
      // The keychain may be missing (a server without one): the connection goes regardless.
      const { osKeychain } = await import('../../sync/credentials.ts');
      await withStore(workspace, (store, me) => removeConnectionAudited(store, me, workspace, conn.name, osKeychain));
      process.stdout.write(`connection "${conn.name}" removed\n`);
      return 0;
    }
    default:
      process.stderr.write(`${SOURCE_USAGE}\n`);
      return 2;
  }
}

async function setPassword(workspace: string, name: string): Promise<void> {
  const conn = await getAnyConnection(workspace, name);
  const { osKeychain } = await import('../../sync/credentials.ts');
  const { readPassword } = await import('../../sync/read-password.ts');
  const password = await readPassword(conn.driver === 'http' ? `secret for ${conn.baseUrl}: ` : `password for ${describeConnection(conn)}: `);
  if (!password) throw new ReconError('INVALID_ARGUMENT', 'an empty password was given; nothing stored');
  await withStore(workspace, (store, me) => setConnectionPassword(store, me, workspace, conn.name, password, osKeychain));
  process.stdout.write(`password of "${conn.name}" stored in the OS keychain\n`);
}

/** Where a connection points, never with a secret: a header is named, its value shown only without {secret}. */
function describeAny(c: AnyConnection): string {
  if (c.driver !== 'http') return `${describeConnection(c)}  tls ${c.tls}, connect timeout ${c.connectTimeoutSeconds} s, query timeout ${c.queryTimeoutSeconds} s`;
  const headers = Object.entries(c.headers).map(([k, v]) => (v.includes(SECRET_PLACEHOLDER) ? `${k}: ${v}` : k));
  return `http ${c.baseUrl}${headers.length > 0 ? `  headers ${headers.join('; ')}` : ''}, timeout ${c.timeoutSeconds} s, retries ${c.retries}`;
}

/** Runs one audited act on the workspace store as the acting user (the OS account, or $RECON_USER), as other commands do. */
async function withStore<T>(workspace: string, fn: (store: Store, me: Identity) => Promise<T>): Promise<T> {
  const me = currentUser();
  const store = openWorkspaceStore(workspace, me);
  try {
    return await fn(store, me);
  } finally {
    store.close();
  }
}

/** Saves a connection: admin only, audited (connection.saved). */
async function save<I extends SaveConnectionInput>(workspace: string, input: I): Promise<Extract<AnyConnection, { driver: I['driver'] }>> {
  return (await withStore(workspace, (store, me) => saveConnectionAudited(store, me, workspace, input))).connection as Extract<AnyConnection, { driver: I['driver'] }>;
}

function intArg(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new ReconError('INVALID_ARGUMENT', `${flag}: a whole number, not "${v}"`);
  return Number(v);
}

