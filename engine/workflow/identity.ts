/**
 * Who is acting. Locally that is the OS account: identity is exactly as
 * strong as the OS login, since anyone who can act as that account can open
 * the workspace file. `RECON_USER` (and `RECON_USER_NAME`) override it for
 * scripted runs and tests. Team sync takes roles from the server, where the
 * 4-eye rule is enforced again.
 */
import { userInfo } from 'node:os';
import { ReconError } from '../errors/recon-error.ts';
import { noteIdentityOverride } from '../store/audit-log.ts';

/** The acting user: an id (OS account name) and a display name. */
export interface Identity {
  userId: string;
  displayName: string;
}

/**
 * The OS account, whatever RECON_USER says: the desktop app's acting user. The
 * override is for the CLI and `recon serve` (scripts and tests); in the app, a
 * person is who they signed in to the computer as.
 */
export function osAccount(env: NodeJS.ProcessEnv = process.env): Identity {
  const { RECON_USER: _user, RECON_USER_NAME: _name, ...rest } = env;
  void _user;
  void _name;
  return currentUser(rest);
}

/**
 * The current user: $RECON_USER, else the OS account. When $RECON_USER names
 * someone else than the OS account, the trail records it before that user's
 * first act in each workspace (store/audit-log.ts noteIdentityOverride).
 */
export function currentUser(env: NodeJS.ProcessEnv = process.env): Identity {
  const override = env['RECON_USER']?.trim() || undefined;
  const os = osAccountName(env);
  const userId = override ?? os;
  if (!userId) throw new ReconError('INVALID_ARGUMENT', 'cannot tell who you are: no OS account name; set RECON_USER');
  if (override !== undefined && override !== os) {
    noteIdentityOverride({ user: override, osAccount: os ?? '(unknown)', command: process.argv.slice(2, 4).filter((a) => !a.startsWith('-')).join(' ') || 'unknown' });
  }
  return { userId, displayName: env['RECON_USER_NAME']?.trim() || userId };
}

function osAccountName(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return userInfo().username;
  } catch {
    // A container without a passwd entry for the uid.
    return env['USER'] ?? env['USERNAME'];
  }
}
