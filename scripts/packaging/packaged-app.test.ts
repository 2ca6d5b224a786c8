/**
 * electron-builder packs the app for real (Linux `dir` target) with a stand-in
 * for the Electron binary, which cannot be downloaded here. That checks what
 * the configuration produces rather than what it says: the fuses flipped in
 * the binary, what app.asar holds and what is unpacked, the update feed, the
 * afterPack release checks, and that the packed files alone run the engine.
 * Native modules are not rebuilt for Electron here (that downloads Electron's
 * headers); the afterPack check is shown to catch exactly that.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { extractAll } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkPackedBinaries, checkReleaseEnvironment, electronAbi, projectPackageReader } from './after-pack.ts';
import { asarIndex, checkPackagedApp, type AsarIndex } from './asar-contents.ts';
import { loadBuilderConfig } from './builder-config.ts';
import { bundleRefs, type BundleRefs } from './bundle-imports.ts';
import type { ProbeResult } from './bundle-probe.ts';
import { checkFuseWire, fuseIndex, FUSE_ENABLED, readFuseWire } from './fuse-wire.ts';
import { buildDesktop, ROOT, runProbe, scratchDir } from './testing/build-desktop.ts';
import { fakeElectronDist } from './testing/fake-electron.ts';

const UPDATE_URL = 'https://updates.example.invalid/recon';
const scratch = scratchDir('packaged');
const outDir = join(scratch.dir, 'out');
const appOutDir = join(scratch.dir, 'dist', 'linux-unpacked');
const resources = join(appOutDir, 'resources');
const binary = join(appOutDir, 'recon-workstation');
const electronVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
let index: AsarIndex;
let refs: BundleRefs;

/** electron-builder.yml, pointed at the test's build and stand-in Electron, without the native rebuild. */
function testConfig(): Record<string, unknown> {
  const base = loadBuilderConfig(join(ROOT, 'electron-builder.yml'));
  const rel = (p: string): string => relative(ROOT, p);
  const files = (base['files'] as string[]).filter((f) => f !== 'out/**');
  return {
    ...base,
    electronDist: rel(fakeElectronDist(join(scratch.dir, 'electron-dist'))),
    directories: { ...(base['directories'] as object), output: rel(join(scratch.dir, 'dist')) },
    files: [{ from: rel(outDir), to: 'out', filter: ['**/*'] }, 'package.json', ...files],
    npmRebuild: false,
    // Run below against Electron's ABI and against Node's.
    afterPack: null,
  };
}

beforeAll(() => {
  buildDesktop(outDir);
  refs = bundleRefs(join(outDir, 'main'));
  const configFile = join(scratch.dir, 'electron-builder.json');
  writeFileSync(configFile, JSON.stringify(testConfig()));
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/electron-builder/cli.js'), '--linux', 'dir', '--publish', 'never', '--config', relative(ROOT, configFile)],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RECON_UPDATE_URL: UPDATE_URL }, timeout: 150_000 },
  );
  if (r.status !== 0) throw new Error(`electron-builder failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  index = asarIndex(join(resources, 'app.asar'));
}, 180_000);
afterAll(() => scratch.dispose());

describe('the packed Electron binary', () => {
  it('has the fuses of electron-builder.yml flipped', async () => {
    expect(checkFuseWire(await readFuseWire(binary))).toEqual([]);
  });

  it('fails the fuse check when a fuse is back at Electron’s default', async () => {
    const copy = join(scratch.dir, 'tampered-binary');
    copyFileSync(binary, copy);
    const bytes = readFileSync(copy);
    const wire = bytes.indexOf('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX') + 32 + 2;
    bytes[wire + fuseIndex('runAsNode')] = FUSE_ENABLED;
    writeFileSync(copy, bytes);
    expect(checkFuseWire(await readFuseWire(copy))).toEqual(['fuse runAsNode is 1 in the binary; expected disabled']);
  });
});

describe('app.asar', () => {
  it('holds the bundle and every package it loads, with native code unpacked', () => {
    expect(checkPackagedApp(index, refs)).toEqual([]);
    for (const file of ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/@duckdb/node-bindings-linux-x64/duckdb.node']) {
      expect(index.get(file)?.unpacked, file).toBe(true);
    }
  });

  it('keeps the worker, the model and the migrations inside, under asar integrity', () => {
    for (const file of ['out/main/engine-worker.js', 'out/main/baseline-model.json', 'out/main/migrations/001_device_settings.sql']) {
      expect(index.get(file), file).toEqual({ unpacked: false, size: expect.any(Number) as number });
    }
  });

  it('leaves out development tools, the CLI loader and the renderer’s libraries', () => {
    for (const name of ['electron', 'electron-builder', 'vite', 'vitest', 'typescript', 'tsx', 'esbuild', 'ag-grid-community', 'react']) {
      expect(index.has(`node_modules/${name}/package.json`), name).toBe(false);
    }
    expect([...index.keys()].some((p) => p.startsWith('node_modules/better-sqlite3/deps/'))).toBe(false);
  });

  it('fails the check when native code is packed inside or a package is missing', () => {
    const broken: AsarIndex = new Map(index);
    broken.set('node_modules/better-sqlite3/build/Release/better_sqlite3.node', { unpacked: false, size: 1 });
    broken.delete('node_modules/zod/package.json');
    expect(checkPackagedApp(broken, refs)).toEqual(
      expect.arrayContaining([
        'node_modules/better-sqlite3/build/Release/better_sqlite3.node is native code inside app.asar: it must be unpacked',
        expect.stringMatching(/loads zod, but app\.asar has no node_modules\/zod\/package\.json/),
      ]),
    );
  });
});

describe('auto-update feed', () => {
  it('is the generic provider at the URL given when building', () => {
    const feed = parse(readFileSync(join(resources, 'app-update.yml'), 'utf8')) as Record<string, unknown>;
    expect(feed).toMatchObject({ provider: 'generic', url: UPDATE_URL });
  });
});

describe('afterPack release checks on the packed app', () => {
  const app = { appOutDir, platform: 'linux', cpu: 'x64' as const, productFilename: 'Recon Workstation' };

  const packages = projectPackageReader(ROOT);

  it('refuse better-sqlite3 still built for Node’s ABI (no rebuild for Electron ran here)', () => {
    const abi = electronAbi(electronVersion);
    expect(checkPackedBinaries({ ...app, abi }, packages)).toEqual([
      `node_modules/better-sqlite3/build/Release/better_sqlite3.node is compiled for Node ABI ${process.versions.modules}; Electron needs ${abi}: the rebuild for Electron did not run (npmRebuild)`,
    ]);
  });

  it('accept the binaries for the ABI and CPU they were built for', () => {
    expect(checkPackedBinaries({ ...app, abi: Number(process.versions.modules) }, packages)).toEqual([]);
  });

  it('refuse an app for another CPU: a compiled addon of the wrong CPU, per-CPU bindings only for others', () => {
    const problems = checkPackedBinaries({ ...app, cpu: 'arm64', abi: Number(process.versions.modules) }, packages);
    expect(problems).toEqual(
      expect.arrayContaining([
        'node_modules/better-sqlite3/build/Release/better_sqlite3.node is built for x64; this app is arm64',
        '@duckdb/node-bindings is packed only for other platforms: install its linux-arm64 package before packaging (build/README.md)',
      ]),
    );
    // Without package.json platform fields every foreign binary counts.
    expect(checkPackedBinaries({ ...app, cpu: 'arm64', abi: Number(process.versions.modules) })).toEqual(
      expect.arrayContaining([expect.stringMatching(/duckdb\.node is built for x64; this app is arm64/)]),
    );
  });

  it('refuse a plain-HTTP feed and a macOS build without notarization credentials', () => {
    expect(checkReleaseEnvironment({ RECON_UPDATE_URL: UPDATE_URL }, 'linux')).toEqual([]);
    expect(checkReleaseEnvironment({ RECON_UPDATE_URL: 'http://updates.example.invalid' }, 'linux')).toEqual([expect.stringMatching(/must be an https:\/\/ URL/)]);
    expect(checkReleaseEnvironment({ RECON_UPDATE_URL: UPDATE_URL }, 'darwin')).toEqual([expect.stringMatching(/macOS builds are notarized/)]);
    expect(checkReleaseEnvironment({ RECON_UPDATE_URL: UPDATE_URL, APPLE_API_KEY: 'k.p8', APPLE_API_KEY_ID: 'id', APPLE_API_ISSUER: 'iss' }, 'darwin')).toEqual([]);
  });
});

describe('the packed files alone', () => {
  it('run the engine: bundled worker, shipped model, store with shipped migrations', () => {
    // Outside the project, so nothing resolves from the checkout's node_modules.
    const dir = mkdtempSync(join(tmpdir(), 'recon-packed-app-'));
    try {
      const app = join(dir, 'app');
      extractAll(join(resources, 'app.asar'), app);
      const work = join(dir, 'work');
      mkdirSync(work);
      const r = runProbe(join(app, 'out', 'main'), work) as ProbeResult;
      expect(r.run.status).toBe('COMPLETED');
      expect(relative(join(app, 'out', 'main'), r.modelPath)).toBe('baseline-model.json');
      expect(relative(join(app, 'out', 'main'), r.migrationsDir)).toBe('migrations');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
