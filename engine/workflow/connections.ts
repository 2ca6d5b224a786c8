/**
 * Saved connections for query and HTTP sources, as governed acts: only an admin
 * adds, changes or removes one, or stores or forgets its password, and each act
 * is an audit event (connection.saved, connection.removed, connection.password_set,
 * connection.password_forgotten). The desktop app (engine/host/handlers/connections.ts)
 * and `recon source …` both come through here, so both paths audit alike.
 *
 * A password never reaches the trail: the events name the keychain account, never
 * the value. An HTTP header's value is recorded only where it is a `{secret}`
 * template; any other value might be a literal token someone typed, so the event
 * records that it is set, not what it is.
 *
 * Why these events are not bound by chain-state.ts (the check that a workflow row
 * agrees with its latest event before the engine acts on it): connections.json is
 * a file beside the store, not a row of workspace.sqlite, written outside the
 * store's transaction, and its content is checked where it matters: each run
 * records the connection it used (host, port, database, user, TLS) in its signed
 * provenance. The events are the trail of who set it up; the run is the trail of
 * what was read.
 */
import { stat } from 'node:fs/promises';
import { ReconError } from '../errors/recon-error.ts';
import {
  getAnyConnection,
  keychainAccountOf,
  listAllConnections,
  removeConnection,
  saveConnection,
  saveHttpConnection,
  type AnyConnection,
  type ConnectionInput,
} from '../ingest/db/connections.ts';
import { httpKeychainAccount, SECRET_PLACEHOLDER, type HttpConnectionInput } from '../ingest/http/http-connection.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import type { JsonValue } from '../store/canonical-json.ts';
import type { Store } from '../store/store.ts';
import type { Keychain } from '../sync/credentials.ts';
import type { Identity } from './identity.ts';
import { requireRole } from './roles.ts';

/** The keychain account a connection's password or secret is stored under. */
export function connectionAccount(c: AnyConnection): string {
  return c.driver === 'http' ? httpKeychainAccount(c) : keychainAccountOf(c);
}

/** A connection as the audit trail records it: where it points, never a secret. */
export function auditedConnection(c: AnyConnection): JsonValue {
  if (c.driver !== 'http') {
    const { name, driver, host, port, database, user, tls, connectTimeoutSeconds, queryTimeoutSeconds } = c;
    return { name, driver, host, port, database, user, tls, ca_file: c.caFile ?? null, connect_timeout_seconds: connectTimeoutSeconds, query_timeout_seconds: queryTimeoutSeconds };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.headers)) headers[k] = v.includes(SECRET_PLACEHOLDER) ? v : '(set, not recorded)';
  return { name: c.name, driver: 'http', base_url: c.baseUrl, headers, timeout_seconds: c.timeoutSeconds, retries: c.retries };
}

const target = (name: string): string => `connection:${name}`;

function requireAdmin(store: Store, actor: Identity, what: string): void {
  store.write((tx) => requireRole(tx, actor, 'admin', what));
}

export type SaveConnectionInput = ({ driver: 'postgres' | 'mysql' } & ConnectionInput) | HttpConnectionInput;

/** Adds or replaces a connection (admin only): the file first, then its event. */
export async function saveConnectionAudited(store: Store, actor: Identity, workspace: string, input: SaveConnectionInput): Promise<{ connection: AnyConnection; created: boolean }> {
  requireAdmin(store, actor, 'save a source connection');
  if (input.driver !== 'http' && input.caFile) await checkCaFile(input.caFile);
  const before = (await listAllConnections(workspace)).find((c) => c.name === input.name);
  const connection = input.driver === 'http' ? await saveHttpConnection(workspace, input) : await saveConnection(workspace, input);
  // The file is written outside the store's transaction (it is not a row); the event follows it at once.
  store.write((tx) =>
    appendAuditEvent(tx, {
      actor: actor.userId,
      action: 'connection.saved',
      target: target(connection.name),
      before: before ? auditedConnection(before) : null,
      after: auditedConnection(connection),
    }),
  );
  return { connection, created: before === undefined };
}

/** A CA file is read whole by the TLS client at every login: a regular file of a sensible size, not a device or a folder. */
async function checkCaFile(path: string): Promise<void> {
  const s = await stat(path).catch(() => null);
  if (s === null || !s.isFile()) throw new ReconError('INVALID_ARGUMENT', `CA file ${path}: not found, or not a file`, { caFile: path });
  if (s.size > 1 << 20) throw new ReconError('INVALID_ARGUMENT', `CA file ${path}: ${s.size} bytes is not a CA certificate (at most 1 MiB)`, { caFile: path });
}

/** Forgets a connection and its stored password (admin only); false when there was none of that name. */
export async function removeConnectionAudited(store: Store, actor: Identity, workspace: string, name: string, keychain: () => Keychain): Promise<boolean> {
  requireAdmin(store, actor, 'remove a source connection');
  const existing = (await listAllConnections(workspace)).find((c) => c.name === name);
  if (!existing) return false;
  // A host without a keychain has nothing stored in one: the connection goes regardless.
  let passwordRemoved = false;
  try {
    passwordRemoved = keychain().delete(connectionAccount(existing));
  } catch {
    // no keychain, nothing stored
  }
  await removeConnection(workspace, name);
  store.write((tx) =>
    appendAuditEvent(tx, { actor: actor.userId, action: 'connection.removed', target: target(name), before: auditedConnection(existing), after: { password_removed: passwordRemoved } }),
  );
  return true;
}

/** Stores a connection's password (or {secret}) in the keychain and nowhere else (admin only); the event names the account, not the value. */
export async function setConnectionPassword(store: Store, actor: Identity, workspace: string, name: string, password: string, keychain: () => Keychain): Promise<AnyConnection> {
  requireAdmin(store, actor, "store a source connection's password");
  if (!password) throw new ReconError('INVALID_ARGUMENT', 'an empty password was given; nothing stored');
  const connection = await getAnyConnection(workspace, name);
  const account = connectionAccount(connection);
  keychain().set(account, password);
  store.write((tx) =>
    appendAuditEvent(tx, { actor: actor.userId, action: 'connection.password_set', target: target(name), before: null, after: { stored_in: 'OS keychain', account } }),
  );
  return connection;
}

/** Removes a connection's password from the keychain (admin only); false when none was stored. */
export async function forgetConnectionPassword(store: Store, actor: Identity, workspace: string, name: string, keychain: () => Keychain): Promise<{ connection: AnyConnection; removed: boolean }> {
  requireAdmin(store, actor, "forget a source connection's password");
  const connection = await getAnyConnection(workspace, name);
  const account = connectionAccount(connection);
  const removed = keychain().delete(account);
  store.write((tx) => appendAuditEvent(tx, { actor: actor.userId, action: 'connection.password_forgotten', target: target(name), before: null, after: { account, removed } }));
  return { connection, removed };
}
