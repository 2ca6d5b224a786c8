/**
 * Users and roles. The engine checks every action's role here, inside the
 * action's own write transaction; the UI only hides what would be refused.
 * The first user to act on a new workspace becomes its admin.
 */
import { ReconError } from '../errors/recon-error.ts';
import { requireRolesExplained } from './chain-state.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';
import type { Identity } from './identity.ts';

export const ROLES = ['analyst', 'approver', 'admin'] as const;
/** analyst = maker (and definitions), approver = checker, admin = definitions, reason codes, users. */
export type Role = (typeof ROLES)[number];

/** A user with their roles. */
export interface UserInfo {
  userId: string;
  displayName: string;
  roles: Role[];
  createdAt: string;
}

/** Narrows user input to a Role. */
export function parseRole(value: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  throw new ReconError('INVALID_ARGUMENT', `unknown role "${value}" (roles: ${ROLES.join(', ')})`);
}

/** The roles a user holds (none when unknown). */
export function rolesOf(tx: ReadTx, userId: string): Role[] {
  return tx.all<{ role: Role }>(sql`SELECT role FROM user_roles WHERE user_id = ${userId} ORDER BY role`).map((r) => r.role);
}

/** Refuses unless the actor holds `role`; on an empty workspace, first makes the actor its admin. */
export function requireRole(tx: WriteTx, actor: Identity, role: Role, action: string): void {
  requireAnyRole(tx, actor, [role], action);
}

/** Refuses unless the actor holds one of `roles`; on an empty workspace, first makes the actor its admin. */
export function requireAnyRole(tx: WriteTx, actor: Identity, roles: readonly [Role, ...Role[]], action: string): void {
  bootstrapFirstUser(tx, actor);
  const held = rolesOf(tx, actor.userId);
  // Role rows edited in workspace.sqlite, not through the app, do not count: refused.
  requireRolesExplained(tx, actor.userId, held);
  if (!roles.some((r) => held.includes(r))) {
    const role = roles.join(' or ');
    throw new ReconError('FORBIDDEN_ROLE', `${actor.userId} may not ${action}: that needs the ${role} role (an admin grants it: recon users grant ${actor.userId} ${roles[0]})`, {
      user: actor.userId,
      role,
    });
  }
}

function bootstrapFirstUser(tx: WriteTx, actor: Identity): void {
  if (tx.get(sql`SELECT 1 AS x FROM users LIMIT 1`) !== undefined) return;
  insertUser(tx, actor, actor.userId, actor.displayName, ['admin']);
  appendAuditEvent(tx, {
    actor: actor.userId,
    action: 'role.granted',
    target: `user:${actor.userId}`,
    before: null,
    after: { user_id: actor.userId, display_name: actor.displayName, roles: ['admin'] },
    comment: 'first user of the workspace becomes admin',
  });
}

function insertUser(tx: WriteTx, actor: Identity, userId: string, displayName: string, roles: readonly Role[]): void {
  tx.run(sql`INSERT INTO users (user_id, display_name, created_at) VALUES (${userId}, ${displayName}, ${tx.now})`);
  for (const r of roles) tx.run(sql`INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES (${userId}, ${r}, ${actor.userId}, ${tx.now})`);
}

/** Admin: adds a user (an OS account name) with optional roles. */
export function addUser(store: Store, actor: Identity, user: { userId: string; displayName?: string; roles?: readonly Role[] }): UserInfo {
  const userId = user.userId.trim();
  if (!userId) throw new ReconError('INVALID_ARGUMENT', 'a user id is required');
  // An OS account name: printable, as the store's CHECK (its length in characters up to a NUL) needs it.
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(userId) || userId.length > 256) throw new ReconError('INVALID_ARGUMENT', 'a user id is 1 to 256 printable characters');
  return store.write((tx) => {
    requireRole(tx, actor, 'admin', 'add users');
    if (tx.get(sql`SELECT 1 AS x FROM users WHERE user_id = ${userId}`) !== undefined) {
      throw new ReconError('INVALID_ARGUMENT', `user ${userId} already exists; use recon users grant`);
    }
    const roles = [...new Set(user.roles ?? [])].sort();
    const displayName = user.displayName?.trim() || userId;
    insertUser(tx, actor, userId, displayName, roles);
    appendAuditEvent(tx, { actor: actor.userId, action: 'user.added', target: `user:${userId}`, before: null, after: { user_id: userId, display_name: displayName, roles } });
    return { userId, displayName, roles, createdAt: tx.now };
  });
}

/** Admin: grants a role; returns false when the user already had it (nothing recorded). */
export function grantRole(store: Store, actor: Identity, userId: string, role: Role): boolean {
  return store.write((tx) => {
    requireRole(tx, actor, 'admin', 'grant roles');
    const before = existingRoles(tx, userId);
    if (before.includes(role)) return false;
    tx.run(sql`INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES (${userId}, ${role}, ${actor.userId}, ${tx.now})`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'role.granted', target: `user:${userId}`, before: { roles: before }, after: { roles: rolesOf(tx, userId) } });
    return true;
  });
}

/** Admin: revokes a role; the last admin cannot be revoked (LAST_ADMIN). */
export function revokeRole(store: Store, actor: Identity, userId: string, role: Role): boolean {
  return store.write((tx) => {
    requireRole(tx, actor, 'admin', 'revoke roles');
    const before = existingRoles(tx, userId);
    if (!before.includes(role)) return false;
    if (role === 'admin' && (tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM user_roles WHERE role = 'admin'`)?.n ?? 0) <= 1) {
      throw new ReconError('LAST_ADMIN', `${userId} is the last admin; grant admin to someone else first`);
    }
    tx.run(sql`DELETE FROM user_roles WHERE user_id = ${userId} AND role = ${role}`);
    appendAuditEvent(tx, { actor: actor.userId, action: 'role.revoked', target: `user:${userId}`, before: { roles: before }, after: { roles: rolesOf(tx, userId) } });
    return true;
  });
}

function existingRoles(tx: ReadTx, userId: string): Role[] {
  if (tx.get(sql`SELECT 1 AS x FROM users WHERE user_id = ${userId}`) === undefined) {
    throw new ReconError('NOT_FOUND', `no user ${userId}; add it first: recon users add ${userId}`);
  }
  return rolesOf(tx, userId);
}

/** Every user with roles, by id. */
export function listUsers(store: Store): UserInfo[] {
  return store.read((tx) =>
    tx.all<{ user_id: string; display_name: string; created_at: string }>(sql`SELECT user_id, display_name, created_at FROM users ORDER BY user_id`).map((u) => ({
      userId: u.user_id,
      displayName: u.display_name,
      roles: rolesOf(tx, u.user_id),
      createdAt: u.created_at,
    })),
  );
}
