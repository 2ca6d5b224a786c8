/** Navigation, window-opening, webview, permission and device guards for a web contents (policy/navigation.ts decides). */
import { BrowserWindow, dialog, shell, type Session, type WebContents } from 'electron';
import { EXTERNAL_OPEN_BUTTON, externalOpenDialog, isAllowedNavigation, isSafeExternalUrl } from './policy/navigation.ts';

export { isAllowedNavigation, isSafeExternalUrl };

/** Confines `contents` to `appOrigin`: other pages open in the OS browser, after the person agrees, or not at all. */
export function setupNavigationGuards(contents: WebContents, appOrigin: string): void {
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url, appOrigin)) {
      console.warn(`[navigation] blocked navigation to ${event.url}`);
      event.preventDefault();
    }
  });

  // will-navigate fires for the main frame only: a frame the page adds (an <iframe>) is held to the same origin.
  contents.on('will-frame-navigate', (details) => {
    if (!isAllowedNavigation(details.url, appOrigin)) {
      console.warn(`[navigation] blocked ${details.isMainFrame ? 'main' : 'sub'}frame navigation to ${details.url}`);
      details.preventDefault();
    }
  });

  // A server redirect (the dev server, a future remote resource) may not lead out of the app's origin either.
  contents.on('will-redirect', (details) => {
    if (!isAllowedNavigation(details.url, appOrigin)) {
      console.warn(`[navigation] blocked redirect to ${details.url}`);
      details.preventDefault();
    }
  });

  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) askThenOpen(contents, url);
    else console.warn(`[navigation] refused to open ${url}`);
    return { action: 'deny' };
  });

  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });

  // WebHID/WebUSB/Web Serial/Web Bluetooth: the app uses no device; no picker is ever shown.
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    callback('');
  });

  setupSessionGuards(contents.session);
}

const guardedSessions = new WeakSet<Session>();

/** A session's permission and device handlers: set once per session, however many web contents share it. */
function setupSessionGuards(session: Session): void {
  if (guardedSessions.has(session)) return;
  guardedSessions.add(session);
  // The app needs no browser permission (camera, notifications, geolocation, HID, USB, serial...).
  session.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback(null);
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
}

/** One question at a time: a page that opens links in a loop gets one box, not a stack of them. */
let asking = false;

/** Asks the person (policy/navigation.ts's box) and hands the link to the OS only when they choose Open. */
function askThenOpen(contents: WebContents, url: string): void {
  if (asking) {
    console.warn(`[navigation] ignored ${url}: a link is already waiting for an answer`);
    return;
  }
  asking = true;
  const parent = BrowserWindow.fromWebContents(contents);
  const options = externalOpenDialog(url);
  (parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options))
    .then(({ response }) => (response === EXTERNAL_OPEN_BUTTON ? shell.openExternal(new URL(url).href) : undefined))
    .catch((error: unknown) => {
      console.warn(`[navigation] could not open ${url} externally`, error);
    })
    .finally(() => {
      asking = false;
    });
}
