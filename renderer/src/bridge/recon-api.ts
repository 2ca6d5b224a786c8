/**
 * What the desktop preload exposes as `window.recon`: derived from the engine
 * contract (engine/contract/api.ts); the preload checks itself against it.
 */
export type { ReconApi, ReconCalls } from '../../../engine/contract/api.ts';
