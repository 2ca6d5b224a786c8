/** IPC channel names, shared by main and preload so the two cannot drift. */
import type { CallName } from '../../engine/contract/names.ts';

/** One channel per contract call: `recon:call:<name>`. */
export function callChannel(name: CallName): string {
  return `recon:call:${name}`;
}

/** Main → renderer: every contract event. */
export const EVENT_CHANNEL = 'recon:event';
