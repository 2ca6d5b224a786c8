/** IPC sender policy: pure so it is tested without Electron. */
import { hasOrigin } from './origin.ts';

/**
 * True when an IPC call comes from a frame showing the app itself. The frame
 * URL is undefined when the frame has navigated away or been destroyed.
 */
export function isTrustedSender(frameUrl: string | undefined, appOrigin: string): boolean {
  return frameUrl !== undefined && hasOrigin(frameUrl, appOrigin);
}
