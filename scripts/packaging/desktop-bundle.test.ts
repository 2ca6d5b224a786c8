/**
 * The electron-vite build of the desktop app: it succeeds, its layout is what
 * the main process and the engine expect, every module it loads at run time is
 * a production dependency (read from the built bundle, not from a list), the
 * native ones are unpacked from app.asar, and the bundled engine really starts
 * the engine worker, loads the baseline model and opens a store under plain Node.
 * Each check is also run on a mutated copy to prove it fails.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_WORKER, workerEntryUrl } from '../../engine/worker/client.ts';
import { loadBuilderConfig } from './builder-config.ts';
import { bundleRefs, checkBuildOutput, checkDeclaredDependencies, type BundleRefs } from './bundle-imports.ts';
import { checkNativeUnpacked, checkRebuildSettings, productionPackages } from './native-modules.ts';
import type { ProbeResult } from './bundle-probe.ts';
import { buildDesktop, ROOT, runProbe, scratchDir } from './testing/build-desktop.ts';

const scratch = scratchDir('bundle');
const outDir = join(scratch.dir, 'out');
const mainDir = join(outDir, 'main');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
let refs: BundleRefs;

beforeAll(() => {
  buildDesktop(outDir);
  refs = bundleRefs(mainDir);
});
afterAll(() => scratch.dispose());

describe('electron-vite build', () => {
  it('emits the entries, a flat main bundle and every file the bundle opens beside it', () => {
    expect(checkBuildOutput(outDir, refs)).toEqual([]);
    expect([...refs.keys()]).toEqual(expect.arrayContaining(['index.js', 'engine-worker.js']));
    // Every worker the bundle starts through workerEntryUrl() was found and is built.
    expect([...refs.values()].flatMap((r) => r.workers)).toContain('engine-worker.js');
  });

  it('fails the layout check without the worker entry or a shipped file', () => {
    const copy = join(scratch.dir, 'mutated-out');
    cpSync(outDir, copy, { recursive: true });
    rmSync(join(copy, 'main', 'engine-worker.js'));
    rmSync(join(copy, 'main', 'baseline-model.json'));
    const problems = checkBuildOutput(copy, bundleRefs(join(copy, 'main')));
    expect(problems).toEqual(
      expect.arrayContaining([
        'main/engine-worker.js is missing from the build output',
        expect.stringMatching(/starts the worker engine-worker\.js, which is not in out\/main/),
        expect.stringMatching(/opens new URL\('\.\/baseline-model\.json', import\.meta\.url\), which is not in out\/main/),
      ]),
    );
  });

  it('ships the store’s migrations and the baseline model byte for byte', () => {
    expect(readFileSync(join(mainDir, 'baseline-model.json'))).toEqual(readFileSync(join(ROOT, 'engine/attribution/baseline-model.json')));
    expect(readFileSync(join(mainDir, 'migrations', '001_device_settings.sql'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'engine/store/migrations/001_device_settings.sql'), 'utf8'),
    );
  });
});

describe('run-time modules of the main process and the worker', () => {
  it('are all production dependencies, and the worker loads no Electron module', () => {
    expect(checkDeclaredDependencies(refs, pkg)).toEqual([]);
  });

  it('fail the check when one is only a devDependency, or Electron leaks into the worker', () => {
    const { zod, ...rest } = pkg.dependencies;
    const moved = { dependencies: rest, devDependencies: { ...pkg.devDependencies, zod: zod! } };
    const tmp = join(scratch.dir, 'package.json');
    writeFileSync(tmp, JSON.stringify(moved));
    expect(checkDeclaredDependencies(refs, JSON.parse(readFileSync(tmp, 'utf8')) as typeof pkg)).toEqual([
      expect.stringMatching(/^zod \(zod\) is loaded by out\/main but is not in package.json "dependencies"/),
    ]);

    const copy = join(scratch.dir, 'mutated-main');
    cpSync(mainDir, copy, { recursive: true });
    writeFileSync(join(copy, 'engine-worker.js'), `import { app } from "electron";\n${readFileSync(join(copy, 'engine-worker.js'), 'utf8')}`);
    expect(checkDeclaredDependencies(bundleRefs(copy), pkg)).toEqual(['engine-worker.js loads electron: worker threads have no Electron API']);
  });

  it('native ones are unpacked from app.asar and rebuilt for Electron when packaging', () => {
    const config = loadBuilderConfig(join(ROOT, 'electron-builder.yml'));
    const packages = productionPackages(ROOT);
    expect(packages.filter((p) => p.nativeFiles.length > 0).map((p) => p.name)).toEqual(expect.arrayContaining(['better-sqlite3']));
    expect(checkNativeUnpacked(config, ROOT, packages)).toEqual([]);
    expect(checkRebuildSettings(config, packages)).toEqual([]);
  });

  it('fail the unpack check when a native package is not unpacked, and the rebuild check when the rebuild is off', () => {
    const text = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    const file = join(scratch.dir, 'electron-builder.yml');
    writeFileSync(file, text.replace('  - "**/node_modules/better-sqlite3/**"\n', '').replace('npmRebuild: true', 'npmRebuild: false'));
    const config = loadBuilderConfig(file);
    const packages = productionPackages(ROOT);
    expect(checkNativeUnpacked(config, ROOT, packages)).toContain(
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node (native code of better-sqlite3) is not matched by asarUnpack',
    );
    expect(checkRebuildSettings(config, packages)).toEqual([expect.stringMatching(/npmRebuild is off, but better-sqlite3/)]);
  });
});

describe('the bundled engine under plain Node', () => {
  it('starts the bundled engine worker, loads the shipped model and opens a store with the shipped migrations', () => {
    const work = join(scratch.dir, 'probe');
    mkdirSync(work);
    const r = runProbe(mainDir, work) as ProbeResult;
    // Everything was found beside the bundle, not in the source tree.
    expect(relative(mainDir, r.migrationsDir)).toBe('migrations');
    expect(relative(mainDir, r.modelPath)).toBe('baseline-model.json');
    const baseline = JSON.parse(readFileSync(join(ROOT, 'engine/attribution/baseline-model.json'), 'utf8')) as { version: string };
    expect(r.modelVersion).toBe(baseline.version);
    expect(r.migrations).toBeGreaterThanOrEqual(6);
    expect(r.run).toEqual({ status: 'COMPLETED', a: 3, b: 3, breaks: expect.any(Number) as number, modelVersion: baseline.version });
    expect(r.run.breaks).toBeGreaterThan(0);
    expect(r.registry).toEqual([{ run_id: expect.any(String) as string, status: 'COMPLETED' }]);
    expect(r.about).toMatchObject({ duckdb: expect.stringMatching(/^v\d+\.\d+/) as string, sqlite: expect.stringMatching(/^3\.\d+/) as string, model: { version: baseline.version, source: 'baseline' } });
  });

  it('picks the built worker from the bundle and the tsx shim from source', () => {
    expect(workerEntryUrl(ENGINE_WORKER, 'file:///app/resources/app.asar/out/main/index.js').href).toBe('file:///app/resources/app.asar/out/main/engine-worker.js');
    expect(workerEntryUrl(ENGINE_WORKER, 'file:///repo/engine/worker/client.ts').href).toBe('file:///repo/engine/worker/entry.mjs');
  });
});
