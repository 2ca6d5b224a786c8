/** Registers every IPC handler of the main process. */
import { app } from 'electron';
import { IpcChannel } from '../shared/ipc-channels.ts';
import { handle } from './ipc-guard.ts';

/** Wires the IPC handlers; the full contract-derived set replaces this placeholder. */
export function setupIpc(appOrigin: string): void {
  handle(IpcChannel.version, appOrigin, () => app.getVersion());
}
