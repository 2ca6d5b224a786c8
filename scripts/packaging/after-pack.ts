/**
 * electron-builder's afterPack hook (loaded through after-pack.mjs): the last
 * look at a packed app before it is signed and turned into an installer. It
 * refuses what CI cannot catch because it cannot package for real:
 *
 * - a native binary built for another OS or CPU (a macOS x64 app packed on
 *   arm64 with arm64-only DuckDB bindings), or an addon still compiled for
 *   Node's ABI instead of Electron's (the better-sqlite3 rebuild did not run);
 * - an update feed that is not HTTPS (Linux updates carry no signature);
 * - a macOS build without notarization credentials.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AfterPackContext } from 'electron-builder';
import { nativeBinaries, nodeAbiOf, ELF_OS, type Cpu } from './native-modules.ts';

const require = createRequire(import.meta.url);

/** electron-builder's Arch enum (builder-util), by value. */
const ARCH_NAMES: Record<number, Cpu> = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64' };

/** NODE_MODULE_VERSION of an Electron release, from node-abi's registry (update node-abi when Electron is newer). */
export function electronAbi(electronVersion: string): number {
  const { getAbi } = require('node-abi') as { getAbi(target: string, runtime: string): string };
  return Number(getAbi(electronVersion, 'electron'));
}

export interface PackedApp {
  /** The folder electron-builder packed into (e.g. dist/linux-unpacked). */
  appOutDir: string;
  platform: string;
  cpu: Cpu;
  productFilename: string;
  /** The NODE_MODULE_VERSION addons must have. */
  abi: number;
}

/** Where app.asar is. */
export function resourcesDir(app: Pick<PackedApp, 'appOutDir' | 'platform' | 'productFilename'>): string {
  return app.platform === 'darwin' || app.platform === 'mas'
    ? join(app.appOutDir, `${app.productFilename}.app`, 'Contents', 'Resources')
    : join(app.appOutDir, 'resources');
}

/** The `os` and `cpu` fields of a package.json: npm installs such a package only on those platforms. */
export interface PlatformFields {
  name: string;
  os?: string[];
  cpu?: string[];
}

/** 'node_modules/@duckdb/node-bindings-linux-x64/duckdb.node' → 'node_modules/@duckdb/node-bindings-linux-x64'. */
function packageDirOf(path: string): string | null {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
  return m ? m[1]! : null;
}

/** Reads a packed package's platform fields from the project the app was packed from. */
export function projectPackageReader(projectDir: string): (packageDir: string) => PlatformFields | null {
  return (packageDir) => {
    try {
      return JSON.parse(readFileSync(join(projectDir, packageDir, 'package.json'), 'utf8')) as PlatformFields;
    } catch {
      return null;
    }
  };
}

const NODE_OS: Record<string, string> = { darwin: 'darwin', mas: 'darwin', win32: 'win32', linux: 'linux' };

/**
 * Native binaries unpacked beside app.asar are for the target OS, CPU and
 * Electron ABI. A per-platform package (package.json `os`/`cpu`, like
 * @duckdb/node-bindings-darwin-x64) for another platform is never loaded and
 * is skipped, but each family of them (@duckdb/node-bindings) needs its member
 * for the target: a macOS x64 app packed on arm64 must carry darwin-x64.
 */
export function checkPackedBinaries(app: PackedApp, readPackage: (packageDir: string) => PlatformFields | null = () => null): string[] {
  const unpacked = join(resourcesDir(app), 'app.asar.unpacked');
  const format = ELF_OS[app.platform];
  const os = NODE_OS[app.platform];
  const problems: string[] = [];
  /** Family → whether a member for the target platform is there. */
  const families = new Map<string, boolean>();
  for (const { path, info } of nativeBinaries(unpacked)) {
    const dir = packageDirOf(path);
    const pkg = dir === null ? null : readPackage(dir);
    if (pkg?.os?.length || pkg?.cpu?.length) {
      const family = pkg.name.slice(0, Math.max(pkg.name.lastIndexOf(`-${pkg.os?.[0] ?? pkg.cpu?.[0]}`), 0)) || pkg.name;
      const forTarget = (!pkg.os || pkg.os.includes(os ?? '')) && (!pkg.cpu || pkg.cpu.includes(app.cpu));
      families.set(family, (families.get(family) ?? false) || forTarget);
      if (!forTarget) continue;
    }
    if (info.format !== format) problems.push(`${path} is a ${info.format} binary; a ${app.platform} app needs ${format}`);
    else if (!info.cpus.includes(app.cpu)) problems.push(`${path} is built for ${info.cpus.join('+')}; this app is ${app.cpu}`);
    if (path.endsWith('.node')) {
      const abi = nodeAbiOf(readFileSync(join(unpacked, path)));
      if (typeof abi === 'number' && abi !== app.abi) {
        problems.push(`${path} is compiled for Node ABI ${abi}; Electron needs ${app.abi}: the rebuild for Electron did not run (npmRebuild)`);
      }
    }
  }
  for (const [family, present] of families) {
    if (!present) problems.push(`${family} is packed only for other platforms: install its ${os}-${app.cpu} package before packaging (build/README.md)`);
  }
  return problems;
}

const NOTARIZATION_CREDENTIALS = [
  ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
  ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
  ['APPLE_KEYCHAIN', 'APPLE_KEYCHAIN_PROFILE'],
];

/** The release environment: an HTTPS update feed, and notarization credentials for macOS. */
export function checkReleaseEnvironment(env: NodeJS.ProcessEnv, platform: string): string[] {
  const problems: string[] = [];
  const url = env['RECON_UPDATE_URL'] ?? '';
  if (!/^https:\/\/[^/\s]+/.test(url)) problems.push(`RECON_UPDATE_URL must be an https:// URL (got ${JSON.stringify(url)}): updates are fetched from it`);
  if ((platform === 'darwin' || platform === 'mas') && !NOTARIZATION_CREDENTIALS.some((set) => set.every((v) => env[v]))) {
    problems.push(`macOS builds are notarized: set ${NOTARIZATION_CREDENTIALS.map((s) => s.join(' + ')).join(', or ')}`);
  }
  return problems;
}

/** The afterPack hook. */
export async function afterPack(context: AfterPackContext): Promise<void> {
  const platform = context.electronPlatformName;
  const cpu = ARCH_NAMES[context.arch];
  const electronVersion = context.packager.config.electronVersion;
  if (!electronVersion) throw new Error('afterPack: electron-builder did not resolve the Electron version');
  const problems = checkReleaseEnvironment(process.env, platform);
  if (cpu === undefined) problems.push(`afterPack: no check for arch ${context.arch} (universal builds are not a target)`);
  else {
    problems.push(
      ...checkPackedBinaries(
        { appOutDir: context.appOutDir, platform, cpu, productFilename: context.packager.appInfo.productFilename, abi: electronAbi(electronVersion) },
        projectPackageReader(context.packager.projectDir),
      ),
    );
  }
  if (problems.length > 0) throw new Error(`the packed app is not releasable:\n  - ${problems.join('\n  - ')}`);
}
