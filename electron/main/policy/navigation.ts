/** Navigation policy for every web contents: pure so it is tested without Electron. */
import { hasOrigin } from './origin.ts';

/** A page may navigate only within the app's own origin (no file:, data:, javascript: or other sites). */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  return hasOrigin(url, appOrigin);
}

/** A link may be handed to the OS browser only if it is plain http(s) with a host. */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '';
}
