/**
 * When the packaged app checks for updates. The feed URL is not read at run
 * time: electron-builder writes it (from RECON_UPDATE_URL at build time) into
 * `app-update.yml` under the app's resources, which the installer puts in a
 * folder the user cannot write to, so nobody can point an installed app at
 * another server through the environment.
 */
import { join } from 'node:path';

/** electron-updater's feed file, beside app.asar. */
export const UPDATE_CONFIG_FILE = 'app-update.yml';

export type UpdatePlan = { enabled: true; configFile: string } | { enabled: false; reason: string };

export interface UpdateContext {
  isPackaged: boolean;
  resourcesPath: string;
  env: NodeJS.ProcessEnv;
  exists: (path: string) => boolean;
  platform: NodeJS.Platform;
  /** The Ed25519 keys a Linux update must be signed with (update-signing-keys.ts). */
  updateSigningKeys: readonly string[];
}

/**
 * Whether to run electron-updater: never in development or tests, never without a feed baked in at build time,
 * and on Linux never without an update signing key built in (an AppImage or .deb has no code signature to check,
 * and the feed's sha512 comes from the feed itself: update-signature.ts).
 */
export function updatePlan(c: UpdateContext): UpdatePlan {
  if (!c.isPackaged) return { enabled: false, reason: 'not a packaged build' };
  if (c.env['RECON_DISABLE_AUTO_UPDATE'] === '1') return { enabled: false, reason: 'RECON_DISABLE_AUTO_UPDATE=1' };
  const configFile = join(c.resourcesPath, UPDATE_CONFIG_FILE);
  if (!c.exists(configFile)) return { enabled: false, reason: `no update feed was configured at build time (${configFile} is missing)` };
  if (c.platform === 'linux' && c.updateSigningKeys.length === 0) {
    return { enabled: false, reason: 'this Linux build has no update signing key to check updates with (electron/main/policy/update-signing-keys.ts)' };
  }
  return { enabled: true, configFile };
}
