/** The engine service inside the main process: the same handler table the browser host serves. */
import { app, BrowserWindow, dialog } from 'electron';
import { join } from 'node:path';
import type { ContractEvent, FileChoice } from '../../engine/contract/index.ts';
import { createService, type Service } from '../../engine/host/service.ts';
import { openStore } from '../../engine/store/open.ts';
import { osAccount } from '../../engine/workflow/identity.ts';
import { EVENT_CHANNEL } from '../shared/ipc-channels.ts';
import { ChosenPaths, rememberingDialog } from './policy/chosen-paths.ts';
import { recordedRunInputs } from './recorded-inputs.ts';

/** The workspace: $RECON_WORKSPACE when set, else the app's userData folder. */
function workspaceDir(): string {
  return process.env['RECON_WORKSPACE'] ?? app.getPath('userData');
}

/**
 * Opens the workspace store once, starts the service; its events go to every window. Closes both when the app quits.
 * The renderer may name only paths the person picked in this session's native dialogs, the workspace's exports/, or
 * (to read) the files this workspace's runs read, for "Run again" (policy/chosen-paths.ts, recorded-inputs.ts): a
 * compromised renderer cannot read or write any other file through the engine.
 */
export function setupEngine(): Service {
  const workspace = workspaceDir();
  // The migrations ship beside the bundle (scripts/packaging/runtime-assets.ts), where openStore looks by default.
  const store = openStore(workspace);
  const chosen = new ChosenPaths({ ownedFolders: [join(workspace, 'exports')], recordedInputs: () => recordedRunInputs(store) });
  const service = createService({
    workspace,
    host: 'electron',
    version: app.getVersion(),
    store,
    // The OS account: RECON_USER is for the CLI and recon serve only (scripts, tests).
    user: osAccount(),
    chooseFile: rememberingDialog(chosen, chooseFile),
    pathPolicy: (path, use) => chosen.allows(path, use),
    emit: (event: ContractEvent) => {
      for (const win of BrowserWindow.getAllWindows()) {
        if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
      }
    },
  });
  app.on('will-quit', () => {
    // Whatever fails while closing is logged: a rejection here would be unhandled.
    service
      .close()
      .catch((error: unknown) => console.error('[engine] closing the service failed', error))
      .finally(() => store.close());
  });
  return service;
}

/** The native Open / Save dialog, attached to the focused window; null when the person cancels. */
async function chooseFile(request: FileChoice): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const common = { title: request.title, ...(request.defaultPath ? { defaultPath: request.defaultPath } : {}), ...(request.filters ? { filters: request.filters } : {}) };
  if (request.mode === 'save') {
    const r = win ? await dialog.showSaveDialog(win, common) : await dialog.showSaveDialog(common);
    return r.canceled || !r.filePath ? null : r.filePath;
  }
  const options = { ...common, properties: ['openFile' as const] };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}
