/** Team sync's public surface, for hosts and the UI layer (see README.md). */
export { initServer, probeServer, syncOnce, verifyRemote, type ConnectOptions } from './api.ts';
export { parseConnectionSettings, describeServer, TLS_MODES, type ConnectionSettings, type TlsMode } from './connection.ts';
export { forgetPassword, keychainStatus, storePassword, type KeychainStatus } from './credentials.ts';
export type { CycleResult } from './cycle.ts';
export { SyncEngine, type SyncEngineOptions } from './engine.ts';
export { SYNC_ERROR_CODES, SyncError, type SyncErrorCode } from './errors.ts';
export { decisionHistory, listProposalsWithSync, type HistoryEntry, type SyncedProposal, type SyncMark } from './history.ts';
export { clearParked, readConnection, saveConnection, type ParkedItem } from './local-state.ts';
export { isRemoteRun, remoteBreakSource, remoteProposalBreaks, type RemoteProposalBreak } from './remote-breaks.ts';
export { readSyncStatus, type LiveSyncStatus, type SyncState, type SyncStatus } from './status.ts';
export { pulledWorkflow, WorkspaceSync, type WorkspaceSyncOptions, type WorkspaceSyncTuning } from './workspace-sync.ts';
