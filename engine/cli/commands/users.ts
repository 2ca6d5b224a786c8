import { parseArgs } from 'node:util';
import { ReconError } from '../../errors/recon-error.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { currentUser } from '../../workflow/identity.ts';
import { addUser, grantRole, listUsers, parseRole, revokeRole, rolesOf, type UserInfo } from '../../workflow/roles.ts';
import { resolveWorkspace } from '../workspace.ts';

export const USERS_USAGE = `recon users list|whoami|add|grant|revoke [--workspace DIR] [--json]

  recon users list
  recon users whoami
  recon users add USER [--name "Display Name"] [--role analyst] [--role approver]
  recon users grant USER ROLE        roles: analyst (maker), approver (checker), admin
  recon users revoke USER ROLE

USER is an OS account name. The first user to change anything in a new
workspace becomes its admin. The acting user is the OS account, or $RECON_USER.`;

/** `recon users …`: local users and their roles (admin only for changes). */
export async function usersCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string' },
      json: { type: 'boolean', default: false },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
    },
    allowPositionals: true,
    strict: true,
  });
  const [sub, user, role] = positionals;
  const print = (value: unknown, text: string): number => {
    process.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : text);
    return 0;
  };
  const needUser = (): string => {
    if (!user) throw new ReconError('INVALID_ARGUMENT', `recon users ${sub} needs a USER`);
    return user;
  };
  const needRole = (): ReturnType<typeof parseRole> => {
    if (!role) throw new ReconError('INVALID_ARGUMENT', `recon users ${sub} needs a ROLE (analyst, approver or admin)`);
    return parseRole(role);
  };
  if (sub === undefined || !['list', 'whoami', 'add', 'grant', 'revoke'].includes(sub)) {
    process.stderr.write(`unknown or missing users command${sub ? ` "${sub}"` : ''}\n\n${USERS_USAGE}\n`);
    return 2;
  }
  const store = openWorkspaceStore(resolveWorkspace(values.workspace));
  try {
    const me = sub === 'list' ? { userId: '', displayName: '' } : currentUser();
    switch (sub) {
      case 'list': {
        const users = listUsers(store);
        return print(users, users.length === 0 ? 'no users yet: the first user to act becomes admin\n' : users.map(formatUser).join(''));
      }
      case 'whoami': {
        const roles = store.read((tx) => rolesOf(tx, me.userId));
        return print({ ...me, roles }, `${me.userId} (${me.displayName}): ${roles.length ? roles.join(', ') : 'no roles'}\n`);
      }
      case 'add': {
        const added = addUser(store, me, { userId: needUser(), ...(values.name ? { displayName: values.name } : {}), roles: (values.role ?? []).map(parseRole) });
        return print(added, `added ${formatUser(added)}`);
      }
      case 'grant': {
        const u = needUser();
        const r = needRole();
        const changed = grantRole(store, me, u, r);
        return print({ user: u, role: r, changed }, changed ? `granted ${r} to ${u}\n` : `${u} already has ${r}\n`);
      }
      case 'revoke': {
        const u = needUser();
        const r = needRole();
        const changed = revokeRole(store, me, u, r);
        return print({ user: u, role: r, changed }, changed ? `revoked ${r} from ${u}\n` : `${u} did not have ${r}\n`);
      }
      default:
        return 2;
    }
  } finally {
    store.close();
  }
}

function formatUser(u: UserInfo): string {
  return `${u.userId.padEnd(16)} ${u.displayName.padEnd(24)} ${u.roles.length ? u.roles.join(', ') : '(no roles)'}\n`;
}
