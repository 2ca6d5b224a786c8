/** The commit a build is made from, stamped into the main-process bundle by electron.vite.config.ts. */
import { execFileSync } from 'node:child_process';

/**
 * $RECON_COMMIT when set (a CI build from a source archive has no .git),
 * else `git describe` of the checkout: the abbreviated hash, `-dirty` when
 * tracked files have uncommitted changes; 'unknown' outside a checkout.
 */
export function buildCommit(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const stamped = env['RECON_COMMIT']?.trim();
  if (stamped) return stamped;
  try {
    return execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12', '--exclude=*'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}
