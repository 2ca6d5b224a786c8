/** Role checks for host actions that are not workflow writes themselves (retraining, the model file). */
import { ReconError } from '../../errors/recon-error.ts';
import type { Store } from '../../store/store.ts';
import type { Identity } from '../../workflow/identity.ts';
import { rolesOf, type Role } from '../../workflow/roles.ts';

/** Throws FORBIDDEN_ROLE, in the workflow's words, unless `user` holds `role`. */
export function requireRoleNow(store: Store, user: Identity, role: Role, action: string): void {
  if (!store.read((tx) => rolesOf(tx, user.userId)).includes(role)) {
    throw new ReconError('FORBIDDEN_ROLE', `${user.userId} may not ${action}: that needs the ${role} role (an admin grants it in Settings)`, { user: user.userId, role });
  }
}
