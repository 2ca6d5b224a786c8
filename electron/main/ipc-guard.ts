/**
 * The one entry for renderer-to-main calls: a handler registered here runs only
 * for frames showing the app itself. Payload validation joins it with the
 * typed contract.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { isTrustedSender } from './policy/sender.ts';

export { isTrustedSender };

/** A main-process handler; its arguments are untrusted input from the renderer. */
export type GuardedHandler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

/** Registers `fn` for `channel`, rejecting calls from any frame not on `appOrigin`. */
export function handle(channel: string, appOrigin: string, fn: GuardedHandler): void {
  ipcMain.handle(channel, (event, ...args: unknown[]) => {
    const frameUrl = event.senderFrame?.url;
    if (!isTrustedSender(frameUrl, appOrigin)) {
      console.warn(`[ipc] refused ${channel} from untrusted frame ${frameUrl ?? '(gone)'}`);
      throw new Error(`IPC call ${channel} refused: untrusted sender`);
    }
    return fn(event, ...args);
  });
}
