import { useState } from 'react';
import { ROLE_NAMES, type RoleName } from '../../../../engine/contract/index.ts';
import { useAction } from '../../bridge/use-action.ts';
import { useCall, useClient, useEvent } from '../../bridge/use-client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSession } from '../../session.tsx';

const ROLE_HELP: Record<RoleName, string> = { analyst: 'maker: decides, proposes', approver: 'checker: approves others’ proposals', admin: 'users, reason codes, settings, model' };

/** Users and roles: everyone sees who holds what; only an admin changes it (the engine refuses anyone else). */
export function UsersPanel() {
  const client = useClient();
  const session = useSession();
  const users = useCall('users.list', {});
  // Roles change here, in another process on this workspace, or come down from the team server.
  useEvent('workflow.changed', (e) => e.what === 'users' && users.reload());
  const admin = session.has('admin');
  const [form, setForm] = useState({ userId: '', displayName: '', roles: new Set<RoleName>(['analyst']) });
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn();
    users.reload();
    session.reload();
  });
  const toggle = (userId: string, role: RoleName, has: boolean): void =>
    void act.run(() => client.call(has ? 'users.revoke' : 'users.grant', { userId, role }));
  const add = (): void =>
    void act.run(() => client.call('users.add', { userId: form.userId.trim(), roles: [...form.roles], ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}) })).then(() =>
      setForm({ userId: '', displayName: '', roles: new Set(['analyst']) }),
    );
  const me = session.me;

  return (
    <section className="panel settings-panel" aria-labelledby="users-title">
      <h4 id="users-title">Users &amp; roles</h4>
      {me && !me.workspaceHasUsers && (
        <div className="notice">
          This workspace has no users yet. The first user becomes its admin and then grants roles to others.{' '}
          <button type="button" className="primary" disabled={act.busy} onClick={() => void act.run(() => client.call('users.grant', { userId: me.userId, role: 'admin' }))}>
            Become admin as {me.userId}
          </button>
        </div>
      )}
      <table className="data compact users-table" aria-label="Users">
        <thead>
          <tr>
            <th>User</th>
            <th>Name</th>
            {ROLE_NAMES.map((r) => (
              <th key={r} className="center" title={ROLE_HELP[r]}>
                {r}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {users.data?.users.map((u) => (
            <tr key={u.userId} className={u.userId === me?.userId ? 'me' : undefined}>
              <td className="mono strong">
                {u.userId}
                {u.userId === me?.userId && <span className="muted small"> (you)</span>}
              </td>
              <td>{u.displayName}</td>
              {ROLE_NAMES.map((r) => {
                const has = u.roles.includes(r);
                return (
                  <td key={r} className="center">
                    {admin ? (
                      <input type="checkbox" aria-label={`${u.userId} ${r}`} checked={has} disabled={act.busy} onChange={() => toggle(u.userId, r, has)} />
                    ) : (
                      <span className={has ? 'ok' : 'muted'}>{has ? '✓' : '–'}</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {act.error && <ErrorMessage error={act.error} onDismiss={act.clear} />}
      {admin && (
        <form
          className="row add-user"
          aria-label="Add a user"
          onSubmit={(e) => {
            e.preventDefault();
            add();
          }}
        >
          <input aria-label="New user id" placeholder="OS account name" value={form.userId} onChange={(e) => setForm({ ...form, userId: e.target.value })} />
          <input aria-label="New user display name" placeholder="Display name" value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
          {ROLE_NAMES.map((r) => (
            <label key={r} className="check small">
              <input
                type="checkbox"
                aria-label={`New user ${r}`}
                checked={form.roles.has(r)}
                onChange={(e) => {
                  const roles = new Set(form.roles);
                  if (e.target.checked) roles.add(r);
                  else roles.delete(r);
                  setForm({ ...form, roles });
                }}
              />
              {r}
            </label>
          ))}
          <button type="submit" disabled={act.busy || form.userId.trim() === ''}>
            Add user
          </button>
        </form>
      )}
      {!admin && me?.workspaceHasUsers && <p className="muted small">Only an admin changes users and roles.</p>}
    </section>
  );
}
