import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, rendererEntry, resolveAppAsset } from './app-scheme.ts';

describe('rendererEntry', () => {
  it('uses the dev server only in an unpackaged run', () => {
    expect(rendererEntry('http://localhost:5173/', false)).toEqual({
      url: 'http://localhost:5173/',
      origin: 'http://localhost:5173',
    });
  });

  it('ignores a dev server URL in a packaged app', () => {
    expect(rendererEntry('http://localhost:5173/', true)).toEqual({ url: `${APP_ORIGIN}/index.html`, origin: APP_ORIGIN });
  });

  it('falls back to the bundled renderer without a usable dev URL', () => {
    expect(rendererEntry(undefined, false).origin).toBe(APP_ORIGIN);
    expect(rendererEntry('', false).origin).toBe(APP_ORIGIN);
    expect(rendererEntry('file:///tmp/index.html', false).origin).toBe(APP_ORIGIN);
  });
});

describe('resolveAppAsset', () => {
  const root = path.resolve('/opt/recon/out/renderer');

  it('maps app://recon paths into the renderer folder', () => {
    expect(resolveAppAsset(root, 'app://recon/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset(root, 'app://recon/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset(root, 'app://recon/assets/index-abc.js?v=1')).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(resolveAppAsset(root, 'app://recon/assets/a%20b.css')).toBe(path.join(root, 'assets', 'a b.css'));
  });

  it('keeps dot segments inside the folder (URL parsing removes them first)', () => {
    expect(resolveAppAsset(root, 'app://recon/../../etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
    expect(resolveAppAsset(root, 'app://recon/%2e%2e/%2e%2e/etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
    expect(resolveAppAsset(root, 'app://recon/assets/%2e%2e%2findex.html')).toBe(path.join(root, 'index.html'));
  });

  it.each([
    'app://recon/assets/%2e%2e%2f%2e%2e%2fsecret',
    'app://recon/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'app://recon/..%5c..%5csecret',
    'app://recon/a%00.js',
    'app://recon/%E0%A4%A',
    'app://other/index.html',
    'https://recon/index.html',
    'file:///opt/recon/out/renderer/index.html',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppAsset(root, url)).toBeNull();
  });
});
