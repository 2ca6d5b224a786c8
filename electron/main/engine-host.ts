/** The engine service inside the main process: the same handler table the browser host serves. */
import { app, BrowserWindow } from 'electron';
import { createService, type Service } from '../../engine/host/service.ts';
import type { ContractEvent } from '../../engine/contract/index.ts';
import { EVENT_CHANNEL } from '../shared/ipc-channels.ts';

/** The workspace: $RECON_WORKSPACE when set, else the app's userData folder. */
function workspaceDir(): string {
  return process.env['RECON_WORKSPACE'] ?? app.getPath('userData');
}

/** Starts the service; its events go to every window. Closes it when the app quits. */
export function setupEngine(): Service {
  const service = createService({
    workspace: workspaceDir(),
    host: 'electron',
    version: app.getVersion(),
    emit: (event: ContractEvent) => {
      for (const win of BrowserWindow.getAllWindows()) {
        if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
      }
    },
  });
  app.on('will-quit', () => {
    void service.close();
  });
  return service;
}
