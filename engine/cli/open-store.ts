import { sweepAbandoned } from '../host/abandoned-runs.ts';
import { openStore, type Store } from '../store/open.ts';
import { importDefinitionFiles } from '../workflow/definitions.ts';
import { currentUser, type Identity } from '../workflow/identity.ts';

/**
 * Opens the workspace store for a CLI command, first sweeping runs left
 * RUNNING by a process that is gone (a `recon run` killed with kill -9, a
 * crash, a power cut): each is marked FAILED (audited) and its partial files
 * removed, as the desktop app and `recon serve` do at start (one
 * implementation: engine/host/abandoned-runs.ts). A run whose process is
 * still alive, such as another `recon run` on this workspace, is left alone.
 * The definition files the new-run screen saved before definitions lived in
 * the store are imported first, once (engine/workflow/definitions.ts). A sweep
 * or an import that cannot be done (the store busy, no OS account) only warns:
 * it is housekeeping, never the reason a command fails.
 */
export function openWorkspaceStore(workspace: string, actor?: Identity): Store {
  const store = openStore(workspace);
  try {
    const imported = importDefinitionFiles(store, actor ?? currentUser());
    if (imported.length > 0) process.stderr.write(`recon: imported ${imported.length} definition file(s) into the workspace store: ${imported.join(', ')}\n`);
  } catch (err) {
    process.stderr.write(`recon: could not import the workspace's definition files: ${(err as Error).message}\n`);
  }
  try {
    const swept = sweepAbandoned(store, actor ?? currentUser(), workspace);
    if (swept.length > 0) {
      process.stderr.write(`recon: marked ${swept.length} abandoned run(s) FAILED and removed their partial files (their process had stopped): ${swept.join(', ')}\n`);
    }
  } catch (err) {
    process.stderr.write(`recon: could not check for abandoned runs: ${(err as Error).message}\n`);
  }
  return store;
}
