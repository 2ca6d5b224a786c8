/** Navigation policy for every web contents: pure so it is tested without Electron. */
import type { MessageBoxOptions } from 'electron';
import { hasOrigin } from './origin.ts';

/** A page may navigate only within the app's own origin (no file:, data:, javascript: or other sites). */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  return hasOrigin(url, appOrigin);
}

/**
 * A link may be handed to the OS only if it is plain http(s) with a host, or a
 * mailto: with a recipient; never with user:password@ in it, which makes an
 * address read as a host it is not (https://bank.example@evil.example/).
 */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'mailto:') return /^[^@\s?]+@[^@\s?]+$/.test(decodeURIComponentSafe(parsed.pathname));
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  return parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

/** Index of the button that opens the link; every other answer (Cancel, Esc, closing the box) opens nothing. */
export const EXTERNAL_OPEN_BUTTON = 1;

/** The most characters of the address the box shows (a page could hand over megabytes). */
const MAX_SHOWN_URL = 1000;

/**
 * The box that asks before a link leaves the app (shell.openExternal): it names
 * the host (or the mail recipient) and shows the address as the OS will get it
 * (normalized, host in punycode, so a look-alike name shows as what it is).
 */
export function externalOpenDialog(url: string): MessageBoxOptions {
  const parsed = new URL(url);
  const href = parsed.href.length > MAX_SHOWN_URL ? `${parsed.href.slice(0, MAX_SHOWN_URL)}…` : parsed.href;
  const message =
    parsed.protocol === 'mailto:' ? `Write an e-mail to ${decodeURIComponentSafe(parsed.pathname)}?` : `Open ${parsed.host} in your browser?`;
  return {
    type: 'question',
    title: 'Open a link',
    message,
    detail: `The page asks to open this address outside Recon Workstation:\n\n${href}`,
    buttons: ['Cancel', 'Open'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
}
