/**
 * electron-builder.yml and the macOS entitlements are what issue 8 asks for.
 * Every check is also run on a mutated temporary copy, to prove it fails when
 * the setting is wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { azureSigningConfig } from './azure-signing.ts';
import {
  checkEntitlements,
  checkFuseConfig,
  checkSecuritySettings,
  checkTargets,
  ENTITLEMENTS_FILE,
  loadBuilderConfig,
  REQUIRED_FUSES,
  validateAgainstSchema,
  type BuilderConfig,
} from './builder-config.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const YML = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
const PLIST = readFileSync(join(ROOT, ENTITLEMENTS_FILE), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'recon-release-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let copies = 0;
/** A temporary copy of electron-builder.yml with one text replacement, loaded as electron-builder would. */
function mutated(from: string | RegExp, to: string): BuilderConfig {
  const text = YML.replace(from, to);
  expect(text, `mutation ${String(from)} did not apply`).not.toBe(YML);
  const file = join(tmp, `electron-builder-${++copies}.yml`);
  writeFileSync(file, text);
  return loadBuilderConfig(file);
}

const config = loadBuilderConfig(join(ROOT, 'electron-builder.yml'));

describe('electron-builder.yml against electron-builder’s own JSON schema', () => {
  it('is valid', () => {
    expect(validateAgainstSchema(config)).toEqual([]);
  });

  it('fails on a misspelled option, a wrong type or an unknown fuse', () => {
    expect(validateAgainstSchema(mutated('electronFuses:', 'electronFuse:')).join('\n')).toMatch(/additional properties.*electronFuse/);
    expect(validateAgainstSchema(mutated('hardenedRuntime: true', 'hardenedRuntime: "yes"')).join('\n')).toMatch(/hardenedRuntime: must be boolean/);
    expect(validateAgainstSchema(mutated('  runAsNode: false', '  runAsNode: false\n  runAsNodeToo: false'))).not.toEqual([]);
  });
});

describe('fuses', () => {
  it('are set as issue 8 says', () => {
    expect(checkFuseConfig(config)).toEqual([]);
  });

  for (const [name, want] of Object.entries(REQUIRED_FUSES)) {
    it(`fail when ${name} is ${!want}`, () => {
      expect(checkFuseConfig(mutated(`  ${name}: ${want}`, `  ${name}: ${!want}`))).toEqual([`electronFuses.${name} must be ${want}, is ${!want}`]);
    });
  }

  it('fail when the block is gone', () => {
    expect(checkFuseConfig(mutated(/^electronFuses:\n(?: {2}.*\n)+/m, ''))).toHaveLength(1);
  });
});

describe('signing, notarization and update settings', () => {
  it('are as issue 8 says', () => {
    expect(checkSecuritySettings(config)).toEqual([]);
  });

  const mutations: Array<[string, string | RegExp, string, RegExp]> = [
    ['hardened runtime off', 'hardenedRuntime: true', 'hardenedRuntime: false', /hardenedRuntime/],
    ['notarization disabled', 'hardenedRuntime: true', 'hardenedRuntime: true\n  notarize: false', /notarize/],
    ['update signatures unchecked', '  icon: build/icon.ico', '  icon: build/icon.ico\n  verifyUpdateCodeSignature: false', /verifyUpdateCodeSignature/],
    ['unsigned builds allowed', 'forceCodeSigning: true', 'forceCodeSigning: false', /forceCodeSigning/],
    ['a certificate in the repository', 'forceCodeSigning: true', 'forceCodeSigning: true\ncscLink: build/cert.p12\ncscKeyPassword: hunter2', /cscLink.*repository/],
    ['a hard-coded update URL', 'url: ${env.RECON_UPDATE_URL}', 'url: http://updates.example.com', /publish\.url/],
    ['another update provider', 'provider: generic', 'provider: github', /publish\.provider/],
    ['asar off', 'asar: true', 'asar: false', /asar must stay on/],
    ['no rebuild for Electron', 'npmRebuild: true', 'npmRebuild: false', /npmRebuild/],
    ['Azure settings in the file', '  icon: build/icon.ico', '  icon: build/icon.ico\n  azureSignOptions:\n    endpoint: x', /azureSignOptions/],
    ['other entitlements', 'entitlementsInherit: build/entitlements.mac.plist', 'entitlementsInherit: build/other.plist', /entitlementsInherit/],
  ];
  for (const [what, from, to, problem] of mutations) {
    it(`fail with ${what}`, () => {
      expect(checkSecuritySettings(mutated(from, to)).join('\n')).toMatch(problem);
    });
  }
});

describe('targets', () => {
  it('are NSIS x64, dmg and zip for arm64 and x64, deb and AppImage', () => {
    expect(checkTargets(config)).toEqual([]);
  });

  it('fail when an installer or an architecture is missing', () => {
    expect(checkTargets(mutated(/ {4}- target: zip\n {6}arch: \[arm64, x64\]/, '    - target: zip\n      arch: [arm64]'))).toEqual(['mac.target zip lacks arch x64']);
    expect(checkTargets(mutated(/ {4}- target: AppImage\n {6}arch: \[x64\]\n/, ''))).toEqual(['linux.target lacks AppImage']);
  });
});

describe('macOS entitlements', () => {
  it('hold only the JIT exception Electron needs', () => {
    expect(checkEntitlements(PLIST)).toEqual([]);
  });

  it('fail on an extra exception or without the JIT one', () => {
    const extra = PLIST.replace('</dict>', '  <key>com.apple.security.cs.disable-library-validation</key>\n    <true/>\n  </dict>');
    expect(checkEntitlements(extra)).toEqual([expect.stringContaining('disable-library-validation is not an allowed entitlement')]);
    expect(checkEntitlements(PLIST.replace(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/, ''))).toEqual([expect.stringContaining('allow-jit is required')]);
  });
});

describe('Azure Trusted Signing (npm run dist:win:azure)', () => {
  const env = {
    AZURE_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net',
    AZURE_SIGNING_ACCOUNT: 'recon-signing',
    AZURE_SIGNING_CERTIFICATE_PROFILE: 'recon-public-trust',
    AZURE_SIGNING_PUBLISHER_NAME: 'Example Corp',
    AZURE_TENANT_ID: 'tenant',
    AZURE_CLIENT_ID: 'client',
    AZURE_CLIENT_SECRET: 'secret',
  };

  it('loads through electron-builder’s own config loader and stays schema-valid', async () => {
    const { getConfig } = createRequire(import.meta.url)('app-builder-lib/out/util/config/config') as {
      getConfig(projectDir: string, configPath: string): Promise<BuilderConfig>;
    };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const merged = await getConfig(ROOT, 'scripts/packaging/win-azure-signing.config.ts');
      expect(validateAgainstSchema(merged)).toEqual([]);
      expect(merged['win']).toMatchObject({ signtoolOptions: null, azureSignOptions: { endpoint: env.AZURE_SIGNING_ENDPOINT, publisherName: 'Example Corp' } });
      expect(checkFuseConfig(merged)).toEqual([]);
    } finally {
      process.env = saved;
    }
  });

  it('names every missing variable instead of signing with half a configuration', () => {
    const partial = { ...env, AZURE_SIGNING_ENDPOINT: undefined, AZURE_CLIENT_SECRET: ' ' };
    expect(() => azureSigningConfig(partial)).toThrow('AZURE_SIGNING_ENDPOINT, AZURE_CLIENT_SECRET');
  });
});
