/** Registers every IPC handler of the main process: one guarded channel per contract call. */
import { CALL_NAMES } from '../../engine/contract/names.ts';
import type { Service } from '../../engine/host/service.ts';
import { callChannel } from '../shared/ipc-channels.ts';
import { handle } from './ipc-guard.ts';

/**
 * Wires each call to the service. The guard drops calls from frames not on
 * the app origin; the service validates the payload against the contract's
 * schema before any handler runs, and answers errors as data.
 */
export function setupIpc(appOrigin: string, service: Service): void {
  for (const name of CALL_NAMES) {
    handle(callChannel(name), appOrigin, (_event, args) => service.call(name, args));
  }
}
