#!/usr/bin/env node
// The `recon` command. It runs an esbuild bundle of the engine, built on first
// use and again when the sources change (cli-bundle.mjs), so a checkout works
// right after `npm install` with no build step. Without the bundle
// (RECON_NO_BUNDLE=1, or it cannot be built) the TypeScript runs through tsx.
import { bundledMain } from './cli-bundle.mjs';

let main = await bundledMain();
if (!main) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../engine/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
