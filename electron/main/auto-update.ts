/**
 * Auto-update through electron-updater from the generic feed baked in at
 * build time (see policy/update-policy.ts for when it runs). Signature
 * checks stay on: NSIS updates must carry the publisher of the installed app,
 * macOS updates go through Squirrel.Mac's code-signature check.
 */
import { existsSync } from 'node:fs';
import { app } from 'electron';
import electronUpdater from 'electron-updater';
import { updatePlan } from './policy/update-policy.ts';

/** How often a running app looks for a new version. */
const CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

/** Checks now and every few hours; downloads in the background and installs when the app quits. */
export function setupAutoUpdates(): void {
  const plan = updatePlan({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, env: process.env, exists: existsSync });
  if (!plan.enabled) {
    console.info(`[updates] off: ${plan.reason}`);
    return;
  }
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.allowDowngrade = false;
  autoUpdater.allowPrerelease = false;
  autoUpdater.on('error', (error: Error) => {
    console.error('[updates] update failed', error);
  });
  const check = (): void => {
    autoUpdater.checkForUpdatesAndNotify().catch((error: unknown) => {
      console.error('[updates] could not check for updates', error);
    });
  };
  check();
  setInterval(check, CHECK_INTERVAL_MS).unref();
}
