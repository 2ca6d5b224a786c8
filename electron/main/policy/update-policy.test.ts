import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UPDATE_CONFIG_FILE, updatePlan } from './update-policy.ts';

const RESOURCES = '/opt/Recon Workstation/resources';
const FEED = join(RESOURCES, UPDATE_CONFIG_FILE);

describe('updatePlan', () => {
  const base = { isPackaged: true, resourcesPath: RESOURCES, env: {}, exists: (p: string) => p === FEED, platform: 'win32' as const, updateSigningKeys: [] };

  it('checks for updates in a packaged app built with a feed', () => {
    expect(updatePlan(base)).toEqual({ enabled: true, configFile: FEED });
  });

  it('never runs in development or tests', () => {
    expect(updatePlan({ ...base, isPackaged: false })).toMatchObject({ enabled: false });
  });

  it('stays off when no feed was baked in at build time', () => {
    expect(updatePlan({ ...base, exists: () => false })).toMatchObject({ enabled: false, reason: expect.stringContaining('no update feed') });
  });

  it('updates Linux only when the build carries an update signing key (the feed alone is not trusted)', () => {
    const linux = { ...base, platform: 'linux' as const };
    expect(updatePlan(linux)).toMatchObject({ enabled: false, reason: expect.stringContaining('no update signing key') });
    expect(updatePlan({ ...linux, updateSigningKeys: ['-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n'] })).toEqual({ enabled: true, configFile: FEED });
    // Windows and macOS updates are checked by their code signatures instead.
    expect(updatePlan({ ...base, platform: 'darwin' })).toEqual({ enabled: true, configFile: FEED });
  });

  it('can be turned off by IT, but the feed URL cannot be changed through the environment', () => {
    expect(updatePlan({ ...base, env: { RECON_DISABLE_AUTO_UPDATE: '1' } })).toMatchObject({ enabled: false });
    expect(updatePlan({ ...base, env: { RECON_UPDATE_URL: 'https://evil.example' } })).toEqual({ enabled: true, configFile: FEED });
  });
});
