import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CONNECTION_NAME } from '../../definition/schema.ts';
import { ReconError } from '../../errors/recon-error.ts';
import type { Keychain } from '../../sync/credentials.ts';
import { httpConnectionSchema, type HttpConnection } from '../http/http-connection.ts';
import { DRIVER_NAMES, TLS_MODES, type ConnectionConfig, describeConnection } from './driver.ts';

/**
 * The workspace's saved database connections, in `<workspace>/connections.json`
 * (owner-only, as every workspace file): where a server is and who logs in,
 * never a password. Passwords live in the OS keychain (the Keychain of team
 * sync, under accounts of their own) or in an environment variable.
 */
export const CONNECTIONS_FILE = 'connections.json';

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 15;
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 3600;

const connectionSchema = z
  .object({
    name: z.string().regex(CONNECTION_NAME),
    driver: z.enum(DRIVER_NAMES),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    database: z.string().min(1),
    user: z.string().min(1),
    tls: z.enum(TLS_MODES).default('disable'),
    caFile: z.string().min(1).optional(),
    connectTimeoutSeconds: z.number().int().min(1).max(3600).default(DEFAULT_CONNECT_TIMEOUT_SECONDS),
    queryTimeoutSeconds: z.number().int().min(1).max(86_400).default(DEFAULT_QUERY_TIMEOUT_SECONDS),
  })
  .strict();

// HTTP connections (ingest/http) live in the same file, told apart by driver "http".
const fileSchema = z.object({ version: z.literal(1), connections: z.array(z.union([connectionSchema, httpConnectionSchema])) }).strict();

/** A saved connection of any kind: a database, or an HTTP API. */
export type AnyConnection = ConnectionConfig | HttpConnection;

export type ConnectionInput = z.input<typeof connectionSchema>;

/** The saved database connections, by name order. */
export async function listConnections(workspace: string): Promise<ConnectionConfig[]> {
  return (await listAllConnections(workspace)).filter((c): c is ConnectionConfig => c.driver !== 'http');
}

/** Every saved connection, databases and HTTP APIs, by name order. A workspace without the file has none. */
export async function listAllConnections(workspace: string): Promise<AnyConnection[]> {
  let text: string;
  try {
    text = await readFile(join(workspace, CONNECTIONS_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parsed = fileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new ReconError('DEFINITION_INVALID', `${join(workspace, CONNECTIONS_FILE)}: not a valid connections file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data.connections as AnyConnection[];
}

/** The named database connection, or SOURCE_NOT_CONFIGURED listing those there are. */
export async function getConnection(workspace: string, name: string): Promise<ConnectionConfig> {
  const found = await getAnyConnection(workspace, name);
  if (found.driver === 'http') throw new ReconError('SOURCE_NOT_CONFIGURED', `connection "${name}" is an HTTP connection; a query source needs a database connection`, { connection: name });
  return found;
}

/** The named connection of any kind, or SOURCE_NOT_CONFIGURED listing those there are. */
export async function getAnyConnection(workspace: string, name: string): Promise<AnyConnection> {
  const all = await listAllConnections(workspace);
  const found = all.find((c) => c.name === name);
  if (!found) {
    throw new ReconError(
      'SOURCE_NOT_CONFIGURED',
      `no connection named "${name}" in workspace ${workspace} (${all.length > 0 ? `saved: ${all.map((c) => c.name).join(', ')}` : 'none saved'}); add it with: recon source add-connection ${name} --driver postgres|mysql --host … --database … --user … (or --driver http --base-url …)`,
      { connection: name },
    );
  }
  return found;
}

/** Adds or replaces a database connection (by name). */
export async function saveConnection(workspace: string, input: ConnectionInput): Promise<ConnectionConfig> {
  const { connection, file } = await stageSave(workspace, input.name, connectionSchema.safeParse(input));
  commitNow(file);
  return connection as ConnectionConfig;
}

/** Adds or replaces an HTTP connection (by name). */
export async function saveHttpConnection(workspace: string, input: z.input<typeof httpConnectionSchema>): Promise<HttpConnection> {
  const { connection, file } = await stageSave(workspace, input.name, httpConnectionSchema.safeParse(input));
  commitNow(file);
  return connection as HttpConnection;
}

/** Removes a connection; false when there was none of that name. */
export async function removeConnection(workspace: string, name: string): Promise<boolean> {
  const staged = await stageRemoveConnection(workspace, name);
  if (!staged) return false;
  commitNow(staged);
  return true;
}

/**
 * A new connections.json written beside the live one and not yet in place.
 * `commit` renames it in synchronously, so the audited path
 * (workflow/connections.ts) can do it inside the store transaction that records
 * the event: the two go together or not at all. `undo` puts back what was there,
 * for a transaction that fails after the rename (its COMMIT); `discard` removes
 * the new file if it was never committed.
 */
export interface StagedConnectionsFile {
  commit(): void;
  undo(): void;
  discard(): void;
}

/** Stages adding or replacing a connection of either kind; validates it first. */
export async function stageSaveConnection(workspace: string, input: ConnectionInput | z.input<typeof httpConnectionSchema>): Promise<{ connection: AnyConnection; file: StagedConnectionsFile }> {
  return stageSave(workspace, input.name, input.driver === 'http' ? httpConnectionSchema.safeParse(input) : connectionSchema.safeParse(input));
}

/** Stages removing a connection; null when there is none of that name. */
export async function stageRemoveConnection(workspace: string, name: string): Promise<StagedConnectionsFile | null> {
  const all = await listAllConnections(workspace);
  const kept = all.filter((c) => c.name !== name);
  return kept.length === all.length ? null : stageConnections(workspace, kept);
}

async function stageSave(workspace: string, name: string, parsed: z.ZodSafeParseResult<AnyConnection>): Promise<{ connection: AnyConnection; file: StagedConnectionsFile }> {
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReconError('INVALID_ARGUMENT', `connection ${name}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim());
  }
  const conn = parsed.data;
  const others = (await listAllConnections(workspace)).filter((c) => c.name !== conn.name);
  return { connection: conn, file: await stageConnections(workspace, [...others, conn].sort((a, b) => a.name.localeCompare(b.name))) };
}

/** Puts a staged file in place straight away (the unaudited path: tests, and callers that record nothing). */
function commitNow(file: StagedConnectionsFile): void {
  try {
    file.commit();
  } finally {
    file.discard();
  }
}

/** Written to a private temporary file, renamed in by `commit`, so a reader never sees half a file. */
async function stageConnections(workspace: string, connections: AnyConnection[]): Promise<StagedConnectionsFile> {
  await mkdir(workspace, { recursive: true, mode: 0o700 });
  const path = join(workspace, CONNECTIONS_FILE);
  const previous = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify({ version: 1, connections }, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  let committed = false;
  return {
    commit: () => {
      renameSync(tmp, path);
      committed = true;
    },
    undo: () => {
      if (!committed) return;
      if (previous === null) rmSync(path, { force: true });
      else {
        writeFileSync(tmp, previous, { mode: 0o600 });
        renameSync(tmp, path);
      }
      committed = false;
    },
    discard: () => {
      if (!committed) rmSync(tmp, { force: true });
    },
  };
}

/** The keychain account of a connection's password: its own, apart from team sync's logins. */
export function keychainAccountOf(c: ConnectionConfig): string {
  return `source:${c.name}:${describeConnection(c)}`;
}

/** The environment variable holding one connection's password: RECON_SOURCE_PASSWORD_<NAME> (upper case, other characters as "_"). */
export function passwordEnvOf(name: string): string {
  return `RECON_SOURCE_PASSWORD_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export type PasswordOrigin = string;

/**
 * The password to log in with: the connection's own environment variable, then the
 * database's usual one ($PGPASSWORD, $MYSQL_PWD: scripted runs), then the keychain.
 * None at all is not an error here: the server may trust the login, and says so if not.
 */
export function resolveSourcePassword(
  c: ConnectionConfig,
  driverEnv: string,
  env: NodeJS.ProcessEnv,
  keychain: Keychain | undefined,
): { password: string | undefined; origin: PasswordOrigin; keychainError?: string } {
  const own = passwordEnvOf(c.name);
  if (env[own]) return { password: env[own], origin: `$${own}` };
  if (env[driverEnv]) return { password: env[driverEnv], origin: `$${driverEnv}` };
  if (!keychain) return { password: undefined, origin: 'none' };
  try {
    const stored = keychain.get(keychainAccountOf(c));
    return stored ? { password: stored, origin: 'the OS keychain' } : { password: undefined, origin: 'none' };
  } catch (err) {
    return { password: undefined, origin: 'none', keychainError: (err as Error).message };
  }
}

/** What a connection test says of a session's encryption: the TLS version the server reports, and how the certificate was checked. */
export function tlsLine(c: { tls: string; caFile?: string | null | undefined }, encryption: string | null): string {
  if (encryption === null) return c.tls === 'disable' ? 'off (--tls disable)' : 'off';
  const checked = c.tls === 'verify' ? `certificate verified against ${c.caFile ? c.caFile : "the system's CAs"}` : 'certificate NOT verified (--tls require: encrypted, but the server is not authenticated)';
  return `${encryption}, ${checked}`;
}
