/**
 * The team server connection: settings (kept in the workspace, never the
 * password), the pg pool built from them, and the two helpers every server
 * call goes through. A server that restarts or a network that drops must
 * never crash the app: the pool and every checked-out client carry an
 * 'error' listener (node-postgres emits 'error' on a lost connection, and an
 * unhandled 'error' event kills the process).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import pg from 'pg';
import { z } from 'zod';
import { SyncError } from './errors.ts';

export const TLS_MODES = ['disable', 'require', 'verify-full'] as const;
/** disable: plain TCP (loopback, tests); require: encrypted (CA-verified when caFile is set); verify-full: CA and host name verified. */
export type TlsMode = (typeof TLS_MODES)[number];

const settingsSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  database: z.string().min(1),
  user: z.string().min(1),
  tls: z.enum(TLS_MODES),
  caFile: z.string().min(1).nullable().optional(),
});

/** Where the team server is; stored in the workspace settings under `sync.connection`. */
export type ConnectionSettings = z.infer<typeof settingsSchema>;

/** Checks settings from user input or the store; throws SYNC_INVALID_SETTINGS. */
export function parseConnectionSettings(value: unknown): ConnectionSettings {
  const r = settingsSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SyncError('SYNC_INVALID_SETTINGS', `invalid team connection settings: ${issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'unknown problem'}`);
  }
  if (r.data.tls === 'verify-full' && r.data.host.startsWith('/')) throw new SyncError('SYNC_INVALID_SETTINGS', 'verify-full needs a host name, not a socket directory');
  return r.data;
}

/** "user@host:port/database", for messages and the keychain account name. */
export function describeServer(s: ConnectionSettings): string {
  return `${s.user}@${s.host}:${s.port}/${s.database}`;
}

function tlsOptions(s: ConnectionSettings): pg.ClientConfig['ssl'] {
  const ca = s.caFile ? readCa(s.caFile) : undefined;
  switch (s.tls) {
    case 'disable':
      return false;
    case 'require':
      // As libpq: encrypted; the certificate is checked only against a given CA, and the host name not at all.
      return ca ? { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
    case 'verify-full':
      return ca ? { ca, rejectUnauthorized: true } : { rejectUnauthorized: true };
  }
}

/** A CA bundle is a few kB; a device or a huge file is refused before it is read (reading /dev/zero would exhaust the host's memory). */
const MAX_CA_BYTES = 1 << 20;

function readCa(file: string): string {
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_CA_BYTES) throw new Error(`${st.size} bytes; a CA file is at most ${MAX_CA_BYTES}`);
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new SyncError('SYNC_TLS', `cannot read the CA file ${file}: ${(err as Error).message}`);
  }
}

/** Timeouts: a dead server must fail a call in seconds, not hang a sync. */
export interface Timeouts {
  connectMs?: number;
  queryMs?: number;
}

/** The node-postgres config for these settings. */
export function poolConfig(s: ConnectionSettings, password: string | undefined, t: Timeouts = {}): pg.PoolConfig {
  return {
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    // With none stored, a throwaway value the server is sure to refuse at once:
    // node-postgres given no password fails inside SCRAM and leaves the socket
    // open until the server's authentication timeout (a minute). noPassword()
    // turns that refusal into SYNC_NO_PASSWORD.
    password: password || `no-password-${randomUUID()}`,
    ssl: tlsOptions(s),
    application_name: 'recon-sync',
    connectionTimeoutMillis: t.connectMs ?? 5000,
    query_timeout: t.queryMs ?? 60_000,
    statement_timeout: t.queryMs ?? 60_000,
    keepAlive: true,
    max: 2,
    idleTimeoutMillis: 10_000,
  };
}

/** A login refused while no password was stored means: log in first. */
export function noPassword(err: SyncError, s: ConnectionSettings, password: string | undefined): SyncError {
  if (password || err.code !== 'SYNC_AUTH_FAILED') return err;
  return new SyncError('SYNC_NO_PASSWORD', `the team server asks ${describeServer(s)} for a password and none is stored: run "recon sync login" (or set PGPASSWORD for a scripted run)`, { cause: err });
}

/** A pool whose idle clients may die (server restart) without taking the process with them. */
export function createPool(config: pg.PoolConfig, onError: (err: Error) => void = () => undefined): pg.Pool {
  const pool = new pg.Pool(config);
  // Emitted when an idle client loses its connection; the pool has already dropped it.
  pool.on('error', (err) => onError(err));
  return pool;
}

/** Runs fn with a checked-out client; a client that failed is destroyed, never reused. */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (err: Error): void => {
    failure = err;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    failure ??= err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.off('error', onError);
    // release(err) destroys the connection: it may be mid-transaction or dead.
    client.release(failure);
  }
}

/** BEGIN … COMMIT around fn; ROLLBACK (best effort) when it throws. */
export async function inTransaction<T>(client: pg.PoolClient, fn: () => Promise<T>, begin = 'BEGIN'): Promise<T> {
  await client.query(begin);
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
