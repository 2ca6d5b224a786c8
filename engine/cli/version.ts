import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutCommit, formatVersionInfo, versionInfo } from '../host/version.ts';
import { packageRoot } from '../package-root.ts';
import { resolveWorkspace } from './workspace.ts';

/** `recon --version`: the package version, the checkout's commit and the default workspace's model. */
export async function versionText(): Promise<string> {
  // Found at run time, not imported: the desktop bundle includes this module
  // (it never calls this function) and the CLI runs from a bundle elsewhere.
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const info = await versionInfo({ version: pkg.version, commit: checkoutCommit(), workspace: resolveWorkspace(undefined) });
  return formatVersionInfo(info);
}
