import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'recon-workstation';

function isOurManifest(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false; // none here, or not a manifest we can read
  }
}

/**
 * The folder holding the app's package.json (the checkout, the installed
 * package, or app.asar), found by walking up from `from`. A fixed '../..'
 * from a module breaks once it is bundled: the CLI runs from a flat cache
 * folder (bin/cli-bundle.mjs) and the desktop app from out/main. Returns
 * `from` itself when no such package.json is above it, so a lookup under it
 * fails naming a path instead of failing here.
 */
export function packageRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; ) {
    if (isOurManifest(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
}
