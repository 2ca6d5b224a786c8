/**
 * `npm run bench -- --compare REF`: the same `recon run`s timed with the
 * engine at another commit (a git ref: a tag, a branch, HEAD~3), in the same
 * session, alternating with this checkout's, so "no slower than before" is
 * measured rather than remembered. The ref is checked out once into a
 * detached git worktree under the benchmark's data folder, sharing this
 * checkout's node_modules (its own CLI bundle is built on first use there).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './measure.ts';

export interface RefCheckout {
  ref: string;
  sha: string;
  /** The ref's `bin/recon.mjs`. */
  bin: string;
}

export function checkoutRef(ref: string, dataDir: string): RefCheckout {
  const git = (...args: string[]): string => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = join(dataDir, `ref-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, 'bin', 'recon.mjs'))) {
    git('worktree', 'add', '--force', '--detach', dir, sha);
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  }
  return { ref, sha, bin: join(dir, 'bin', 'recon.mjs') };
}
