/** Navigation, window-opening, webview and permission guards for a web contents. */
import { shell, type WebContents } from 'electron';
import { isAllowedNavigation, isSafeExternalUrl } from './policy/navigation.ts';

export { isAllowedNavigation, isSafeExternalUrl };

/** Confines `contents` to `appOrigin`: other pages open in the OS browser or not at all. */
export function setupNavigationGuards(contents: WebContents, appOrigin: string): void {
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url, appOrigin)) {
      console.warn(`[navigation] blocked navigation to ${event.url}`);
      event.preventDefault();
    }
  });

  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) {
      shell.openExternal(url).catch((error: unknown) => {
        console.warn(`[navigation] could not open ${url} externally`, error);
      });
    }
    return { action: 'deny' };
  });

  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });

  // The app needs no browser permission (camera, notifications, geolocation...).
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false);
  });
  contents.session.setPermissionCheckHandler(() => false);
}
