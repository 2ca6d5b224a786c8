#!/usr/bin/env node
// The `recon` command. The engine is TypeScript run through tsx's loader, so a
// checkout works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../engine/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
