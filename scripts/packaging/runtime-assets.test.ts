import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assetFiles, findRuntimeAssets } from './runtime-assets.ts';
import { ROOT } from './testing/build-desktop.ts';

const STORE = join(ROOT, 'engine/store/migrate.ts');

describe('findRuntimeAssets', () => {
  it('finds the data files and folders a module reads beside itself', () => {
    const code = `const a = new URL('./baseline-model.json', import.meta.url);\nconst b = new URL("./migrations/", import.meta.url);`;
    expect(findRuntimeAssets(code, STORE).map((r) => r.target)).toEqual(['baseline-model.json', 'migrations']);
  });

  it('leaves code (tsx worker shims) and the module’s own folder alone', () => {
    expect(findRuntimeAssets(`new URL('./entry.mjs', import.meta.url); new URL('.', import.meta.url)`, STORE)).toEqual([]);
  });

  it('refuses a data path outside the module’s folder: the flat bundle cannot reproduce it', () => {
    expect(() => findRuntimeAssets(`new URL('../../out/renderer', import.meta.url)`, STORE)).toThrow(/outside its own folder/);
  });
});

describe('assetFiles', () => {
  it('lists a folder’s data files only, not its tests', () => {
    const [ref] = findRuntimeAssets(`new URL('./migrations/', import.meta.url)`, STORE);
    const files = assetFiles(ref!).map(([target]) => target);
    expect(files).toContain('migrations/001_device_settings.sql');
    expect(files.some((f) => f.endsWith('.ts'))).toBe(false);
  });

  it('fails the build for a file that does not exist', () => {
    const [ref] = findRuntimeAssets(`new URL('./missing.json', import.meta.url)`, STORE);
    expect(() => assetFiles(ref!)).toThrow(/does not exist/);
  });
});
