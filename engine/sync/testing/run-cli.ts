/** Spawns engine/sync/testing/sync-cli.ts with an environment and stdin of the test's choosing. */
import { fileURLToPath } from 'node:url';
import { runNode, type ProcessOutput } from '../../cli/testing/spawn-cli.ts';

const ENTRY = fileURLToPath(new URL('./sync-cli.ts', import.meta.url));

/** Exit code and output of `recon sync ARGS`. */
export function runSyncCli(args: readonly string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<ProcessOutput> {
  return runNode(['--import', 'tsx', ENTRY, ...args], env, stdin);
}
