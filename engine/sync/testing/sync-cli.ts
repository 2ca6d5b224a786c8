/**
 * Runs `recon sync …` in its own process for tests that need a separate
 * environment (no keychain, a D-Bus session): `node --import tsx sync-cli.ts ARGS`.
 * main.ts wires the same function as `recon sync`.
 */
import { syncCommand } from '../../cli/commands/sync.ts';

process.exitCode = await syncCommand(process.argv.slice(2));
