/** IPC channel names, shared by main and preload so the two cannot drift. */
export const IpcChannel = {
  version: 'recon:version',
} as const;
