import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The CLI's workspace: --workspace, else $RECON_WORKSPACE, else ~/.recon-workstation. */
export function resolveWorkspace(flag: string | undefined): string {
  return resolve(flag ?? process.env['RECON_WORKSPACE'] ?? join(homedir(), '.recon-workstation'));
}
