/**
 * Auto-update through electron-updater from the generic feed baked in at
 * build time (see policy/update-policy.ts for when it runs). Signature
 * checks stay on: NSIS updates must carry the publisher of the installed app,
 * macOS updates go through Squirrel.Mac's code-signature check, and Linux
 * updates (AppImage, .deb), which carry no code signature, must carry the
 * release's Ed25519 signature (policy/update-signature.ts) before they install.
 */
import { existsSync } from 'node:fs';
import { app } from 'electron';
import electronUpdater, { type AppUpdater, type UpdateDownloadedEvent } from 'electron-updater';
import { checkDownloadedUpdate } from './policy/update-signature.ts';
import { UPDATE_SIGNING_KEYS } from './policy/update-signing-keys.ts';
import { updatePlan } from './policy/update-policy.ts';

/** How often a running app looks for a new version. */
const CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

/** Checks now and every few hours; downloads in the background and installs when the app quits. */
export function setupAutoUpdates(): void {
  const plan = updatePlan({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    env: process.env,
    exists: existsSync,
    platform: process.platform,
    updateSigningKeys: UPDATE_SIGNING_KEYS,
  });
  if (!plan.enabled) {
    console.info(`[updates] off: ${plan.reason}`);
    return;
  }
  const { autoUpdater } = electronUpdater;
  const linux = process.platform === 'linux';
  autoUpdater.autoDownload = true;
  // Linux: electron-updater would install whatever the feed's sha512 matches; installSignedOnQuit installs instead.
  autoUpdater.autoInstallOnAppQuit = !linux;
  autoUpdater.allowDowngrade = false;
  autoUpdater.allowPrerelease = false;
  autoUpdater.on('error', (error: Error) => {
    console.error('[updates] update failed', error);
  });
  if (linux) installSignedOnQuit(autoUpdater);
  const check = (): void => {
    // No "will be installed on exit" notification on Linux: the download may yet fail its signature check.
    (linux ? autoUpdater.checkForUpdates() : autoUpdater.checkForUpdatesAndNotify()).catch((error: unknown) => {
      console.error('[updates] could not check for updates', error);
    });
  };
  check();
  setInterval(check, CHECK_INTERVAL_MS).unref();
}

/**
 * Installs a downloaded Linux update when the app quits normally, only if the
 * file downloaded last is the one whose signature verified: a newer download
 * arriving after a verified one waits for its own check.
 */
function installSignedOnQuit(updater: AppUpdater): void {
  let latest: string | null = null;
  let verified: string | null = null;
  let hooked = false;
  updater.on('update-downloaded', (event: UpdateDownloadedEvent) => {
    latest = event.downloadedFile;
    verified = null;
    void checkDownloadedUpdate(event, UPDATE_SIGNING_KEYS).then((result) => {
      if (latest !== event.downloadedFile) return;
      if (!result.ok) {
        console.error(`[updates] version ${event.version} will not be installed: ${result.reason}`);
        return;
      }
      verified = event.downloadedFile;
      console.info(`[updates] version ${event.version} is signed by the release key; it installs when the app quits`);
      if (hooked) return;
      hooked = true;
      app.once('quit', (_event, exitCode) => {
        if (exitCode !== 0 || verified === null || verified !== latest) return;
        if (updater instanceof electronUpdater.BaseUpdater) updater.install(true, false);
      });
    });
  });
}
