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
 * Each act and its event go together: the new connections.json is written beside
 * the live one and renamed in, and a keychain entry set or removed, inside the
 * store transaction that appends the event (`withEvent`), so a refused event
 * changes nothing and a failed change records nothing.
 *
 * Why these events are not bound by chain-state.ts (the check that a workflow row
 * agrees with its latest event before the engine acts on it): connections.json is
 * a file beside the store, not a row of workspace.sqlite, and its content is
 * checked where it matters: each run
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
  stageRemoveConnection,
  stageSaveConnection,
  type AnyConnection,
  type ConnectionInput,
  type StagedConnectionsFile,
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

/**
 * Records the act's event and makes its change in one store transaction: the
 * change runs inside it after the event is appended, so a refused event leaves
 * the file and the keychain untouched, and a failed change records no event.
 * Should the transaction still fail at its COMMIT, `undo` puts the change back.
 */
function withEvent(store: Store, event: Parameters<typeof appendAuditEvent>[1], change: () => void, undo: () => void): void {
  let changed = false;
  try {
    store.write((tx) => {
      appendAuditEvent(tx, event);
      change();
      changed = true;
    });
  } catch (err) {
    if (changed) undo();
    throw err;
  }
}

/** Applies a staged connections file together with its event. */
function commitWithEvent(store: Store, file: StagedConnectionsFile, event: Parameters<typeof appendAuditEvent>[1]): void {
  try {
    withEvent(store, event, () => file.commit(), () => file.undo());
  } finally {
    file.discard();
  }
}

/** Adds or replaces a connection (admin only), the file and its event together. */
export async function saveConnectionAudited(store: Store, actor: Identity, workspace: string, input: SaveConnectionInput): Promise<{ connection: AnyConnection; created: boolean }> {
  requireAdmin(store, actor, 'save a source connection');
  if (input.driver !== 'http' && input.caFile) await checkCaFile(input.caFile);
  const before = (await listAllConnections(workspace)).find((c) => c.name === input.name);
  const { connection, file } = await stageSaveConnection(workspace, input);
  commitWithEvent(store, file, {
    actor: actor.userId,
    action: 'connection.saved',
    target: target(connection.name),
    before: before ? auditedConnection(before) : null,
    after: auditedConnection(connection),
  });
  return { connection, created: before === undefined };
}

/** A CA file is read whole by the TLS client at every login: a regular file of a sensible size, not a device or a folder. */
async function checkCaFile(path: string): Promise<void> {
  const s = await stat(path).catch(() => null);
  if (s === null || !s.isFile()) throw new ReconError('INVALID_ARGUMENT', `CA file ${path}: not found, or not a file`, { caFile: path });
  if (s.size > 1 << 20) throw new ReconError('INVALID_ARGUMENT', `CA file ${path}: ${s.size} bytes is not a CA certificate (at most 1 MiB)`, { caFile: path });
}

/** The keychain's entry for an account, or null where there is no keychain: what to put back if an act must be undone. */
function heldSecret(keychain: () => Keychain, account: string): string | null {
  try {
    return keychain().get(account);
  } catch {
    return null;
  }
}

/** Puts a keychain entry back as it was (null: absent). */
function restoreSecret(keychain: () => Keychain, account: string, value: string | null): void {
  if (value === null) keychain().delete(account);
  else keychain().set(account, value);
}

/** Forgets a connection and its stored password (admin only); false when there was none of that name. */
export async function removeConnectionAudited(store: Store, actor: Identity, workspace: string, name: string, keychain: () => Keychain): Promise<boolean> {
  requireAdmin(store, actor, 'remove a source connection');
  const existing = (await listAllConnections(workspace)).find((c) => c.name === name);
  const file = existing ? await stageRemoveConnection(workspace, name) : null;
  if (!existing || !file) return false;
  const account = connectionAccount(existing);
  const held = heldSecret(keychain, account);
  // A host without a keychain has nothing stored in one: the connection goes regardless.
  let passwordRemoved = false;
  try {
    passwordRemoved = held !== null && keychain().delete(account);
  } catch {
    // no keychain, nothing stored
  }
  try {
    commitWithEvent(store, file, { actor: actor.userId, action: 'connection.removed', target: target(name), before: auditedConnection(existing), after: { password_removed: passwordRemoved } });
  } catch (err) {
    if (passwordRemoved) restoreSecret(keychain, account, held);
    throw err;
  }
  return true;
}

/** Stores a connection's password (or {secret}) in the keychain and nowhere else (admin only); the event names the account, not the value. */
export async function setConnectionPassword(store: Store, actor: Identity, workspace: string, name: string, password: string, keychain: () => Keychain): Promise<AnyConnection> {
  requireAdmin(store, actor, "store a source connection's password");
  if (!password) throw new ReconError('INVALID_ARGUMENT', 'an empty password was given; nothing stored');
  const connection = await getAnyConnection(workspace, name);
  const account = connectionAccount(connection);
  const held = heldSecret(keychain, account);
  withEvent(
    store,
    { actor: actor.userId, action: 'connection.password_set', target: target(name), before: null, after: { stored_in: 'OS keychain', account } },
    () => keychain().set(account, password),
    () => restoreSecret(keychain, account, held),
  );
  return connection;
}

/** Removes a connection's password from the keychain (admin only); false when none was stored. */
export async function forgetConnectionPassword(store: Store, actor: Identity, workspace: string, name: string, keychain: () => Keychain): Promise<{ connection: AnyConnection; removed: boolean }> {
  requireAdmin(store, actor, "forget a source connection's password");
  const connection = await getAnyConnection(workspace, name);
  const account = connectionAccount(connection);
  const held = heldSecret(keychain, account);
  // The event says whether there was one to remove, which is known before the removal.
  const removed = held !== null;
  withEvent(
    store,
    { actor: actor.userId, action: 'connection.password_forgotten', target: target(name), before: null, after: { account, removed } },
    () => void keychain().delete(account),
    () => restoreSecret(keychain, account, held),
  );
  return { connection, removed };
}
