import { sql } from '../../store/sql.ts';
import { addUser, grantRole, listUsers, revokeRole, rolesOf } from '../../workflow/roles.ts';
import type { Handlers, HostContext } from './types.ts';

export function usersHandlers(ctx: HostContext): Pick<Handlers, 'users.me' | 'users.list' | 'users.add' | 'users.grant' | 'users.revoke'> {
  const changed = (): void => ctx.emit({ type: 'workflow.changed', runId: null, what: 'users' });
  return {
    'users.me': async () =>
      ctx.store.read((tx) => ({
        userId: ctx.user.userId,
        displayName: ctx.user.displayName,
        roles: rolesOf(tx, ctx.user.userId),
        workspaceHasUsers: tx.get(sql`SELECT 1 AS x FROM users LIMIT 1`) !== undefined,
      })),
    'users.list': async () => ({ users: listUsers(ctx.store) }),
    'users.add': async ({ userId, displayName, roles }) => {
      const u = addUser(ctx.store, ctx.user, { userId, roles, ...(displayName ? { displayName } : {}) });
      changed();
      return u;
    },
    'users.grant': async ({ userId, role }) => {
      // On an empty workspace the role check makes the acting user its admin first (engine/workflow/roles.ts).
      const r = { changed: grantRole(ctx.store, ctx.user, userId, role) };
      changed();
      return r;
    },
    'users.revoke': async ({ userId, role }) => {
      const r = { changed: revokeRole(ctx.store, ctx.user, userId, role) };
      changed();
      return r;
    },
  };
}
