import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Store } from '../store/store.ts';
import type { Identity } from '../workflow/identity.ts';
import { sweepAbandonedRuns } from '../workflow/runs.ts';

/**
 * At a host's start (the desktop app and `recon serve` through createService,
 * every other CLI command that opens the store through
 * engine/cli/open-store.ts): runs left RUNNING by a process that is gone are marked
 * FAILED (audited), and their partial files removed, as a failed run's are.
 * Only files at their usual place in this workspace are removed. Returns the
 * run ids it swept.
 */
export function sweepAbandoned(store: Store, user: Identity, workspace: string): string[] {
  const root = resolve(workspace);
  const swept = sweepAbandonedRuns(store, user);
  for (const r of swept) {
    const usual = join(root, 'runs', `${r.runId}.duckdb`);
    if (resolve(r.duckdbPath) === usual) {
      rmSync(usual, { force: true });
      rmSync(`${usual}.wal`, { force: true });
    }
    rmSync(join(root, 'tmp', r.runId), { recursive: true, force: true });
  }
  return swept.map((r) => r.runId);
}
