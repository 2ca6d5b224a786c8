/**
 * Native code in the app: which production dependencies carry it (so
 * electron-builder.yml must unpack them from app.asar), and what a native
 * binary was built for (platform, CPU, Node ABI), read from its header so a
 * packaging machine can refuse an installer with the wrong binaries.
 */
import { existsSync, openSync, readdirSync, readFileSync, readSync, closeSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { isRecord, type BuilderConfig } from './builder-config.ts';

/** File names the OS loads as native code. */
export const NATIVE_FILE = /\.(node|dylib|dll|so(\.\d+)*)$/;

export type BinaryFormat = 'elf' | 'macho' | 'pe';
export type Cpu = 'x64' | 'arm64' | 'ia32' | 'armv7l' | 'other';

export interface BinaryInfo {
  format: BinaryFormat;
  /** One entry, or several for a macOS universal (fat) binary. */
  cpus: Cpu[];
}

const ELF_MACHINES: Record<number, Cpu> = { 0x03: 'ia32', 0x28: 'armv7l', 0x3e: 'x64', 0xb7: 'arm64' };
const MACHO_CPUS: Record<number, Cpu> = { 0x01000007: 'x64', 0x0100000c: 'arm64', 0x07: 'ia32', 0x0c: 'armv7l' };
const PE_MACHINES: Record<number, Cpu> = { 0x8664: 'x64', 0xaa64: 'arm64', 0x014c: 'ia32', 0x01c4: 'armv7l' };

/** The format and CPU(s) of a native binary, from its first bytes; null when it is none. */
export function binaryInfo(head: Buffer): BinaryInfo | null {
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
    return { format: 'elf', cpus: [ELF_MACHINES[machine] ?? 'other'] };
  }
  if (head.length >= 8 && (head.readUInt32LE(0) === 0xfeedfacf || head.readUInt32LE(0) === 0xfeedface)) {
    return { format: 'macho', cpus: [MACHO_CPUS[head.readUInt32LE(4)] ?? 'other'] };
  }
  if (head.length >= 8 && head.readUInt32BE(0) === 0xcafebabe) {
    const count = head.readUInt32BE(4);
    // Java class files share the magic; a fat header has a handful of slices.
    if (count > 0 && count < 8 && head.length >= 8 + 20 * count) {
      return { format: 'macho', cpus: Array.from({ length: count }, (_, i) => MACHO_CPUS[head.readUInt32BE(8 + 20 * i)] ?? 'other') };
    }
  }
  if (head.length >= 0x40 && head.readUInt16LE(0) === 0x5a4d) {
    const pe = head.readUInt32LE(0x3c);
    if (pe + 6 <= head.length && head.readUInt32LE(pe) === 0x00004550) return { format: 'pe', cpus: [PE_MACHINES[head.readUInt16LE(pe + 4)] ?? 'other'] };
  }
  return null;
}

/** The first bytes of a file, enough for binaryInfo. */
export function readHead(path: string, bytes = 4096): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The Node ABI a native addon was compiled for: 'napi' for Node-API addons
 * (any runtime), the NODE_MODULE_VERSION of `node_register_module_v<N>` for
 * addons built against one runtime's headers, null when neither symbol is there.
 */
export function nodeAbiOf(binary: Buffer): number | 'napi' | null {
  const text = binary.toString('latin1');
  const m = /node_register_module_v(\d+)/.exec(text);
  if (m) return Number(m[1]);
  return text.includes('napi_register_module_v1') ? 'napi' : null;
}

export const ELF_OS: Record<string, BinaryFormat> = { linux: 'elf', darwin: 'macho', mas: 'macho', win32: 'pe' };

/** Every native binary under a folder (by content, not name), relative paths with '/' separators. */
export function nativeBinaries(dir: string): Array<{ path: string; info: BinaryInfo }> {
  if (!existsSync(dir)) return [];
  const out: Array<{ path: string; info: BinaryInfo }> = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = join(entry.parentPath, entry.name);
    const info = binaryInfo(readHead(abs));
    if (info) out.push({ path: relative(dir, abs).split(sep).join('/'), info });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Node's lookup: node_modules/<name> in `from` or any parent, up to `root`. */
function resolvePackageDir(name: string, from: string, root: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
  }
}

export interface InstalledPackage {
  name: string;
  dir: string;
  /** Native files, relative to the project root ('node_modules/x/build/x.node'). */
  nativeFiles: string[];
  /** Compiled from source at install time (binding.gyp). */
  gyp: boolean;
}

function nativeFilesIn(dir: string, root: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const rel = relative(dir, join(entry.parentPath, entry.name)).split(sep);
    // A nested node_modules is another package, visited on its own.
    if (entry.isFile() && !rel.includes('node_modules') && NATIVE_FILE.test(entry.name)) {
      files.push(relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
    }
  }
  return files.sort();
}

/** The installed production dependency tree of the project (dependencies and installed optional ones). */
export function productionPackages(root: string): InstalledPackage[] {
  const seen = new Map<string, InstalledPackage>();
  const visit = (fromDir: string, deps: Record<string, string>): void => {
    for (const name of Object.keys(deps)) {
      const dir = resolvePackageDir(name, fromDir, root);
      if (dir === null || seen.has(dir)) continue;
      const pkg = readPackage(dir);
      seen.set(dir, { name, dir, nativeFiles: nativeFilesIn(dir, root), gyp: existsSync(join(dir, 'binding.gyp')) });
      visit(dir, { ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) });
    }
  };
  visit(root, readPackage(root).dependencies ?? {});
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

/** Whether electron-builder's `files` leave a package out of the app (a negated pattern matches its package.json). */
export function excludedByFiles(config: BuilderConfig, relPackageDir: string): boolean {
  const negated = stringList(config['files'])
    .filter((p) => p.startsWith('!'))
    .map((p) => p.slice(1));
  return negated.some((p) => minimatch(`${relPackageDir}/package.json`, p, { dot: true }));
}

/**
 * Every native file of a shipped production dependency must match an
 * `asarUnpack` pattern: the OS cannot load a library from inside app.asar.
 * Not relying on electron-builder's automatic unpacking keeps the list explicit.
 */
export function checkNativeUnpacked(config: BuilderConfig, root: string, packages = productionPackages(root)): string[] {
  const patterns = stringList(config['asarUnpack']);
  const problems: string[] = [];
  for (const p of packages) {
    const rel = relative(root, p.dir).split(sep).join('/');
    if (excludedByFiles(config, rel)) continue;
    for (const file of p.nativeFiles) {
      if (!patterns.some((pattern) => minimatch(file, pattern, { dot: true }))) {
        problems.push(`${file} (native code of ${p.name}) is not matched by asarUnpack`);
      }
    }
  }
  return problems;
}

/** electron-builder's rebuild settings: on, so node-gyp addons get Electron's ABI when packaging. */
export function checkRebuildSettings(config: BuilderConfig, packages: InstalledPackage[]): string[] {
  const gyp = packages.filter((p) => p.gyp).map((p) => p.name);
  if (gyp.length === 0 || config['npmRebuild'] !== false) return [];
  return [`npmRebuild is off, but ${gyp.join(', ')} must be rebuilt for Electron’s ABI when packaging`];
}

export { isRecord };
