/**
 * Checks of electron-builder.yml that CI can run without building an
 * installer: electron-builder's own JSON schema, the fuses, the signing and
 * update settings, the targets and the macOS entitlements. Each check returns
 * a list of problems (empty = fine) so tests can prove it fires on a mutated copy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);

/** electron-builder's configuration, as far as these checks read it. */
export type BuilderConfig = Record<string, unknown>;

/** Reads a YAML configuration file. */
export function loadBuilderConfig(path: string): BuilderConfig {
  const config: unknown = parse(readFileSync(path, 'utf8'));
  if (!isRecord(config)) throw new Error(`${path}: not a YAML mapping`);
  return config;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(config: BuilderConfig, path: string): unknown {
  let v: unknown = config;
  for (const key of path.split('.')) v = isRecord(v) ? v[key] : undefined;
  return v;
}

/** The JSON schema electron-builder validates its configuration with (app-builder-lib/scheme.json). */
export function builderSchemaPath(): string {
  return require.resolve('app-builder-lib/scheme.json');
}

let compiled: ValidateFunction | undefined;

/** Schema errors as `path: message` lines. */
export function validateAgainstSchema(config: BuilderConfig): string[] {
  // strict: false as in electron-builder (its schema uses a `typeof` keyword);
  // no type coercion, so a quoted "false" is an error here.
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(builderSchemaPath(), 'utf8')) as object);
  const validate = compiled;
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

/** The fuses issue 8 asks for, plus the ones this app can also afford to turn off. */
export const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
  loadBrowserProcessSpecificV8Snapshot: false,
} as const;

export function checkFuseConfig(config: BuilderConfig): string[] {
  const fuses = get(config, 'electronFuses');
  if (!isRecord(fuses)) return ['electronFuses is not set: the packaged binary would keep Electron’s default fuses'];
  return Object.entries(REQUIRED_FUSES)
    .filter(([name, want]) => fuses[name] !== want)
    .map(([name, want]) => `electronFuses.${name} must be ${want}, is ${JSON.stringify(fuses[name])}`);
}

/** Keys that would put a secret (or a secret's location) into the repository. */
const SECRET_KEYS = new Set(['cscLink', 'cscKeyPassword', 'certificatePassword', 'certificateFile', 'certificateSha1', 'appleId', 'appleIdPassword', 'password', 'token', 'apiKey']);

function secretKeys(v: unknown, path: string, out: string[]): string[] {
  if (Array.isArray(v)) v.forEach((x, i) => secretKeys(x, `${path}[${i}]`, out));
  else if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      if (SECRET_KEYS.has(k)) out.push(`${p} must not be in the repository: signing material comes from environment variables`);
      secretKeys(x, p, out);
    }
  }
  return out;
}

export const ENTITLEMENTS_FILE = 'build/entitlements.mac.plist';

/**
 * Signing, notarization, update and packaging settings: hardened runtime,
 * notarization not disabled, update signatures verified, forced signing, a
 * generic update feed from the build environment, asar on, no secrets.
 */
export function checkSecuritySettings(config: BuilderConfig): string[] {
  const problems: string[] = [];
  const expect = (ok: boolean, message: string): void => {
    if (!ok) problems.push(message);
  };
  expect(get(config, 'asar') !== false, 'asar must stay on (onlyLoadAppFromAsar and asar integrity need it)');
  expect(get(config, 'forceCodeSigning') === true, 'forceCodeSigning must be true: an unsigned installer must fail the build');
  expect(get(config, 'mac.hardenedRuntime') !== false, 'mac.hardenedRuntime must not be false (notarization requires it)');
  expect(get(config, 'mac.notarize') !== false, 'mac.notarize must not be false');
  expect(get(config, 'mac.identity') !== null, 'mac.identity must not be null (that skips signing)');
  expect(get(config, 'mac.entitlements') === ENTITLEMENTS_FILE, `mac.entitlements must be ${ENTITLEMENTS_FILE}`);
  expect(get(config, 'mac.entitlementsInherit') === ENTITLEMENTS_FILE, `mac.entitlementsInherit must be ${ENTITLEMENTS_FILE}`);
  expect(get(config, 'win.verifyUpdateCodeSignature') !== false, 'win.verifyUpdateCodeSignature must not be false');
  expect(get(config, 'win.signAndEditExecutable') !== false && get(config, 'win.signExecutable') !== false, 'Windows signing must not be disabled');
  expect(get(config, 'win.azureSignOptions') === undefined, 'win.azureSignOptions comes from the environment (win-azure-signing.config.ts), not from this file');
  expect(get(config, 'publish.provider') === 'generic', 'publish.provider must be generic');
  const url = get(config, 'publish.url');
  expect(typeof url === 'string' && /^\$\{env\.[A-Z0-9_]+\}/.test(url), 'publish.url must come from the build environment (${env.RECON_UPDATE_URL})');
  expect(get(config, 'npmRebuild') !== false, 'npmRebuild must stay on: better-sqlite3 is rebuilt for Electron’s ABI at packaging time');
  problems.push(...secretKeys(config, '', []));
  return problems;
}

interface TargetEntry {
  target: string;
  arch: string[];
}

function targets(config: BuilderConfig, platform: string): TargetEntry[] {
  const raw = get(config, `${platform}.target`);
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((t) => {
    if (typeof t === 'string') return { target: t, arch: [] };
    const r = isRecord(t) ? t : {};
    const arch = r['arch'];
    return { target: String(r['target']), arch: Array.isArray(arch) ? arch.map(String) : typeof arch === 'string' ? [arch] : [] };
  });
}

/** The installers of issue 8: Windows NSIS x64; macOS dmg and zip for arm64 and x64; Linux deb and AppImage. */
export const REQUIRED_TARGETS: Record<'win' | 'mac' | 'linux', Array<{ target: string; arch: string[] }>> = {
  win: [{ target: 'nsis', arch: ['x64'] }],
  mac: [
    { target: 'dmg', arch: ['arm64', 'x64'] },
    { target: 'zip', arch: ['arm64', 'x64'] },
  ],
  linux: [
    { target: 'deb', arch: ['x64'] },
    { target: 'AppImage', arch: ['x64'] },
  ],
};

export function checkTargets(config: BuilderConfig): string[] {
  const problems: string[] = [];
  for (const [platform, wanted] of Object.entries(REQUIRED_TARGETS)) {
    const have = targets(config, platform);
    for (const w of wanted) {
      const t = have.find((h) => h.target === w.target);
      if (!t) problems.push(`${platform}.target lacks ${w.target}`);
      else for (const a of w.arch) if (!t.arch.includes(a)) problems.push(`${platform}.target ${w.target} lacks arch ${a}`);
    }
  }
  return problems;
}

/** Hardened-runtime exceptions the app may hold (build/entitlements.mac.plist explains each). */
export const ALLOWED_ENTITLEMENTS = new Set(['com.apple.security.cs.allow-jit']);
/** Without these Electron does not start under the hardened runtime. */
export const REQUIRED_ENTITLEMENTS = ['com.apple.security.cs.allow-jit'];

/** The keys of a plist dict whose value is <true/>. */
export function entitlementKeys(plist: string): string[] {
  const body = plist.replace(/<!--[\s\S]*?-->/g, '');
  return [...body.matchAll(/<key>\s*([^<]+?)\s*<\/key>\s*<true\s*\/>/g)].map((m) => m[1]!);
}

export function checkEntitlements(plist: string): string[] {
  const keys = entitlementKeys(plist);
  return [
    ...keys.filter((k) => !ALLOWED_ENTITLEMENTS.has(k)).map((k) => `${k} is not an allowed entitlement (see the comment in ${ENTITLEMENTS_FILE})`),
    ...REQUIRED_ENTITLEMENTS.filter((k) => !keys.includes(k)).map((k) => `${k} is required: Electron’s V8 JIT needs it`),
  ];
}

/** The project's electron-builder.yml. */
export function projectConfigPath(root: string): string {
  return resolve(root, 'electron-builder.yml');
}
