/**
 * Sandboxed preload: exposes named functions only, never a raw invoke(channel).
 * It is bundled to one CommonJS file because a sandboxed preload can require
 * nothing but 'electron' and a few polyfilled modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ReconApi } from '../../renderer/src/bridge/recon-api.ts';
import { IpcChannel } from '../shared/ipc-channels.ts';

const api = {
  version: (): Promise<string> => ipcRenderer.invoke(IpcChannel.version),
} satisfies ReconApi;

contextBridge.exposeInMainWorld('recon', api);
