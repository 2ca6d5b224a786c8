import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, appAssetResponse, rendererEntry, resolveAppAsset } from './app-scheme.ts';
import { DESKTOP_CSP } from './csp.ts';

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

describe('appAssetResponse', () => {
  const root = path.resolve(import.meta.dirname, '../../../renderer');
  // What net.fetch does for a file: URL in Electron: the file's bytes with its type (Node's fetch has no file:).
  const load = async (fileUrl: string): Promise<Response> =>
    new Response(await readFile(fileURLToPath(fileUrl)), { status: 200, headers: { 'Content-Type': 'text/html' } });

  it('serves an app:// page with the desktop CSP and nosniff as headers, body and type unchanged', async () => {
    const r = await appAssetResponse(root, `${APP_ORIGIN}/index.html`, load);
    expect(r.status).toBe(200);
    expect(r.headers.get('Content-Security-Policy')).toBe(DESKTOP_CSP);
    expect(r.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(r.headers.get('Content-Type')).toBe('text/html');
    expect(await r.text()).toBe(await readFile(path.join(root, 'index.html'), 'utf8'));
  });

  it('answers 404, with the same headers, for what is not an asset of the renderer', async () => {
    for (const url of [`${APP_ORIGIN}/%2e%2e%2fpackage.json`, 'app://other/index.html', `${APP_ORIGIN}/..%5c..%5cpackage.json`, `${APP_ORIGIN}/a%00.js`]) {
      const r = await appAssetResponse(root, url, load);
      expect(r.status, url).toBe(404);
      expect(r.headers.get('Content-Security-Policy')).toBe(DESKTOP_CSP);
    }
  });
});
